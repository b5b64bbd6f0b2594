// The token endpoint's three grants and the revocation endpoint, each one small function over
// `requestToken`. Client authentication follows RFC 6749 §2.3: HTTP Basic with form-encoded
// credentials, or the secret in the body, or only the client_id for a public client.
import { OAuthRequestFailed, OAuthTokenError } from './errors.js';
import {
  describeEndpoint,
  endpointUrl,
  parseJsonObject,
  safeErrorCode,
  safeServerText,
  sendOAuthRequest,
  type OAuthHttpOptions,
} from './http.js';
import type { ClientAuth, TokenEndpointAuthMethod, TokenSet } from './types.js';

export interface TokenRequestOptions extends OAuthHttpOptions {
  /** Clock for `expiresAt`; Date.now by default. */
  now?: () => number;
}

export interface ExchangeCodeInput extends ClientAuth {
  tokenEndpoint: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
  resource?: string;
}

export interface RefreshTokensInput extends ClientAuth {
  tokenEndpoint: string;
  refreshToken: string;
  /** Narrower scopes; by default the grant's own. */
  scopes?: string[];
  resource?: string;
}

export interface ClientCredentialsInput extends ClientAuth {
  tokenEndpoint: string;
  scopes?: string[];
  /** Non-standard but common (Auth0 and others): the API the token is for. */
  audience?: string;
  resource?: string;
}

export interface RevokeTokenInput extends ClientAuth {
  revocationEndpoint: string;
  token: string;
  tokenTypeHint?: 'access_token' | 'refresh_token';
}

/**
 * The method to use given what the server's metadata lists: Basic when it is allowed (RFC 8414's
 * default when the list is absent), the body when only that is, none without a secret.
 */
export function chooseTokenEndpointAuthMethod(supported: readonly string[] | undefined, hasSecret: boolean): TokenEndpointAuthMethod {
  if (!hasSecret) return 'none';
  if (!supported?.length || supported.includes('client_secret_basic')) return 'client_secret_basic';
  return supported.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic';
}

/** RFC 6749 §2.3.1 / Appendix B: each part is form-encoded before the two are joined and base64'd. */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

export function basicClientAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}

function applyClientAuth(client: ClientAuth, params: URLSearchParams, headers: Record<string, string>): void {
  const method = client.authMethod ?? (client.clientSecret === undefined ? 'none' : 'client_secret_basic');
  if (method === 'client_secret_basic') {
    headers.authorization = basicClientAuthorization(client.clientId, client.clientSecret ?? '');
  } else {
    params.set('client_id', client.clientId);
    if (method === 'client_secret_post') params.set('client_secret', client.clientSecret ?? '');
  }
}

interface PostedForm {
  status: number;
  body: Record<string, unknown> | undefined;
}

async function postForm(endpoint: URL, client: ClientAuth, params: URLSearchParams, opts: OAuthHttpOptions): Promise<PostedForm> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  applyClientAuth(client, params, headers);
  const answer = await sendOAuthRequest(endpoint, { method: 'POST', headers, body: params.toString() }, opts);
  // A few providers (GitHub's classic apps) answer form-encoded unless told otherwise; accept both.
  const body =
    answer.mediaType === 'application/x-www-form-urlencoded'
      ? Object.fromEntries(new URLSearchParams(answer.text))
      : parseJsonObject(answer.text);
  return { status: answer.status, body };
}

/** The OAuth error in a 4xx answer, or a request failure for anything else that is not a success. */
function refusal(endpoint: URL, what: string, answer: PostedForm, secrets: readonly (string | undefined)[]): Error {
  const where = describeEndpoint(endpoint);
  const code = safeErrorCode(answer.body?.error);
  if (answer.status >= 400 && answer.status < 500 && code && !secrets.some((s) => s && code.includes(s))) {
    const description = safeServerText(answer.body?.error_description, secrets);
    return new OAuthTokenError(
      `${where} refused the ${what}: ${code}${description ? ` (${description})` : ''}.`,
      code,
      description,
      answer.status,
    );
  }
  if (answer.status >= 300 && answer.status < 400)
    return new OAuthRequestFailed(
      `${where} answered ${answer.status}, a redirect; token requests are not redirected.`,
      `HTTP_${answer.status}`,
      answer.status,
    );
  return new OAuthRequestFailed(
    `${where} answered the ${what} with ${answer.status}${answer.body ? '' : ' and no OAuth error'}.`,
    `HTTP_${answer.status}`,
    answer.status,
  );
}

