// The opaque MCP URL: `<PUBLIC_URL>/mcp/<slug>-<128 random bits in base32>`. The token is the
// credential, so it is looked up by its hash and stored only sealed.
import { hash, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/g, '');
  return slug || 'workspace';
}

/** 20 random bytes: 160 bits, above the 128 the URL must carry. */
export function newUrlToken(slug: string): string {
  return `${slug}-${base32(randomBytes(20))}`;
}

/** A new token for a row that keeps it: its lookup hash, and the token sealed by `seal` for that row. */
export function newSealedUrlToken(slug: string, seal: (token: string) => string): { urlTokenHash: string; urlTokenSealed: string } {
  const token = newUrlToken(slug);
  return { urlTokenHash: hashUrlToken(token), urlTokenSealed: seal(token) };
}

export function hashUrlToken(token: string): string {
  // The one-shot form: about a third of createHash's cost, on every MCP request.
  return hash('sha256', token, 'hex');
}

/** Tokens are `[a-z0-9-]`: anything else cannot be one, and is refused before hashing. */
export function looksLikeUrlToken(value: string): boolean {
  return /^[a-z0-9-]{10,100}$/.test(value);
}
