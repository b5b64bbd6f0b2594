// PKCE (RFC 7636) with S256 only, and the `state` that ties a redirect back to the flow that began
// it. Both are random and single-use; the gateway keeps them server-side until the callback.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PkcePair } from './types.js';

/** 32 random bytes → a 43-character base64url verifier, within the RFC's 43 to 128. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function createState(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison for state values and the like. */
export function sameSecretText(a: string, b: string): boolean {
  const hash = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(hash(a), hash(b));
}