function toTokenSet(endpoint: URL, answer: PostedForm, now: number, fallback: { refreshToken?: string; scope?: string }): TokenSet {
  const where = describeEndpoint(endpoint);
  const body = answer.body;
  const invalid = (why: string): OAuthRequestFailed => new OAuthRequestFailed(`${where} answered 200 but ${why}.`, 'INVALID_RESPONSE', 200);
  if (!body) throw invalid('not with a JSON object');
  if (typeof body.access_token !== 'string' || body.access_token.length === 0) throw invalid('without an access_token');
  // Some providers omit token_type; anything but Bearer (DPoP, MAC) would need more than a header.
  if (body.token_type !== undefined && (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer')) {
    throw invalid(`with token_type "${String(safeErrorCode(body.token_type) ?? '?')}", and only Bearer is supported`);
  }
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  const set: TokenSet = { accessToken: body.access_token, tokenType: 'Bearer', issuedAt: now };
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) set.expiresAt = now + expiresIn * 1000;
  const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token.length > 0 ? body.refresh_token : fallback.refreshToken;
  if (refreshToken !== undefined) set.refreshToken = refreshToken;
  // RFC 6749 §5.1: an absent scope means the one requested.
  const scope = typeof body.scope === 'string' ? body.scope : fallback.scope;
  if (scope !== undefined) set.scope = scope;
  return set;
}

async function requestToken(
  tokenEndpoint: string,
  client: ClientAuth,
  params: URLSearchParams,
  what: string,
  secrets: readonly (string | undefined)[],
  fallback: { refreshToken?: string; scope?: string },
  opts: TokenRequestOptions,
): Promise<TokenSet> {
  const endpoint = endpointUrl(tokenEndpoint, 'token endpoint');
  const answer = await postForm(endpoint, client, params, opts);
  if (answer.status !== 200) throw refusal(endpoint, what, answer, [client.clientSecret, ...secrets]);
  return toTokenSet(endpoint, answer, (opts.now ?? Date.now)(), fallback);
}

export function exchangeCode(input: ExchangeCodeInput, opts: TokenRequestOptions = {}): Promise<TokenSet> {
  const params = new URLSearchParams({
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
  });
  if (input.resource !== undefined) params.set('resource', input.resource);
  return requestToken(input.tokenEndpoint, input, params, 'authorization code', [input.code, input.codeVerifier], {}, opts);
}

export function refreshTokens(input: RefreshTokensInput, opts: TokenRequestOptions = {}): Promise<TokenSet> {
  const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: input.refreshToken });
  const scope = input.scopes?.length ? input.scopes.join(' ') : undefined;
  if (scope !== undefined) params.set('scope', scope);
  if (input.resource !== undefined) params.set('resource', input.resource);
  return requestToken(
    input.tokenEndpoint,
    input,
    params,
    'refresh token',
    [input.refreshToken],
    { refreshToken: input.refreshToken, ...(scope === undefined ? {} : { scope }) },
    opts,
  );
}

export function clientCredentialsToken(input: ClientCredentialsInput, opts: TokenRequestOptions = {}): Promise<TokenSet> {
  const params = new URLSearchParams({ grant_type: 'client_credentials' });
  const scope = input.scopes?.length ? input.scopes.join(' ') : undefined;
  if (scope !== undefined) params.set('scope', scope);
  if (input.audience !== undefined) params.set('audience', input.audience);
  if (input.resource !== undefined) params.set('resource', input.resource);
  return requestToken(input.tokenEndpoint, input, params, 'client credentials request', [], scope === undefined ? {} : { scope }, opts);
}

/** RFC 7009. A server that cannot revoke this kind of token (`unsupported_token_type`) is no failure. */
export async function revokeToken(input: RevokeTokenInput, opts: OAuthHttpOptions = {}): Promise<void> {
  const endpoint = endpointUrl(input.revocationEndpoint, 'revocation endpoint');
  const params = new URLSearchParams({ token: input.token });
  if (input.tokenTypeHint) params.set('token_type_hint', input.tokenTypeHint);
  const answer = await postForm(endpoint, input, params, opts);
  if (answer.status === 200) return;
  const error = refusal(endpoint, 'revocation', answer, [input.clientSecret, input.token]);
  if (error instanceof OAuthTokenError && error.error === 'unsupported_token_type') return;
  throw error;
}
