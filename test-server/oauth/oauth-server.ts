// `--mode oauth`: the test server becomes the OAuth authorization server for its own API. This file
// is the HTTP surface (metadata, /register, /authorize, /token, /revoke, the /__admin helpers);
// the rules live in state.ts, client authentication in client-auth.ts, the consent page in
// authorize.ts. OAuth endpoints answer RFC 6749 error bodies (`error`, `error_description`)
// rather than the /api ones, because that is what OAuth clients parse.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http-io.js';
import { checkAuthorizationRequest, decide, renderApprovePage, renderErrorPage } from './authorize.js';
import { authenticateClient } from './client-auth.js';
import {
  GRANT_TYPES,
  GrantError,
  OAuthState,
  SUPPORTED_SCOPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  normaliseScope,
  randomToken,
  unknownScope,
  type GrantType,
  type OAuthClient,
  type OAuthStats,
  type TokenEndpointAuthMethod,
} from './state.js';

export type DiscoveryMode = 'oauth' | 'openid';
export const DISCOVERY_MODES: readonly DiscoveryMode[] = ['oauth', 'openid'];
export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const OPENID_METADATA_PATH = '/.well-known/openid-configuration';
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  discovery: DiscoveryMode;
  /** For the pre-registered client; empty accepts any http(s) redirect URI. */
  redirectUris: string[];
  /** What /token and /revoke accept; all three unless narrowed (to test a client's fallback). */
  tokenEndpointAuthMethods: TokenEndpointAuthMethod[];
  /** The clock lifetimes are measured by; Date.now by default. */
  now?: () => number;
}

export interface OAuthServer {
  readonly state: OAuthState;
  readonly options: OAuthServerOptions;
  readonly metadataPath: string;
  /** True when `path` is an OAuth endpoint; the answer is then under way. */
  route(req: IncomingMessage, res: ServerResponse, path: string, query: string, origin: string): boolean;
  stats(): OAuthStats;
}

const MAX_FORM_BYTES = 64 * 1024;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function sendOAuthError(res: ServerResponse, status: number, error: string, description: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { error, error_description: description }, { ...NO_STORE, ...headers });
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendOAuthError(res, 405, 'invalid_request', `Allowed methods: ${allow}.`, { allow });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

function isForm(req: IncomingMessage): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
}

/** A form body, or null after answering why not (RFC 6749 §3.2: parameters must not repeat). */
async function readForm(req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | null> {
  const body = await readBody(req, MAX_FORM_BYTES);
  if (body.tooLarge) {
    sendOAuthError(res, 413, 'invalid_request', 'The request body is too large.', { connection: 'close' });
    return null;
  }
  if (!isForm(req)) {
    sendOAuthError(res, 400, 'invalid_request', 'Send the parameters as application/x-www-form-urlencoded.');
    return null;
  }
  const params = new URLSearchParams(body.text);
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) {
      sendOAuthError(res, 400, 'invalid_request', `The parameter ${name} appears more than once.`);
      return null;
    }
  }
  return params;
}

