// Who is calling /token or /revoke (RFC 6749 §2.3): HTTP Basic, the secret in the form body, or a
// public client that only names itself. Strict where a real server is strict, so the gateway's
// client is tested against the rules rather than against leniency.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { OAuthClient, TokenEndpointAuthMethod } from './state.js';

export type ClientAuthResult =
  | { ok: true; client: OAuthClient; method: TokenEndpointAuthMethod }
  | { ok: false; status: 400 | 401; error: 'invalid_request' | 'invalid_client'; description: string; basicChallenge: boolean };

function secretEquals(candidate: string, expected: string): boolean {
  const hash = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(hash(candidate), hash(expected));
}

/** Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1), so `:` and `+` survive. */
function formDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function parseBasic(header: string): { clientId: string; clientSecret: string } | null {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  return clientId === null || clientSecret === null ? null : { clientId, clientSecret };
}

export function authenticateClient(
  headers: IncomingHttpHeaders,
  params: URLSearchParams,
  clients: ReadonlyMap<string, OAuthClient>,
  allowed: readonly TokenEndpointAuthMethod[],
): ClientAuthResult {
  const refuse = (description: string, basicChallenge = false): ClientAuthResult => ({
    ok: false,
    status: 401,
    error: 'invalid_client',
    description,
    basicChallenge,
  });

  let clientId: string | null;
  let secret: string | null;
  let method: TokenEndpointAuthMethod;
  const authorization = headers.authorization;
  if (authorization) {
    const basic = parseBasic(authorization);
    if (!basic) return refuse('The Authorization header is not valid HTTP Basic client authentication.', true);
    if (params.has('client_secret')) {
      return {
        ok: false,
        status: 400,
        error: 'invalid_request',
        description: 'Use one client authentication method, not Basic and client_secret together.',
        basicChallenge: false,
      };
    }
    const bodyId = params.get('client_id');
    if (bodyId !== null && bodyId !== basic.clientId)
      return refuse('client_id in the body differs from the one in the Authorization header.', true);
    ({ clientId, clientSecret: secret } = basic);
    method = 'client_secret_basic';
  } else {
    clientId = params.get('client_id');
    secret = params.get('client_secret');
    method = secret === null ? 'none' : 'client_secret_post';
  }

  if (!clientId) return refuse('No client authentication: send HTTP Basic, or client_id (and client_secret) in the body.', true);
  if (!allowed.includes(method)) {
    return refuse(
      `This server does not accept ${method} at the token endpoint; it accepts ${allowed.join(', ')}.`,
      method === 'client_secret_basic',
    );
  }
  const client = clients.get(clientId);
  if (!client) return refuse('Unknown client_id.', method === 'client_secret_basic');
  if (client.clientSecret === undefined) {
    if (method !== 'none') return refuse('This is a public client: it has no secret to send.', method === 'client_secret_basic');
  } else {
    if (method === 'none') return refuse('This client is confidential: authenticate with its client secret.', true);
    if (!secretEquals(secret ?? '', client.clientSecret)) return refuse('The client secret is wrong.', method === 'client_secret_basic');
  }
  return { ok: true, client, method };
}
