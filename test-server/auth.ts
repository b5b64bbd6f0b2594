// How the test server decides whether an /api request carries the right credential. Each mode is
// one `AuthScheme`: the check and the OpenAPI description live together, so a new mode (oauth,
// later) is one more entry in `createAuthScheme` and nothing else in the server changes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { OpenAPIV3 } from 'openapi-types';

export const AUTH_MODES = ['none', 'apikey', 'bearer'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const API_KEY_HEADER = 'x-api-key';

/** Why a request was refused; the value is also the `error` field of the 401 body. */
export type AuthFailure = 'MISSING_API_KEY' | 'INVALID_API_KEY';

export interface AuthScheme {
  readonly mode: AuthMode;
  /** Null when the request may proceed. */
  check(headers: IncomingHttpHeaders): AuthFailure | null;
  /** Extra headers for a 401, e.g. `WWW-Authenticate` for bearer. */
  readonly challengeHeaders: Readonly<Record<string, string>>;
  /** The `components.securitySchemes` entry, keyed by its name; absent when nothing is required. */
  readonly openApi?: { name: string; scheme: OpenAPIV3.SecuritySchemeObject };
}

export function isAuthMode(value: string): value is AuthMode {
  return (AUTH_MODES as readonly string[]).includes(value);
}

export function generateKey(): string {
  return `ts_${randomBytes(18).toString('base64url')}`;
}

/**
 * Null when `key` can be sent in a header as-is; otherwise why not. Visible ASCII only: HTTP
 * trims surrounding whitespace and clients disagree about anything else.
 */
export function keyProblem(key: string): string | null {
  if (key.length === 0) return 'the key must not be empty';
  if (key.length > 512) return 'the key must be at most 512 characters';
  if (!/^[\x21-\x7e]+$/.test(key)) return 'the key may only contain visible ASCII characters (no spaces)';
  return null;
}

/** Compares hashes so the comparison takes the same time whatever the length of the guess. */
function keyMatcher(key: string): (candidate: string) => boolean {
  const expected = createHash('sha256').update(key).digest();
  return (candidate) => timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function apiKeyScheme(key: string): AuthScheme {
  const matches = keyMatcher(key);
  return {
    mode: 'apikey',
    check(headers) {
      const sent = firstHeader(headers[API_KEY_HEADER]);
      if (!sent) return 'MISSING_API_KEY';
      return matches(sent) ? null : 'INVALID_API_KEY';
    },
    challengeHeaders: {},
    openApi: {
      name: 'ApiKeyAuth',
      scheme: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Api-Key',
        description: 'The key printed in the test server banner (it starts with `ts_` unless set with `--key`).',
      },
    },
  };
}

function bearerScheme(key: string): AuthScheme {
  const matches = keyMatcher(key);
  return {
    mode: 'bearer',
    check(headers) {
      const sent = headers.authorization;
      if (!sent) return 'MISSING_API_KEY';
      // A header with another scheme (Basic …) carries a credential, just not the right one.
      const match = /^Bearer +(\S+) *$/i.exec(sent);
      return match && matches(match[1]) ? null : 'INVALID_API_KEY';
    },
    challengeHeaders: { 'www-authenticate': 'Bearer realm="latchkey-test-server"' },
    openApi: {
      name: 'BearerAuth',
      scheme: {
        type: 'http',
        scheme: 'bearer',
        description: 'Send `Authorization: Bearer <key>` with the key printed in the test server banner.',
      },
    },
  };
}

const noAuth: AuthScheme = { mode: 'none', check: () => null, challengeHeaders: {} };

export function createAuthScheme(mode: AuthMode, key: string): AuthScheme {
  switch (mode) {
    case 'none':
      return noAuth;
    case 'apikey':
      return apiKeyScheme(key);
    case 'bearer':
      return bearerScheme(key);
  }
}
