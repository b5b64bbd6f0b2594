// Console sessions as stateless signed values: `v1.<session id>.<expires, epoch s>.<HMAC>`. Nothing
// is stored server-side, so sessions survive a restart; the signing key is derived from the master
// key and the admin token's hash, so a new admin token (or master key) ends every session at once.
// The CSRF token is an HMAC of the session id under a second derived key: it cannot be forged
// without the key, and it is worthless with any other session.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const FORMAT = 'v1';

export interface Session {
  id: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * What a session is recorded under wherever the server keeps something about it (a sign-out, an
 * OAuth flow it started): sha256 of its id, hex. The id itself never leaves the cookie.
 */
export function sessionHash(session: Session): string {
  return createHash('sha256').update(session.id, 'utf8').digest('hex');
}

export interface SessionTokens {
  /** A new session and the cookie value that carries it. */
  issue(): { session: Session; value: string };
  /** The session a cookie value carries, or undefined when it is malformed, forged or expired. */
  read(value: string | undefined): Session | undefined;
  csrfTokenFor(session: Session): string;
  checkCsrf(session: Session, token: string | undefined): boolean;
}

export interface SessionTokenOptions {
  signingKey: Buffer;
  csrfKey: Buffer;
  ttlMs: number;
  now?: () => number;
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createSessionTokens(opts: SessionTokenOptions): SessionTokens {
  const now = opts.now ?? Date.now;

  const csrfTokenFor = (session: Session) => mac(opts.csrfKey, `csrf:${session.id}`).toString('base64url');

  return {
    issue() {
      const id = randomBytes(16).toString('base64url');
      const expiresAt = now() + opts.ttlMs;
      const payload = `${FORMAT}.${id}.${Math.floor(expiresAt / 1000)}`;
      return {
        session: { id, expiresAt: Math.floor(expiresAt / 1000) * 1000 },
        value: `${payload}.${mac(opts.signingKey, payload).toString('base64url')}`,
      };
    },
    read(value) {
      if (!value || value.length > 200) return undefined;
      const parts = value.split('.');
      if (parts.length !== 4 || parts[0] !== FORMAT || !/^\d{1,12}$/.test(parts[2])) return undefined;
      const payload = parts.slice(0, 3).join('.');
      if (!sameBytes(Buffer.from(parts[3], 'base64url'), mac(opts.signingKey, payload))) return undefined;
      const expiresAt = Number(parts[2]) * 1000;
      if (expiresAt <= now()) return undefined;
      return { id: parts[1], expiresAt };
    },
    csrfTokenFor,
    checkCsrf(session, token) {
      if (!token || token.length > 100) return false;
      return sameBytes(Buffer.from(token, 'utf8'), Buffer.from(csrfTokenFor(session), 'utf8'));
    },
  };
}
