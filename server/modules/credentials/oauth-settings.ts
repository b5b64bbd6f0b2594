// OAuth 2.0 to the upstream API: what PUT /auth takes for `type: "oauth2"`, split like every auth
// type into a public description and a sealed secret (client secret, registered client, tokens).
import { AuthInvalid } from '../../errors.js';
import { discoverAuthorizationServer, type RegisteredClient, type TokenSet } from '../oauth/index.js';

export type OAuthFlow = 'client_credentials' | 'authorization_code';

/** Never holds a secret: shown by GET /auth. */
export interface OAuthPublicInfo {
  flow: OAuthFlow;
  issuer?: string;
  authorizationUrl?: string;
  tokenUrl: string;
  revocationUrl?: string;
  registrationUrl?: string;
  tokenEndpointAuthMethods?: string[];
  /** The fixed client id; a dynamically registered one lives in the secret until registration. */
  clientId?: string;
  scopes?: string[];
  audience?: string;
}

export interface OAuthSecret {
  clientSecret?: string;
  /** A client the gateway registered itself (RFC 7591). */
  registered?: RegisteredClient;
  tokens?: TokenSet;
}

function httpUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 2048) throw new AuthInvalid(`"${field}" must be an http(s) URL.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthInvalid(`"${field}" must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AuthInvalid(`"${field}" must be an http(s) URL.`);
  return url.href;
}

function optionalString(body: Record<string, unknown>, field: string, max = 512): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max || /[\x00-\x1f\x7f]/.test(value))
    throw new AuthInvalid(`"${field}" must be a string of at most ${max} characters.`);
  return value;
}

function scopesOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length > 100 || !list.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    throw new AuthInvalid('"scopes" must be a list of OAuth scope names.');
  }
  return list.length ? list : undefined;
}

/** Validates an oauth2 PUT /auth body; an `issuer` is discovered (RFC 8414, then OpenID) now, so mistakes show at once. */
export async function splitOAuthInput(body: Record<string, unknown>): Promise<{ publicInfo: OAuthPublicInfo; secret: OAuthSecret }> {
  const flow = body.flow;
  if (flow !== 'client_credentials' && flow !== 'authorization_code')
    throw new AuthInvalid('"flow" must be "client_credentials" or "authorization_code".');
  const issuer = body.issuer === undefined ? undefined : httpUrl(body.issuer, 'issuer');
  let authorizationUrl = body.authorizationUrl === undefined ? undefined : httpUrl(body.authorizationUrl, 'authorizationUrl');
  let tokenUrl = body.tokenUrl === undefined ? undefined : httpUrl(body.tokenUrl, 'tokenUrl');
  let revocationUrl: string | undefined;
  let registrationUrl: string | undefined;
  let tokenEndpointAuthMethods: string[] | undefined;
  if (issuer) {
    try {
      const meta = await discoverAuthorizationServer(issuer);
      authorizationUrl ??= meta.authorization_endpoint;
      tokenUrl ??= meta.token_endpoint;
      revocationUrl = meta.revocation_endpoint;
      registrationUrl = meta.registration_endpoint;
      tokenEndpointAuthMethods = meta.token_endpoint_auth_methods_supported;
    } catch (err) {
      throw new AuthInvalid((err as Error).message);
    }
  }
  if (!tokenUrl) throw new AuthInvalid('"tokenUrl" is required (or an "issuer" whose metadata names one).');
  const clientId = optionalString(body, 'clientId');
  const clientSecret = optionalString(body, 'clientSecret', 4096);
  if (flow === 'client_credentials' && (!clientId || !clientSecret))
    throw new AuthInvalid('The client_credentials flow needs "clientId" and "clientSecret".');
  if (flow === 'authorization_code') {
    if (!authorizationUrl) throw new AuthInvalid('"authorizationUrl" is required (or an "issuer" whose metadata names one).');
    if (!clientId && !registrationUrl)
      throw new AuthInvalid(
        'No "clientId" was given and the server offers no dynamic client registration: register a client with the provider and give its id.',
      );
  }
  const publicInfo: OAuthPublicInfo = {
    flow,
    issuer,
    authorizationUrl,
    tokenUrl,
    revocationUrl: body.revocationUrl === undefined ? revocationUrl : httpUrl(body.revocationUrl, 'revocationUrl'),
    registrationUrl,
    tokenEndpointAuthMethods,
    clientId,
    scopes: scopesOf(body.scopes),
    audience: optionalString(body, 'audience'),
  };
  return { publicInfo, secret: clientSecret ? { clientSecret } : {} };
}
