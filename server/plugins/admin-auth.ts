// The admin token guards /api. It is stored only as a hash; when none exists (and none is set in
// the environment) one is generated on first start and shown once in the banner.
//
// Two ways in, both checked by requireAdmin:
// - `Authorization: Bearer <admin token>`, for scripts. Browsers never attach it on their own, so
//   it needs no CSRF defence.
// - the console's session cookie, set by POST /api/session in exchange for the token (which the
//   browser then forgets). The cookie is httpOnly, SameSite=Strict and Secure over https. Because
//   a browser attaches cookies by itself, every state-changing request made with one must also
//   carry `X-Latchkey-CSRF`: an HMAC of the session id that only a same-origin page can learn
//   (from GET/POST /api/session). We chose this "signed token in a custom header" over a plain
//   double-submit cookie because it cannot be planted by a sibling subdomain that can write
//   cookies, and over an Origin check because proxies rewrite Host and some clients omit Origin.
//   A custom header also forces a CORS preflight, which this server never approves.
//
// Wrong tokens, on either path, count against the caller's address (see login-throttle.ts).
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CsrfRejected, TooManyAttempts, Unauthorized, WrongAdminToken } from '../errors.js';
import { createLoginThrottle, type LoginThrottle } from '../modules/session/login-throttle.js';
import { createSessionTokens, sessionHash, type Session } from '../modules/session/session-token.js';

export const CSRF_HEADER = 'x-latchkey-csrf';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

declare module 'fastify' {
  interface FastifyInstance {
    adminAuth: {
      /** Set only on the start that generated the token, for the banner. */
      generatedToken?: string;
      verify(token: string | undefined): boolean;
      /** Passes with a valid bearer token, or a valid session cookie (plus the CSRF header on writes). */
      requireAdmin(request: FastifyRequest): Promise<void>;
      sessions: ConsoleSessions;
    };
  }
}

export interface ConsoleSessions {
  /** Checks the token (throttled per address); on success sets the session cookie and answers the session. */
  signIn(request: FastifyRequest, reply: FastifyReply, token: string): Session;
  /** Ends the request's session, if any, and clears its cookie. */
  signOut(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** The session the request's cookie carries, if it is valid (and not signed out, on any node). */
  current(request: FastifyRequest): Promise<Session | undefined>;
  csrfTokenFor(session: Session): string;
  checkCsrf(session: Session, token: string | undefined): boolean;
}

/** The settings row that holds the generated admin token's hash (also written by `latchkey admin-token reset`). */
export const ADMIN_TOKEN_HASH_KEY = 'admin_token_hash';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function newAdminToken(): string {
  return `lka_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function tooMany(waitMs: number): Error {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return Object.assign(new TooManyAttempts(String(seconds)), { headers: { 'retry-after': String(seconds) } });
}

function createConsoleSessions(
  app: FastifyInstance,
  expected: Buffer,
  verify: (token: string) => boolean,
  throttle: LoginThrottle,
): ConsoleSessions {
  const tokens = createSessionTokens({
    // Salted with the admin token's hash: a new admin token ends every session.
    signingKey: app.vault.deriveKey('console-session-v1', expected),
    csrfKey: app.vault.deriveKey('console-csrf-v1', expected),
    ttlMs: SESSION_TTL_MS,
    now: app.now,
  });
  // Signed-out sessions are kept in the database until they would have expired anyway: every
  // gateway process sharing it refuses a copy of the cookie, before and after a restart.
  const revoked = app.repos.revokedSessions;
  const secure = () => app.publicUrl().startsWith('https:');
  // __Host- pins the cookie to this host and path / (browsers accept it only with Secure).
  const cookieName = () => (secure() ? '__Host-lk_session' : 'lk_session');
  const cookieOptions = (): CookieSerializeOptions => ({ httpOnly: true, sameSite: 'strict', secure: secure(), path: '/' });

  async function current(request: FastifyRequest): Promise<Session | undefined> {
    const session = tokens.read(request.cookies[cookieName()]);
    if (!session || (await revoked.isRevoked(sessionHash(session)))) return undefined;
    return session;
  }

  return {
    signIn(request, reply, token) {
      const wait = throttle.waitMs(request.ip);
      if (wait > 0) throw tooMany(wait);
      if (!verify(token)) {
        throttle.recordFailure(request.ip);
        request.log.warn('console sign-in with a wrong admin token');
        throw new WrongAdminToken();
      }
      throttle.recordSuccess(request.ip);
      const { session, value } = tokens.issue();
      reply.setCookie(cookieName(), value, { ...cookieOptions(), expires: new Date(session.expiresAt) });
      return session;
    },
    async signOut(request, reply) {
      const session = await current(request);
      if (session) await revoked.revoke(sessionHash(session), session.expiresAt, app.now());
      reply.clearCookie(cookieName(), cookieOptions());
    },
    current,
    csrfTokenFor: tokens.csrfTokenFor,
    checkCsrf: tokens.checkCsrf,
  };
}

async function adminAuthPlugin(app: FastifyInstance) {
  let generatedToken: string | undefined;
  let expected: Buffer;
  if (app.config.adminToken) {
    expected = hashToken(app.config.adminToken);
  } else {
    const stored = await app.repos.settings.get(ADMIN_TOKEN_HASH_KEY);
    if (stored) {
      expected = Buffer.from(stored, 'hex');
    } else {
      const token = newAdminToken();
      const kept = await app.repos.settings.setIfAbsent(ADMIN_TOKEN_HASH_KEY, hashToken(token).toString('hex'));
      // Another process may have won the race; then its token stands and ours is dropped.
      if (kept === hashToken(token).toString('hex')) generatedToken = token;
      expected = Buffer.from(kept, 'hex');
    }
  }

  const verify = (token: string | undefined): boolean => token !== undefined && timingSafeEqual(hashToken(token), expected);
  const throttle = createLoginThrottle({ now: app.now });
  const sessions = createConsoleSessions(app, expected, verify, throttle);

  async function requireAdmin(request: FastifyRequest) {
    if (request.headers.authorization !== undefined) {
      const wait = throttle.waitMs(request.ip);
      if (wait > 0) throw tooMany(wait);
      if (verify(bearer(request))) return;
      throttle.recordFailure(request.ip);
      throw new Unauthorized();
    }
    const session = await sessions.current(request);
    if (!session) throw new Unauthorized();
    if (SAFE_METHODS.has(request.method)) return;
    const header = request.headers[CSRF_HEADER];
    if (!sessions.checkCsrf(session, typeof header === 'string' ? header : undefined)) throw new CsrfRejected();
  }

  app.decorate('adminAuth', { generatedToken, verify, requireAdmin, sessions });
}

export default fp(adminAuthPlugin, { name: 'admin-auth', dependencies: ['config', 'db', 'vault', '@fastify/cookie'] });