export function buildMetadata(origin: string, options: OAuthServerOptions): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    revocation_endpoint: `${origin}/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: [...GRANT_TYPES],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: options.tokenEndpointAuthMethods,
    revocation_endpoint_auth_methods_supported: options.tokenEndpointAuthMethods,
    scopes_supported: [...SUPPORTED_SCOPES],
    authorization_response_iss_parameter_supported: true,
  };
  // OpenID discovery documents must name these; there are no ID tokens, so they are nominal.
  if (options.discovery === 'openid')
    Object.assign(metadata, { subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
  return metadata;
}

export function createOAuthServer(options: OAuthServerOptions): OAuthServer {
  const state = new OAuthState(options.tokenTtlSeconds, options.now);
  state.addClient({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    tokenEndpointAuthMethod: 'client_secret_basic',
    grantTypes: [...GRANT_TYPES],
    clientName: 'Pre-registered test client',
  });
  const metadataPath = options.discovery === 'openid' ? OPENID_METADATA_PATH : OAUTH_METADATA_PATH;

  async function register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_FORM_BYTES);
    if (body.tooLarge)
      return sendOAuthError(res, 413, 'invalid_client_metadata', 'The request body is too large.', { connection: 'close' });
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body.text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return sendOAuthError(res, 400, 'invalid_client_metadata', 'The body must be a JSON object of client metadata (RFC 7591).');
    }
    const method = (input.token_endpoint_auth_method ?? 'client_secret_basic') as TokenEndpointAuthMethod;
    if (!options.tokenEndpointAuthMethods.includes(method)) {
      return sendOAuthError(
        res,
        400,
        'invalid_client_metadata',
        `token_endpoint_auth_method must be one of ${options.tokenEndpointAuthMethods.join(', ')}.`,
      );
    }
    const grantTypes = (input.grant_types ?? ['authorization_code', 'refresh_token']) as GrantType[];
    if (!Array.isArray(grantTypes) || grantTypes.length === 0 || !grantTypes.every((g) => (GRANT_TYPES as readonly string[]).includes(g))) {
      return sendOAuthError(res, 400, 'invalid_client_metadata', `grant_types must be a list drawn from ${GRANT_TYPES.join(', ')}.`);
    }
    if (method === 'none' && grantTypes.includes('client_credentials')) {
      return sendOAuthError(
        res,
        400,
        'invalid_client_metadata',
        'A public client (token_endpoint_auth_method none) cannot use client_credentials.',
      );
    }
    const redirectUris = input.redirect_uris;
    const uriProblem = redirectUrisProblem(redirectUris, grantTypes.includes('authorization_code'));
    if (uriProblem) return sendOAuthError(res, 400, 'invalid_redirect_uri', uriProblem);
    if (input.client_name !== undefined && typeof input.client_name !== 'string') {
      return sendOAuthError(res, 400, 'invalid_client_metadata', 'client_name must be a string.');
    }
    const client: OAuthClient = {
      clientId: randomToken('dcr_'),
      ...(method === 'none' ? {} : { clientSecret: randomToken('dcs_') }),
      redirectUris: (redirectUris as string[] | undefined) ?? [],
      tokenEndpointAuthMethod: method,
      grantTypes,
      ...(input.client_name === undefined ? {} : { clientName: input.client_name as string }),
    };
    state.addClient(client);
    state.stats.registrations++;
    sendJson(
      res,
      201,
      {
        client_id: client.clientId,
        ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret, client_secret_expires_at: 0 }),
        client_id_issued_at: Math.floor(Date.now() / 1000),
        redirect_uris: client.redirectUris,
        token_endpoint_auth_method: method,
        grant_types: grantTypes,
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        ...(client.clientName === undefined ? {} : { client_name: client.clientName }),
      },
      NO_STORE,
    );
  }

  async function authorize(req: IncomingMessage, res: ServerResponse, query: string, origin: string): Promise<void> {
    let params: URLSearchParams;
    if (req.method === 'POST') {
      const form = await readForm(req, res);
      if (!form) return;
      params = form;
    } else {
      params = new URLSearchParams(query);
    }
    const checked = checkAuthorizationRequest(params, state.clients, origin);
    if (checked.kind === 'page') return sendHtml(res, checked.status, renderErrorPage(checked.message));
    if (checked.kind === 'redirect') return redirect(res, checked.location);
    if (req.method !== 'POST') return sendHtml(res, 200, renderApprovePage(params, checked.request));
    const decision = params.get('decision');
    if (decision !== 'approve' && decision !== 'deny') return sendHtml(res, 400, renderErrorPage('Choose Approve or Deny.'));
    redirect(res, decide(checked.request, decision === 'approve', state, origin));
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = await readForm(req, res);
    if (!params) return;
    const caller = authenticateClient(req.headers, params, state.clients, options.tokenEndpointAuthMethods);
    if (!caller.ok) {
      return sendOAuthError(
        res,
        caller.status,
        caller.error,
        caller.description,
        caller.basicChallenge ? { 'www-authenticate': 'Basic realm="latchkey-test-server"' } : {},
      );
    }
    const grantType = params.get('grant_type');
    if (!grantType) return sendOAuthError(res, 400, 'invalid_request', 'grant_type is missing.');
    if (!(GRANT_TYPES as readonly string[]).includes(grantType))
      return sendOAuthError(res, 400, 'unsupported_grant_type', `grant_type must be one of ${GRANT_TYPES.join(', ')}.`);
    if (!caller.client.grantTypes.includes(grantType as GrantType)) {
      return sendOAuthError(res, 400, 'unauthorized_client', `This client is not registered for the ${grantType} grant.`);
    }
    const clientId = caller.client.clientId;
    try {
      if (grantType === 'authorization_code') {
        const code = params.get('code');
        const codeVerifier = params.get('code_verifier');
        if (!code) return sendOAuthError(res, 400, 'invalid_request', 'code is missing.');
        if (!codeVerifier) return sendOAuthError(res, 400, 'invalid_request', 'code_verifier is missing: this server enforces PKCE.');
        return sendJson(res, 200, state.exchangeCode(code, { clientId, redirectUri: params.get('redirect_uri'), codeVerifier }), NO_STORE);
      }
      if (grantType === 'refresh_token') {
        const refreshToken = params.get('refresh_token');
        if (!refreshToken) return sendOAuthError(res, 400, 'invalid_request', 'refresh_token is missing.');
        return sendJson(res, 200, state.refresh(refreshToken, { clientId, scope: params.get('scope') }), NO_STORE);
      }
      const scope = params.get('scope');
      const unknown = scope === null ? null : unknownScope(scope);
      if (unknown !== null)
        return sendOAuthError(res, 400, 'invalid_scope', `Unknown scope "${unknown}"; this server knows ${SUPPORTED_SCOPES.join(', ')}.`);
      sendJson(res, 200, state.clientCredentials(clientId, normaliseScope(scope)), NO_STORE);
    } catch (error) {
      if (!(error instanceof GrantError)) throw error;
      sendOAuthError(res, 400, error.error, error.description);
    }
  }

  async function revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = await readForm(req, res);
    if (!params) return;
    const caller = authenticateClient(req.headers, params, state.clients, options.tokenEndpointAuthMethods);
    if (!caller.ok) return sendOAuthError(res, caller.status, caller.error, caller.description);
    const tokenValue = params.get('token');
    if (!tokenValue) return sendOAuthError(res, 400, 'invalid_request', 'token is missing.');
    // RFC 7009 §2.2: unknown tokens and other clients' tokens get the same 200, revealing nothing.
    state.revokeToken(tokenValue, caller.client.clientId);
    res.writeHead(200, { 'cache-control': 'no-store', 'content-length': 0 });
    res.end();
  }

  function route(req: IncomingMessage, res: ServerResponse, path: string, query: string, origin: string): boolean {
    const method = req.method ?? 'GET';
    const only = (allowed: string[], answer: () => Promise<void> | void): void => {
      if (!allowed.includes(method)) return methodNotAllowed(res, allowed.join(', '));
      Promise.resolve()
        .then(answer)
        .catch(() => {
          // A broken request stream leaves nobody to answer; anything else is our bug.
          if (res.headersSent || req.destroyed) res.destroy();
          else sendOAuthError(res, 500, 'server_error', 'The test server failed; this is its bug.');
        });
    };
    if (path === metadataPath) only(['GET'], () => sendJson(res, 200, buildMetadata(origin, options)));
    else if (path === '/authorize') only(['GET', 'POST'], () => authorize(req, res, query, origin));
    else if (path === '/token') only(['POST'], () => token(req, res));
    else if (path === '/register') only(['POST'], () => register(req, res));
    else if (path === '/revoke') only(['POST'], () => revoke(req, res));
    else if (path === '/__admin/revoke-refresh-tokens')
      only(['POST'], () => sendJson(res, 200, { revoked: state.revokeAllRefreshTokens() }));
    else if (path === '/__admin/expire-access-tokens') only(['POST'], () => sendJson(res, 200, { expired: state.expireAllAccessTokens() }));
    else return false;
    return true;
  }

  return { state, options, metadataPath, route, stats: () => ({ ...state.stats }) };
}

function redirectUrisProblem(value: unknown, required: boolean): string | null {
  if (value === undefined) return required ? 'redirect_uris is required for the authorization_code grant.' : null;
  if (!Array.isArray(value) || (required && value.length === 0)) return 'redirect_uris must be a non-empty array of URLs.';
  for (const uri of value) {
    if (typeof uri !== 'string') return 'redirect_uris must contain strings.';
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return `"${uri}" is not an absolute URL.`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${uri}" must be http or https.`;
    if (url.hash) return `"${uri}" must not have a fragment.`;
  }
  return null;
}

export { TOKEN_ENDPOINT_AUTH_METHODS, type OAuthStats, type TokenEndpointAuthMethod };
