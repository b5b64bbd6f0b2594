// Finds an authorization server's endpoints from its issuer URL: RFC 8414 first, then OpenID
// Connect discovery, which many providers serve instead. Each candidate that is simply absent
// (a 4xx, or a 200 that is not a JSON object, as single-page apps answer every path) moves on to
// the next; a server error or an unreachable host stops at once, since the next URL on the same
// host would fare no better.
import { OAuthDiscoveryFailed, OAuthRequestFailed } from './errors.js';
import { describeEndpoint, endpointUrl, parseJsonObject, sendOAuthRequest, type OAuthHttpOptions } from './http.js';
import type { AuthServerMetadata } from './types.js';

export interface DiscoveryOptions extends OAuthHttpOptions {
  /** Also try /.well-known/openid-configuration. Default true. */
  openidFallback?: boolean;
}

const STRING_FIELDS = ['authorization_endpoint', 'registration_endpoint', 'revocation_endpoint'] as const;
const ENDPOINT_FIELDS = ['token_endpoint', ...STRING_FIELDS] as const;
const LIST_FIELDS = [
  'scopes_supported',
  'response_types_supported',
  'grant_types_supported',
  'code_challenge_methods_supported',
  'token_endpoint_auth_methods_supported',
] as const;

/**
 * The URLs to try, in order. RFC 8414 §3 inserts the well-known segment between the host and the
 * issuer's path (`https://as/.well-known/oauth-authorization-server/tenant`); OpenID Connect
 * Discovery appends it (`https://as/tenant/.well-known/openid-configuration`), and RFC 8414 §5
 * allows the inserted form for it too. For an issuer without a path the forms coincide.
 */
export function metadataUrls(issuer: string, openidFallback = true): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const urls = [`${url.origin}/.well-known/oauth-authorization-server${path}`];
  if (openidFallback) {
    urls.push(`${url.origin}/.well-known/openid-configuration${path}`);
    urls.push(`${url.origin}${path}/.well-known/openid-configuration`);
  }
  return [...new Set(urls)];
}

function sameIssuer(claimed: string, expected: string): boolean {
  // RFC 8414 §3.3 wants them identical; a trailing slash is the one difference tolerated, since
  // people type issuers both ways and no attacker gains anything from it.
  return claimed === expected || claimed.replace(/\/+$/, '') === expected.replace(/\/+$/, '');
}

function readMetadata(doc: Record<string, unknown>, issuer: string, source: string): AuthServerMetadata {
  const fail = (why: string): never => {
    throw new OAuthDiscoveryFailed(`The metadata at ${source} is not usable: ${why}.`);
  };
  if (typeof doc.issuer !== 'string') fail('it names no issuer');
  if (!sameIssuer(doc.issuer as string, issuer)) fail(`it is for issuer "${String(doc.issuer).slice(0, 200)}", not "${issuer}"`);
  if (typeof doc.token_endpoint !== 'string') fail('it has no token_endpoint');
  const metadata: AuthServerMetadata = { issuer: doc.issuer as string, token_endpoint: doc.token_endpoint as string };
  for (const field of ENDPOINT_FIELDS) {
    const value = doc[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') fail(`${field} is not a string`);
    try {
      endpointUrl(value as string, field);
    } catch {
      fail(`${field} is not an absolute http(s) URL`);
    }
    metadata[field] = value as string;
  }
  for (const field of LIST_FIELDS) {
    const value = doc[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(`${field} is not a list of strings`);
    metadata[field] = [...(value as string[])];
  }
  if (doc.authorization_response_iss_parameter_supported === true) metadata.authorization_response_iss_parameter_supported = true;
  return metadata;
}

export async function discoverAuthorizationServer(issuer: string, opts: DiscoveryOptions = {}): Promise<AuthServerMetadata> {
  let issuerUrl: URL;
  try {
    issuerUrl = endpointUrl(issuer, 'issuer');
  } catch (err) {
    throw new OAuthDiscoveryFailed((err as Error).message);
  }
  if (issuerUrl.search || issuerUrl.hash) throw new OAuthDiscoveryFailed('The issuer must not have a query or a fragment (RFC 8414 §2).');

  const misses: string[] = [];
  for (const candidate of metadataUrls(issuerUrl.href, opts.openidFallback ?? true)) {
    const url = new URL(candidate);
    let answer;
    try {
      answer = await sendOAuthRequest(url, { method: 'GET', headers: { accept: 'application/json' } }, opts);
    } catch (err) {
      const reason = err instanceof OAuthRequestFailed ? err.message : 'the request failed.';
      throw new OAuthDiscoveryFailed(`Could not discover the authorization server for ${issuerUrl.href}: ${reason}`, { cause: err });
    }
    if (answer.status >= 500) {
      throw new OAuthDiscoveryFailed(
        `Could not discover the authorization server for ${issuerUrl.href}: ${describeEndpoint(url)} answered ${answer.status}.`,
      );
    }
    if (answer.status !== 200) {
      misses.push(`${describeEndpoint(url)} answered ${answer.status}`);
      continue;
    }
    const doc = parseJsonObject(answer.text);
    if (!doc) {
      misses.push(`${describeEndpoint(url)} answered 200 but not with a JSON object`);
      continue;
    }
    return readMetadata(doc, issuer, describeEndpoint(url));
  }
  throw new OAuthDiscoveryFailed(`No authorization server metadata found for ${issuerUrl.href}: ${misses.join('; ')}.`);
}
