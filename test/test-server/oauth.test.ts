import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { start } from './fixtures/helper.js';
import { testClock } from '../helpers/clock.js';
import {
  REDIRECT_URI,
  answerConsent,
  authorizeUrl,
  bearer,
  codeFlowTokens,
  hiddenFields,
  pkce,
  postForm,
  register,
} from './fixtures/oauth-flow.js';

t.test('RFC 8414 metadata at /.well-known/oauth-authorization-server, nothing at the OpenID path', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
  t.equal(res.status, 200);
  t.same(await res.json(), {
    issuer: server.url,
    authorization_endpoint: `${server.url}/authorize`,
    token_endpoint: `${server.url}/token`,
    registration_endpoint: `${server.url}/register`,
    revocation_endpoint: `${server.url}/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: ['items:read', 'items:write'],
    authorization_response_iss_parameter_supported: true,
  });
  t.equal((await fetch(`${server.url}/.well-known/openid-configuration`)).status, 404);
  t.equal(server.oauth?.metadataUrl, `${server.url}/.well-known/oauth-authorization-server`);
  t.equal(server.oauth?.issuer, server.url);
});

t.test('--discovery openid: metadata only at /.well-known/openid-configuration', async (t) => {
  const server = await start(t, { mode: 'oauth', discovery: 'openid' });
  t.equal((await fetch(`${server.url}/.well-known/oauth-authorization-server`)).status, 404);
  const res = await fetch(`${server.url}/.well-known/openid-configuration`);
  t.equal(res.status, 200);
  t.match(await res.json(), { issuer: server.url, token_endpoint: `${server.url}/token`, subject_types_supported: ['public'] });
  t.equal(server.oauth?.metadataUrl, `${server.url}/.well-known/openid-configuration`);
});

t.test('other modes have no OAuth endpoints', async (t) => {
  const server = await start(t, { mode: 'bearer' });
  t.equal(server.oauth, undefined);
  for (const path of ['/.well-known/oauth-authorization-server', '/token', '/authorize', '/__admin/revoke-refresh-tokens']) {
    t.equal(
      (await fetch(`${server.url}${path}`, { method: path === '/authorize' || path.startsWith('/.well') ? 'GET' : 'POST' })).status,
      404,
      path,
    );
  }
});

t.test('the API needs a valid bearer token: MISSING_TOKEN, INVALID_TOKEN, then 200', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const missing = await fetch(`${server.url}/api/items`);
  t.equal(missing.status, 401);
  t.same(await missing.json(), { error: 'MISSING_TOKEN' });
  t.equal(missing.headers.get('www-authenticate'), 'Bearer realm="latchkey-test-server"', 'no error code when no token was sent');

  for (const authorization of [
    'Bearer at_nope',
    `Basic ${Buffer.from('a:b').toString('base64')}`,
    `Bearer ${server.oauth?.clientSecret}`,
  ]) {
    const res = await fetch(`${server.url}/api/items`, { headers: { authorization } });
    t.equal(res.status, 401, authorization);
    t.same(await res.json(), { error: 'INVALID_TOKEN' });
    t.match(res.headers.get('www-authenticate'), /error="invalid_token"/);
  }
  const { tokens } = await codeFlowTokens(server);
  const ok = await bearer(server, '/api/items', tokens.access_token as string);
  t.equal(ok.status, 200);
});

t.test('expiry: with a 1 s TTL the token answers TOKEN_EXPIRED afterwards', async (t) => {
  const clock = testClock();
  const server = await start(t, { mode: 'oauth', tokenTtlSeconds: 1, now: clock.now });
  const { clientId, clientSecret } = server.oauth!;
  const issued = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { clientId, clientSecret });
  t.equal(issued.status, 200);
  t.equal(issued.body.expires_in, 1);
  const token = issued.body.access_token as string;
  t.equal((await bearer(server, '/api/users', token)).status, 200, 'valid at first');
  clock.advance(1100);
  const expired = await bearer(server, '/api/users', token);
  t.equal(expired.status, 401);
  t.same(await expired.json(), { error: 'TOKEN_EXPIRED' });
  t.equal(
    expired.headers.get('www-authenticate'),
    'Bearer realm="latchkey-test-server", error="invalid_token", error_description="The access token expired"',
  );
});

t.test('dynamic client registration (RFC 7591)', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const confidential = await register(server, {
    redirect_uris: [REDIRECT_URI],
    client_name: 'Latchkey',
    token_endpoint_auth_method: 'client_secret_post',
  });
  t.match(confidential, {
    client_id: /^dcr_/,
    client_secret: /^dcs_/,
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: [REDIRECT_URI],
    client_name: 'Latchkey',
  });
  const defaulted = await register(server, { redirect_uris: [REDIRECT_URI] });
  t.equal(defaulted.token_endpoint_auth_method, 'client_secret_basic', 'client_secret_basic by default');
  const publicClient = await register(server, { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
  t.equal(publicClient.client_secret, undefined, 'a public client gets no secret');
  t.not(confidential.client_id, defaulted.client_id);

  const refusals: Array<[unknown, string]> = [
    [{ client_name: 'no uris' }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['not a url'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['ftp://x/cb'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['http://x/cb#frag'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
    [{ redirect_uris: [REDIRECT_URI], grant_types: ['implicit'] }, 'invalid_client_metadata'],
    [{ token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    ['[1]', 'invalid_client_metadata'],
  ];
  for (const [body, error] of refusals) {
    const res = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    t.equal(res.status, 400, JSON.stringify(body));
    t.match(await res.json(), { error, error_description: String }, JSON.stringify(body));
  }
  const machine = await register(server, { grant_types: ['client_credentials'] });
  t.ok(machine.client_secret, 'a client_credentials-only client needs no redirect URIs');
  t.equal(server.stats().registrations, 4);
});

t.test('the approve page: a form with Approve and Deny; Deny answers access_denied with the state', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const client = await register(server, { redirect_uris: [REDIRECT_URI], client_name: 'Gate <b>way</b>' });
  const { challenge } = pkce();
  const url = authorizeUrl(server, {
    clientId: client.client_id,
    redirectUri: REDIRECT_URI,
    challenge,
    state: 'st"ate&1',
    scope: 'items:read',
  });
  const res = await fetch(url);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/html/);
  const html = await res.text();
  t.match(html, /<form method="post" action="\/authorize">/);
  t.match(html, /<button type="submit" name="decision" value="approve">Approve<\/button>/);
  t.match(html, /<button type="submit" name="decision" value="deny">Deny<\/button>/);
  t.match(html, /Gate &lt;b&gt;way&lt;\/b&gt;/, 'the client name is escaped');
  t.notMatch(html, /<b>way/);
  t.match(html, /items:read/);
  t.same(new Map(hiddenFields(html)).get('state'), 'st"ate&1', 'the state survives the round trip through HTML');

  const denied = await answerConsent(url, 'deny');
  t.equal(denied.status, 302);
  t.equal(denied.location?.origin + (denied.location?.pathname ?? ''), REDIRECT_URI);
  t.equal(denied.location?.searchParams.get('error'), 'access_denied');
  t.equal(denied.location?.searchParams.get('state'), 'st"ate&1');
  t.equal(denied.location?.searchParams.get('code'), null);
  t.equal(server.stats().authorizationCodesIssued, 0);
});

t.test('authorize refuses bad requests: on a page when the client or redirect is wrong, by redirect otherwise', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const client = await register(server, { redirect_uris: [REDIRECT_URI] });
  const { challenge } = pkce();

  for (const [label, params] of [
    ['unknown client', { clientId: 'nope', redirectUri: REDIRECT_URI, challenge }],
    ['unregistered redirect_uri', { clientId: client.client_id, redirectUri: `${REDIRECT_URI}/other`, challenge }],
    ['redirect_uri differing only by a query', { clientId: client.client_id, redirectUri: `${REDIRECT_URI}?x=1`, challenge }],
  ] as const) {
    const res = await fetch(authorizeUrl(server, params), { redirect: 'manual' });
    t.equal(res.status, 400, label);
    t.equal(res.headers.get('location'), null, `${label}: no redirect`);
    t.match(await res.text(), /Authorization failed/);
  }

  const cases: Array<[string, Parameters<typeof authorizeUrl>[1], string, RegExp]> = [
    ['no PKCE', { clientId: client.client_id, redirectUri: REDIRECT_URI, state: 'x' }, 'invalid_request', /PKCE/],
    [
      'plain PKCE',
      {
        clientId: client.client_id,
        redirectUri: REDIRECT_URI,
        state: 'x',
        extra: { code_challenge: challenge, code_challenge_method: 'plain' },
      },
      'invalid_request',
      /S256/,
    ],
    ['short challenge', { clientId: client.client_id, redirectUri: REDIRECT_URI, state: 'x', challenge: 'abc' }, 'invalid_request', /43/],
    [
      'response_type token',
      { clientId: client.client_id, redirectUri: REDIRECT_URI, state: 'x', challenge, extra: { response_type: 'token' } },
      'unsupported_response_type',
      /code/,
    ],
    [
      'unknown scope',
      { clientId: client.client_id, redirectUri: REDIRECT_URI, state: 'x', challenge, scope: 'items:read admin' },
      'invalid_scope',
      /admin/,
    ],
  ];
  for (const [label, params, error, description] of cases) {
    const res = await fetch(authorizeUrl(server, params), { redirect: 'manual' });
    t.equal(res.status, 302, label);
    const location = new URL(res.headers.get('location') ?? '');
    t.equal(location.searchParams.get('error'), error, label);
    t.match(location.searchParams.get('error_description'), description, label);
    t.equal(location.searchParams.get('state'), 'x', `${label}: state passed through`);
    t.equal(location.searchParams.get('iss'), server.url, `${label}: iss (RFC 9207)`);
  }
});

t.test('code flow: a wrong PKCE verifier is invalid_grant and burns the code; the right one gets tokens', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const client = await register(server, { redirect_uris: [REDIRECT_URI] });
  const auth = { clientId: client.client_id, clientSecret: client.client_secret ?? '' };
  const { verifier, challenge } = pkce();

  const first = await answerConsent(
    authorizeUrl(server, { clientId: client.client_id, redirectUri: REDIRECT_URI, challenge, state: 'abc' }),
  );
  t.equal(first.status, 302);
  t.equal(first.location?.searchParams.get('state'), 'abc');
  t.equal(first.location?.searchParams.get('iss'), server.url);
  const code = first.location?.searchParams.get('code') ?? '';
  t.match(code, /^ac_/);

  const wrong = await postForm(
    `${server.url}/token`,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier },
    auth,
  );
  t.equal(wrong.status, 400);
  t.same(wrong.body, {
    error: 'invalid_grant',
    error_description: 'PKCE verification failed: code_verifier does not match the code_challenge (S256).',
  });
  const retried = await postForm(
    `${server.url}/token`,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
    auth,
  );
  t.match(retried.body, { error: 'invalid_grant', error_description: /already used/ }, 'codes are single-use, failed attempts included');

  const second = await answerConsent(
    authorizeUrl(server, { clientId: client.client_id, redirectUri: REDIRECT_URI, challenge, state: 'def', scope: 'items:read' }),
  );
  const code2 = second.location?.searchParams.get('code') ?? '';
  const missingVerifier = await postForm(
    `${server.url}/token`,
    { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT_URI },
    auth,
  );
  t.match(missingVerifier.body, { error: 'invalid_request', error_description: /code_verifier/ });
  const ok = await postForm(
    `${server.url}/token`,
    { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT_URI, code_verifier: verifier },
    auth,
  );
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('cache-control'), 'no-store');
  t.match(ok.body, { access_token: /^at_/, refresh_token: /^rt_/, token_type: 'Bearer', expires_in: 3600, scope: 'items:read' });
  t.equal((await bearer(server, '/api/items', ok.body.access_token as string)).status, 200);
  t.match(server.stats(), { authorizationCodesIssued: 2, tokensIssued: 1 });
});

t.test('code flow: redirect_uri must match and a code works once; reuse revokes what it produced', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const client = await register(server, { redirect_uris: [REDIRECT_URI] });
  const auth = { clientId: client.client_id, clientSecret: client.client_secret ?? '' };
  const { verifier, challenge } = pkce();
  const codeFor = async (): Promise<string> =>
    (
      await answerConsent(authorizeUrl(server, { clientId: client.client_id, redirectUri: REDIRECT_URI, challenge }))
    ).location?.searchParams.get('code') ?? '';

  const mismatch = await postForm(
    `${server.url}/token`,
    { grant_type: 'authorization_code', code: await codeFor(), redirect_uri: `${REDIRECT_URI}x`, code_verifier: verifier },
    auth,
  );
  t.match(mismatch.body, { error: 'invalid_grant', error_description: /redirect_uri/ });

  const code = await codeFor();
  const exchange = (): ReturnType<typeof postForm> =>
    postForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, auth);
  const ok = await exchange();
  t.equal(ok.status, 200);
  const again = await exchange();
  t.match(again.body, { error: 'invalid_grant', error_description: /already used/ });
  t.equal((await bearer(server, '/api/items', ok.body.access_token as string)).status, 401, 'the first exchange’s access token is revoked');
  const refreshed = await postForm(
    `${server.url}/token`,
    { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token as string },
    auth,
  );
  t.equal(refreshed.body.error, 'invalid_grant', 'and so is its refresh token');
});

t.test('refresh rotates the refresh token; reusing the old one is refused and revokes the grant', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const { client, tokens } = await codeFlowTokens(server);
  const auth = { clientId: client.client_id, clientSecret: client.client_secret ?? '' };
  const refresh = (token: string, extra: Record<string, string> = {}): ReturnType<typeof postForm> =>
    postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: token, ...extra }, auth);

  const rotated = await refresh(tokens.refresh_token as string);
  t.equal(rotated.status, 200);
  t.match(rotated.body, { access_token: /^at_/, refresh_token: /^rt_/, scope: 'items:read items:write' });
  t.not(rotated.body.refresh_token, tokens.refresh_token, 'a new refresh token');
  t.not(rotated.body.access_token, tokens.access_token, 'a new access token');
  t.equal((await bearer(server, '/api/items', rotated.body.access_token as string)).status, 200);

  const narrowed = await refresh(rotated.body.refresh_token as string, { scope: 'items:read' });
  t.equal(narrowed.body.scope, 'items:read', 'a refresh may narrow the scope');
  const widened = await refresh(narrowed.body.refresh_token as string, { scope: 'items:read items:write' });
  t.equal(widened.body.error, 'invalid_scope', 'but not widen it');

  const reused = await refresh(tokens.refresh_token as string);
  t.equal(reused.status, 400);
  t.match(reused.body, { error: 'invalid_grant', error_description: /already used/ });
  const latest = await refresh(narrowed.body.refresh_token as string);
  t.equal(latest.body.error, 'invalid_grant', 'reuse revoked the newest refresh token of the grant too');
  t.equal((await bearer(server, '/api/items', narrowed.body.access_token as string)).status, 401, 'and its access tokens');

  const other = await register(server, { redirect_uris: [REDIRECT_URI] });
  const { tokens: fresh } = await codeFlowTokens(server);
  const stolen = await postForm(
    `${server.url}/token`,
    { grant_type: 'refresh_token', refresh_token: fresh.refresh_token as string },
    { clientId: other.client_id, clientSecret: other.client_secret ?? '' },
  );
  t.match(stolen.body, { error: 'invalid_grant', error_description: /another client/ });
  t.match(server.stats(), { refreshes: 2, refreshFailures: 4 });
});

t.test('client_credentials with the pre-registered client, Basic or body; no refresh token', async (t) => {
  const server = await start(t, { mode: 'oauth', clientId: 'svc-1', clientSecret: 'sec:ret+1' });
  t.match(server.oauth, { clientId: 'svc-1', clientSecret: 'sec:ret+1' });
  const auth = { clientId: 'svc-1', clientSecret: 'sec:ret+1' };
  const viaBasic = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', scope: 'items:read' }, auth);
  t.equal(viaBasic.status, 200, 'Basic with form-encoded credentials (":" and "+" in the secret)');
  t.match(viaBasic.body, { access_token: /^at_/, token_type: 'Bearer', scope: 'items:read' });
  t.notOk('refresh_token' in viaBasic.body, 'no refresh token for client_credentials');
  t.equal((await bearer(server, '/api/users', viaBasic.body.access_token as string)).status, 200);

  const viaPost = await postForm(`${server.url}/token`, {
    grant_type: 'client_credentials',
    client_id: 'svc-1',
    client_secret: 'sec:ret+1',
  });
  t.equal(viaPost.status, 200);
  t.equal(viaPost.body.scope, 'items:read items:write', 'every scope when none is asked for');

  const wrong = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { clientId: 'svc-1', clientSecret: 'nope' });
  t.equal(wrong.status, 401);
  t.equal(wrong.body.error, 'invalid_client');
  t.match(wrong.headers.get('www-authenticate'), /^Basic /);
  const both = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_secret: 'sec:ret+1' }, auth);
  t.equal(both.body.error, 'invalid_request', 'two authentication methods at once');
  const noSecret = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: 'svc-1' });
  t.equal(noSecret.body.error, 'invalid_client', 'a confidential client must authenticate');
  const badScope = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', scope: 'root' }, auth);
  t.equal(badScope.body.error, 'invalid_scope');
  const badGrant = await postForm(`${server.url}/token`, { grant_type: 'password' }, auth);
  t.equal(badGrant.body.error, 'unsupported_grant_type');

  const publicClient = await register(server, { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
  const publicCc = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: publicClient.client_id });
  t.equal(publicCc.body.error, 'unauthorized_client');
  t.equal(server.stats().tokensIssued, 2);
});

t.test('the token endpoint wants a form, each parameter once', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const json = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"grant_type":"client_credentials"}',
  });
  t.equal(json.status, 400);
  t.match(await json.json(), { error: 'invalid_request', error_description: /x-www-form-urlencoded/ });
  const twice = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&grant_type=client_credentials',
  });
  t.match(await twice.json(), { error: 'invalid_request', error_description: /more than once/ });
  const get = await fetch(`${server.url}/token`);
  t.equal(get.status, 405);
});

t.test('a public client uses the code flow with its client_id alone', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const client = await register(server, { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
  const { verifier, challenge } = pkce();
  const answer = await answerConsent(authorizeUrl(server, { clientId: client.client_id, redirectUri: REDIRECT_URI, challenge }));
  const code = answer.location?.searchParams.get('code') ?? '';
  const tokens = await postForm(`${server.url}/token`, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    client_id: client.client_id,
  });
  t.equal(tokens.status, 200);
  const refreshed = await postForm(`${server.url}/token`, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token as string,
    client_id: client.client_id,
  });
  t.equal(refreshed.status, 200);
});

t.test('tokenEndpointAuthMethods narrows what /token accepts and what the metadata says', async (t) => {
  const server = await start(t, { mode: 'oauth', tokenEndpointAuthMethods: ['client_secret_post'] });
  const metadata = (await (await fetch(server.oauth!.metadataUrl)).json()) as Record<string, unknown>;
  t.same(metadata.token_endpoint_auth_methods_supported, ['client_secret_post']);
  const { clientId, clientSecret } = server.oauth!;
  const viaBasic = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { clientId, clientSecret });
  t.equal(viaBasic.status, 401);
  t.match(viaBasic.body, { error: 'invalid_client', error_description: /client_secret_basic/ });
  const viaPost = await postForm(`${server.url}/token`, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
  });
  t.equal(viaPost.status, 200);
});

t.test('POST /__admin/revoke-refresh-tokens: refreshes fail, access tokens live on', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const { client, tokens } = await codeFlowTokens(server);
  const res = await fetch(`${server.url}/__admin/revoke-refresh-tokens`, { method: 'POST' });
  t.equal(res.status, 200);
  t.same(await res.json(), { revoked: 1 });
  const refreshed = await postForm(
    `${server.url}/token`,
    { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
    { clientId: client.client_id, clientSecret: client.client_secret ?? '' },
  );
  t.match(refreshed.body, { error: 'invalid_grant', error_description: /unknown or revoked/ });
  t.equal((await bearer(server, '/api/items', tokens.access_token as string)).status, 200, 'the access token still works until it expires');
  t.equal(server.oauth?.revokeRefreshTokens(), 0, 'the handle does the same');
  t.match(server.stats(), { refreshes: 0, refreshFailures: 1 });
});

t.test('POST /__admin/expire-access-tokens: the next call answers TOKEN_EXPIRED', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const { tokens } = await codeFlowTokens(server);
  t.same(await (await fetch(`${server.url}/__admin/expire-access-tokens`, { method: 'POST' })).json(), { expired: 1 });
  const res = await bearer(server, '/api/items', tokens.access_token as string);
  t.same(await res.json(), { error: 'TOKEN_EXPIRED' });
  t.equal(server.oauth?.expireAccessTokens(), 0);
});

t.test('/revoke (RFC 7009): access tokens alone, refresh tokens with their grant; unknown tokens get 200', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const { client, tokens } = await codeFlowTokens(server);
  const auth = { clientId: client.client_id, clientSecret: client.client_secret ?? '' };
  const revokeAccess = await postForm(
    `${server.url}/revoke`,
    { token: tokens.access_token as string, token_type_hint: 'access_token' },
    auth,
  );
  t.equal(revokeAccess.status, 200);
  t.same(await (await bearer(server, '/api/items', tokens.access_token as string)).json(), { error: 'INVALID_TOKEN' });
  const stillRefreshes = await postForm(
    `${server.url}/token`,
    { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
    auth,
  );
  t.equal(stillRefreshes.status, 200, 'revoking an access token leaves the refresh token');

  t.equal((await postForm(`${server.url}/revoke`, { token: stillRefreshes.body.refresh_token as string }, auth)).status, 200);
  t.equal(
    (await bearer(server, '/api/items', stillRefreshes.body.access_token as string)).status,
    401,
    'revoking the refresh token ends the grant',
  );
  const after = await postForm(
    `${server.url}/token`,
    { grant_type: 'refresh_token', refresh_token: stillRefreshes.body.refresh_token as string },
    auth,
  );
  t.equal(after.body.error, 'invalid_grant');

  t.equal((await postForm(`${server.url}/revoke`, { token: 'rt_unknown' }, auth)).status, 200, 'unknown token: 200 all the same');
  t.equal(
    (await postForm(`${server.url}/revoke`, { token: 'x' }, { ...auth, clientSecret: 'wrong' })).status,
    401,
    'the client must authenticate',
  );
  t.equal(server.stats().revocations, 2);
});

t.test('/__stats counts API requests, tokens, refreshes, codes and registrations', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const { client, tokens } = await codeFlowTokens(server);
  await postForm(
    `${server.url}/token`,
    { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
    { clientId: client.client_id, clientSecret: client.client_secret ?? '' },
  );
  await bearer(server, '/api/items', tokens.access_token as string);
  await fetch(`${server.url}/api/items`);
  const expected = {
    requests: 2,
    tokensIssued: 2,
    refreshes: 1,
    refreshFailures: 0,
    authorizationCodesIssued: 1,
    registrations: 1,
    revocations: 0,
  };
  t.same(await (await fetch(`${server.url}/__stats`)).json(), expected);
  t.same(server.stats(), expected);
  t.same(server.oauth?.stats(), expected);
});

t.test('the pre-registered client takes any http(s) redirect URI, unless redirectUris pins them', async (t) => {
  const open = await start(t, { mode: 'oauth' });
  const { challenge } = pkce();
  const answer = await answerConsent(
    authorizeUrl(open, { clientId: open.oauth!.clientId, redirectUri: 'http://localhost:8080/oauth/callback', challenge }),
  );
  t.match(answer.location?.href, /^http:\/\/localhost:8080\/oauth\/callback\?code=/);

  const pinned = await start(t, { mode: 'oauth', redirectUris: ['http://localhost:8080/cb'] });
  const refused = await fetch(
    authorizeUrl(pinned, { clientId: pinned.oauth!.clientId, redirectUri: 'http://localhost:8080/other', challenge }),
    { redirect: 'manual' },
  );
  t.equal(refused.status, 400);
});

t.test('oauth options are checked at start', async (t) => {
  await t.rejects(startTestServer({ mode: 'oauth', tokenTtlSeconds: 0 }), /tokenTtlSeconds/);
  await t.rejects(startTestServer({ mode: 'oauth', tokenTtlSeconds: 1.5 }), /tokenTtlSeconds/);
  await t.rejects(startTestServer({ mode: 'oauth', clientSecret: 'has space' }), /clientSecret/);
  await t.rejects(startTestServer({ mode: 'oauth', discovery: 'oidc' as 'openid' }), /discovery/);
  await t.rejects(startTestServer({ mode: 'oauth', tokenEndpointAuthMethods: [] }), /tokenEndpointAuthMethods/);
  const server = await start(t, { mode: 'oauth' });
  t.equal(server.key, '', 'no static key in mode oauth');
  t.match(server.oauth, { clientId: /^ts_client_/, clientSecret: /^ts_/, tokenTtlSeconds: 3600, discovery: 'oauth' });
});
