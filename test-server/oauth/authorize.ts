// The authorization endpoint: GET checks the request and shows a one-click approve page; the page's
// form POSTs back here, is checked again (it could have been edited) and answers with a redirect
// carrying a code or an error. Problems with client_id or redirect_uri are shown, never redirected
// (RFC 6749 §4.1.2.1): redirecting would send the user to an address nobody vouched for.
import type { OAuthClient, OAuthState } from './state.js';
import { SUPPORTED_SCOPES, normaliseScope, unknownScope } from './state.js';

export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | null;
  scope: string;
  codeChallenge: string;
  resource: string | null;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** Shown on a page: nowhere trustworthy to redirect to. */
  | { kind: 'page'; status: number; message: string }
  /** Sent back to the client's redirect_uri as `error=…`. */
  | { kind: 'redirect'; location: string };

const CHALLENGE_S256 = /^[A-Za-z0-9_-]{43}$/;

/** `redirect_uri` with the answer's parameters added, its own query kept. */
export function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.href;
}

export function checkAuthorizationRequest(
  params: URLSearchParams,
  clients: ReadonlyMap<string, OAuthClient>,
  issuer: string,
): AuthorizeCheck {
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) return { kind: 'page', status: 400, message: `The parameter ${name} appears more than once.` };
  }
  const clientId = params.get('client_id');
  if (!clientId) return { kind: 'page', status: 400, message: 'client_id is missing.' };
  const client = clients.get(clientId);
  if (!client) return { kind: 'page', status: 400, message: 'Unknown client_id: register the client at /register first.' };
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) return { kind: 'page', status: 400, message: 'redirect_uri is missing.' };
  const registered = client.redirectUris.length === 0 ? isAbsoluteHttpUrl(redirectUri) : client.redirectUris.includes(redirectUri);
  if (!registered) return { kind: 'page', status: 400, message: 'redirect_uri is not one this client registered (the match is exact).' };

  const state = params.get('state');
  const fail = (error: string, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    location: redirectWith(redirectUri, { error, error_description: description, state, iss: issuer }),
  });
  if (params.get('response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code'))
    return fail('unauthorized_client', 'This client did not register the authorization_code grant.');
  const codeChallenge = params.get('code_challenge');
  if (!codeChallenge) return fail('invalid_request', 'code_challenge is required: this server enforces PKCE.');
  if (params.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
  if (!CHALLENGE_S256.test(codeChallenge))
    return fail('invalid_request', 'code_challenge must be the 43-character base64url SHA-256 of the verifier.');
  const scope = params.get('scope');
  const unknown = scope === null ? null : unknownScope(scope);
  if (unknown !== null) return fail('invalid_scope', `Unknown scope "${unknown}"; this server knows ${SUPPORTED_SCOPES.join(', ')}.`);
  return {
    kind: 'ok',
    request: { client, redirectUri, state, scope: normaliseScope(scope), codeChallenge, resource: params.get('resource') },
  };
}

function isAbsoluteHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '';
  } catch {
    return false;
  }
}

/** What the form's Approve or Deny button leads to. */
export function decide(request: AuthorizationRequest, approved: boolean, state: OAuthState, issuer: string): string {
  if (!approved) {
    return redirectWith(request.redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied access.',
      state: request.state,
      iss: issuer,
    });
  }
  const code = state.issueCode({
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scope: request.scope,
    ...(request.resource === null ? {} : { resource: request.resource }),
  });
  return redirectWith(request.redirectUri, { code, state: request.state, iss: issuer });
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

const PAGE_STYLE =
  'body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1.25rem;margin-right:.5rem}';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>
<body>
${body}
</body>
</html>
`;
}

/** The consent page. Every request parameter travels back in hidden fields; POST checks them again. */
export function renderApprovePage(params: URLSearchParams, request: AuthorizationRequest): string {
  const hidden = [...params]
    .filter(([name]) => name !== 'decision')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n  ');
  const clientName = request.client.clientName ?? request.client.clientId;
  const scopes = request.scope
    .split(' ')
    .map((name) => `<li><code>${escapeHtml(name)}</code></li>`)
    .join('');
  return page(
    'Authorize access',
    `<h1>Authorize ${escapeHtml(clientName)}</h1>
<p><strong>${escapeHtml(clientName)}</strong> asks for access to the Latchkey Test API with these scopes:</p>
<ul>${scopes}</ul>
<p>Approving sends you back to <code>${escapeHtml(request.redirectUri)}</code>.</p>
<form method="post" action="/authorize">
  ${hidden}
  <button type="submit" name="decision" value="approve">Approve</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function renderErrorPage(message: string): string {
  return page('Authorization failed', `<h1>Authorization failed</h1>\n<p>${escapeHtml(message)}</p>`);
}
