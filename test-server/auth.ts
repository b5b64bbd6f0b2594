// How the test server decides whether an /api request carries the right credential. Each mode is
// one `AuthScheme`: the check and the OpenAPI description live together, so a new mode is one more
// entry in `createAuthScheme` and nothing else in the server changes. oauth also brings endpoints
// of its own (/token, /authorize…), which it serves through `route`.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAPIV3 } from 'openapi-types';
import type { OAuthServer } from './oauth/oauth-server.js';
import { SUPPORTED_SCOPES } from './oauth/state.js';

export const AUTH_MODES = ['none', 'apikey', 'bearer', 'oauth'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const API_KEY_HEADER = 'x-api-key';

/** Why a request was refused; the value is also the `error` field of the 401 body. */
export type AuthFailure = 'MISSING_API_KEY' | 'INVALID_API_KEY' | 'MISSING_TOKEN' | 'INVALID_TOKEN' | 'TOKEN_EXPIRED';

export interface SecuritySchemeEntry {
  name: string;
  scheme: OpenAPIV3.SecuritySchemeObject;
  /** The scopes the document-wide security requirement lists; [] for non-OAuth schemes. */
  scopes: string[];
}

export interface AuthScheme {
  readonly mode: AuthMode;
  /** Null when the request may proceed. */
  check(headers: IncomingHttpHeaders): AuthFailure | null;
  /** Extra headers for a 401, e.g. `WWW-Authenticate` for bearer. */
  challengeHeaders(failure: AuthFailure): Readonly<Record<string, string>>;
  /** The `components.securitySchemes` entry for a server at `origin`; absent when nothing is required. */
  securityScheme?(origin: string): SecuritySchemeEntry;
  /** Endpoints outside /api this scheme serves; true when `path` was one (the answer is under way). */
  route?(req: IncomingMessage, res: ServerResponse, path: string, query: string, origin: string): boolean;
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
    challengeHeaders: () => ({}),
    securityScheme: () => ({
      name: 'ApiKeyAuth',
      scheme: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Api-Key',
        description: 'The key printed in the test server banner (it starts with `ts_` unless set with `--key`).',
      },
      scopes: [],
    }),
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
    challengeHeaders: () => BEARER_CHALLENGE,
    securityScheme: () => ({
      name: 'BearerAuth',
      scheme: {
        type: 'http',
        scheme: 'bearer',
        description: 'Send `Authorization: Bearer <key>` with the key printed in the test server banner.',
      },
      scopes: [],
    }),
  };
}

const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="latchkey-test-server"' };

/** RFC 6750 §3: no error code when no token was sent; `invalid_token` for a bad or expired one. */
const OAUTH_CHALLENGES: Partial<Record<AuthFailure, Record<string, string>>> = {
  INVALID_TOKEN: {
    'www-authenticate':
      'Bearer realm="latchkey-test-server", error="invalid_token", error_description="The access token is unknown or revoked"',
  },
  TOKEN_EXPIRED: {
    'www-authenticate': 'Bearer realm="latchkey-test-server", error="invalid_token", error_description="The access token expired"',
  },
};

function oauthScheme(server: OAuthServer): AuthScheme {
  return {
    mode: 'oauth',
    check(headers) {
      const sent = headers.authorization;
      if (!sent) return 'MISSING_TOKEN';
      const match = /^Bearer +(\S+) *$/i.exec(sent);
      if (!match) return 'INVALID_TOKEN';
      const verdict = server.state.checkAccessToken(match[1]);
      return verdict === 'ok' ? null : verdict;
    },
    challengeHeaders: (failure) => OAUTH_CHALLENGES[failure] ?? BEARER_CHALLENGE,
    securityScheme: (origin) => ({
      name: 'OAuth2',
      scheme: {
        type: 'oauth2',
        description: `Access tokens from this server's own authorization server (metadata at \`${server.metadataPath}\`). They expire after ${server.options.tokenTtlSeconds} s; the authorization code flow also issues a refresh token, rotated on every use.`,
        flows: {
          authorizationCode: {
            authorizationUrl: `${origin}/authorize`,
            tokenUrl: `${origin}/token`,
            refreshUrl: `${origin}/token`,
            scopes: OAUTH_SCOPES,
          },
          clientCredentials: { tokenUrl: `${origin}/token`, scopes: OAUTH_SCOPES },
        },
      },
      scopes: [...SUPPORTED_SCOPES],
    }),
    route: (req, res, path, query, origin) => server.route(req, res, path, query, origin),
  };
}

const OAUTH_SCOPES: Record<(typeof SUPPORTED_SCOPES)[number], string> = {
  'items:read': 'Read items and users.',
  'items:write': 'Create and delete items.',
};

const noAuth: AuthScheme = { mode: 'none', check: () => null, challengeHeaders: () => ({}) };

/** `oauth` is the authorization server that mode `oauth` checks tokens against. */
export function createAuthScheme(mode: AuthMode, key: string, oauth?: OAuthServer): AuthScheme {
  switch (mode) {
    case 'none':
      return noAuth;
    case 'apikey':
      return apiKeyScheme(key);
    case 'bearer':
      return bearerScheme(key);
    case 'oauth':
      if (!oauth) throw new TypeError('Mode oauth needs its authorization server.');
      return oauthScheme(oauth);
  }
}
