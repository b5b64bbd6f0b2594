// Both ends of the browser leg of the authorization code flow: the URL the user is sent to, and
// reading what comes back to the gateway's callback.
import { OAuthAuthorizationFailed } from './errors.js';
import { safeErrorCode, safeServerText } from './http.js';
import { sameSecretText } from './pkce.js';

export interface AuthorizeUrlInput {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scopes?: string[];
  state: string;
  codeChallenge: string;
  /** RFC 8707 resource indicator: the API the token is for. */
  resource?: string;
  /** Provider-specific extras, e.g. `{ access_type: 'offline', prompt: 'consent' }`; cannot override the above. */
  extraParams?: Record<string, string>;
}

/** The endpoint's own query is kept (RFC 6749 §3.1); our parameters replace any of the same name. */
export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const url = new URL(input.authorizationEndpoint);
  for (const [name, value] of Object.entries(input.extraParams ?? {})) url.searchParams.set(name, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  if (input.scopes?.length) url.searchParams.set('scope', input.scopes.join(' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (input.resource !== undefined) url.searchParams.set('resource', input.resource);
  return url.href;
}

export interface CallbackExpectations {
  /** The state created for this flow. */
  state: string;
  /**
   * The issuer the flow was started with. When the answer carries `iss` (RFC 9207) it must match,
   * which defeats mix-up attacks between two authorization servers.
   */
  issuer?: string;
}

/** The authorization code from the callback's query, after checking it answers our request. */
export function readAuthorizationCallback(query: URLSearchParams, expected: CallbackExpectations): { code: string } {
  const state = query.get('state');
  if (state === null || !sameSecretText(state, expected.state)) {
    throw new OAuthAuthorizationFailed(
      'The authorization answer does not match a flow the gateway started (state mismatch); start again.',
      'state_mismatch',
    );
  }
  const iss = query.get('iss');
  if (iss !== null && expected.issuer !== undefined && iss.replace(/\/+$/, '') !== expected.issuer.replace(/\/+$/, '')) {
    throw new OAuthAuthorizationFailed(
      'The authorization answer comes from another issuer than the one the flow started with.',
      'issuer_mismatch',
    );
  }
  const error = query.get('error');
  if (error !== null) {
    const code = safeErrorCode(error) ?? 'invalid_response';
    const description = safeServerText(query.get('error_description'), []);
    const message =
      code === 'access_denied' ? 'Access was denied at the authorization server' : `The authorization server answered ${code}`;
    throw new OAuthAuthorizationFailed(`${message}${description ? `: ${description}` : ''}.`, code, description);
  }
  const code = query.get('code');
  if (!code) throw new OAuthAuthorizationFailed('The authorization answer carries neither a code nor an error.', 'missing_code');
  return { code };
}
