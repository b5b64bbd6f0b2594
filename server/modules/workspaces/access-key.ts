// Workspace access keys: `lk_live_…` or `lk_test_…` followed by 32 base32 characters (160 random
// bits). Only their sha256 is stored; the prefix says which environment a key calls.
import { randomBytes } from 'node:crypto';
import { base32 } from './url-token.js';

export function newAccessKey(environment: 'live' | 'test'): { key: string; prefix: string } {
  const key = `lk_${environment}_${base32(randomBytes(20))}`;
  return { key, prefix: key.slice(0, environment.length + 8) };
}
