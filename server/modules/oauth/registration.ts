// Dynamic client registration (RFC 7591): the gateway registers itself with an authorization
// server that offers it, so a user does not have to create an OAuth app by hand.
import { OAuthRegistrationFailed, OAuthRequestFailed } from './errors.js';
import {
  describeEndpoint,
  endpointUrl,
  parseJsonObject,
  safeErrorCode,
  safeServerText,
  sendOAuthRequest,
  type OAuthHttpOptions,
} from './http.js';
import type { RegisteredClient, TokenEndpointAuthMethod } from './types.js';

export interface RegistrationRequest {
  redirectUri: string;
  clientName: string;
  /** Default client_secret_basic; `none` registers a public client. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Space-separated in the request, as RFC 7591 §2 wants. */
  scopes?: string[];
  /** Default authorization_code and refresh_token. */
  grantTypes?: string[];
  /** RFC 7591 §3: some servers hand these out to limit who may register. */
  initialAccessToken?: string;
}

const METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'none'];

export async function registerClient(
  registrationEndpoint: string,
  input: RegistrationRequest,
  opts: OAuthHttpOptions = {},
): Promise<RegisteredClient> {
  let url: URL;
  try {
    url = endpointUrl(registrationEndpoint, 'registration endpoint');
  } catch (err) {
    throw new OAuthRegistrationFailed((err as Error).message);
  }
  const where = describeEndpoint(url);
  const requestedMethod = input.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const body = {
    redirect_uris: [input.redirectUri],
    client_name: input.clientName,
    token_endpoint_auth_method: requestedMethod,
    grant_types: input.grantTypes ?? ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...(input.scopes?.length ? { scope: input.scopes.join(' ') } : {}),
  };
  let answer;
  try {
    answer = await sendOAuthRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(input.initialAccessToken ? { authorization: `Bearer ${input.initialAccessToken}` } : {}),
        },
        body: JSON.stringify(body),
      },
      opts,
    );
  } catch (err) {
    throw new OAuthRegistrationFailed(
      `Client registration failed: ${err instanceof OAuthRequestFailed ? err.message : 'the request failed.'}`,
    );
  }
  const doc = parseJsonObject(answer.text);
  if (answer.status !== 200 && answer.status !== 201) {
    const error = safeErrorCode(doc?.error);
    const description = safeServerText(doc?.error_description, [input.initialAccessToken]);
    const said = error ? `: ${error}${description ? ` (${description})` : ''}` : '';
    throw new OAuthRegistrationFailed(`${where} refused the client registration with ${answer.status}${said}.`, error, description);
  }
  if (!doc || typeof doc.client_id !== 'string' || doc.client_id.length === 0) {
    throw new OAuthRegistrationFailed(`${where} answered ${answer.status} without a client_id.`);
  }
  const method =
    typeof doc.token_endpoint_auth_method === 'string' && METHODS.includes(doc.token_endpoint_auth_method)
      ? (doc.token_endpoint_auth_method as TokenEndpointAuthMethod)
      : requestedMethod;
  const secret = typeof doc.client_secret === 'string' && doc.client_secret.length > 0 ? doc.client_secret : undefined;
  if (method !== 'none' && secret === undefined) {
    throw new OAuthRegistrationFailed(`${where} registered a confidential client (${method}) but sent no client_secret.`);
  }
  // RFC 7591 §3.2.1: seconds since the epoch, 0 for a secret that never expires.
  const expiresAt =
    typeof doc.client_secret_expires_at === 'number' && doc.client_secret_expires_at > 0 ? doc.client_secret_expires_at * 1000 : undefined;
  return {
    clientId: doc.client_id,
    ...(secret === undefined ? {} : { clientSecret: secret }),
    tokenEndpointAuthMethod: method,
    ...(expiresAt === undefined ? {} : { clientSecretExpiresAt: expiresAt }),
  };
}
