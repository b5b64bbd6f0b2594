import t from 'tap';
import {
  basicClientAuthorization,
  chooseTokenEndpointAuthMethod,
  clientCredentialsToken,
  exchangeCode,
  OAuthRequestFailed,
  OAuthTokenError,
  refreshTokens,
  revokeToken,
} from '../../../server/modules/oauth/index.js';
import { CLIENT_SECRET, SECRET_MARKER, assertNoSecrets, connect, json, startOAuthServer, startStub, thrown } from './fixtures/setup.js';

t.test('clientCredentialsToken with the pre-registered client: Basic by default, the body on request', async (t) => {
  const { metadata, server, clientId, clientSecret } = await startOAuthServer(t);
  const viaBasic = await clientCredentialsToken({ tokenEndpoint: metadata.token_endpoint, clientId, clientSecret, scopes: ['items:read'] });
  t.match(viaBasic, { accessToken: /^at_/, tokenType: 'Bearer', scope: 'items:read' });
  t.notOk('refreshToken' in viaBasic, 'no refresh token for client_credentials');
  const api = await fetch(`${server.url}/api/users`, { headers: { authorization: `Bearer ${viaBasic.accessToken}` } });
  t.equal(api.status, 200);

  const viaPost = await clientCredentialsToken({
    tokenEndpoint: metadata.token_endpoint,
    clientId,
    clientSecret,
    authMethod: 'client_secret_post',
  });
  t.equal(viaPost.scope, 'items:read items:write');
  t.equal(server.stats().tokensIssued, 2);
});

t.test('chooseTokenEndpointAuthMethod falls back to client_secret_post when the metadata allows only that', async (t) => {
  t.equal(chooseTokenEndpointAuthMethod(undefined, true), 'client_secret_basic', 'RFC 8414 default');
  t.equal(chooseTokenEndpointAuthMethod(['client_secret_post', 'client_secret_basic'], true), 'client_secret_basic');
  t.equal(chooseTokenEndpointAuthMethod(['client_secret_post'], true), 'client_secret_post');
  t.equal(chooseTokenEndpointAuthMethod(['private_key_jwt'], true), 'client_secret_basic');
  t.equal(chooseTokenEndpointAuthMethod(['client_secret_basic'], false), 'none');

  const { metadata, clientId, clientSecret } = await startOAuthServer(t, { tokenEndpointAuthMethods: ['client_secret_post'] });
  const method = chooseTokenEndpointAuthMethod(metadata.token_endpoint_auth_methods_supported, true);
  t.equal(method, 'client_secret_post');
  const tokens = await clientCredentialsToken({ tokenEndpoint: metadata.token_endpoint, clientId, clientSecret, authMethod: method });
  t.match(tokens, { accessToken: /^at_/ });

  const basic = await thrown(() => clientCredentialsToken({ tokenEndpoint: metadata.token_endpoint, clientId, clientSecret }));
  t.match(basic, { error: 'invalid_client', status: 401 }, 'Basic is refused there, as the metadata said');
  assertNoSecrets(t, basic, [clientSecret], 'basic refused');
});

t.test('a wrong client secret: invalid_client, and the secret is nowhere in the message', async (t) => {
  const { metadata, clientId } = await startOAuthServer(t);
  const wrong = `wrong-${SECRET_MARKER}`;
  for (const authMethod of ['client_secret_basic', 'client_secret_post'] as const) {
    const error = await thrown(() =>
      clientCredentialsToken({ tokenEndpoint: metadata.token_endpoint, clientId, clientSecret: wrong, authMethod }),
    );
    t.type(error, OAuthTokenError);
    t.match(error, { error: 'invalid_client', status: 401, message: /refused the client credentials request: invalid_client/ });
    assertNoSecrets(t, error, [wrong, CLIENT_SECRET], authMethod);
  }
});

t.test('Basic client authentication form-encodes both parts (RFC 6749 §2.3.1)', async (t) => {
  t.equal(basicClientAuthorization('a:b', 'c d+e'), `Basic ${Buffer.from('a%3Ab:c+d%2Be').toString('base64')}`);
  const { metadata } = await startOAuthServer(t, { clientId: 'svc:1', clientSecret: `s+${SECRET_MARKER}:/=` });
  const tokens = await clientCredentialsToken({
    tokenEndpoint: metadata.token_endpoint,
    clientId: 'svc:1',
    clientSecret: `s+${SECRET_MARKER}:/=`,
  });
  t.match(tokens, { accessToken: /^at_/ }, 'the server decodes them back');
});

t.test('revokeToken: an access token stops working; a refresh token ends the grant', async (t) => {
  const fixture = await startOAuthServer(t);
  const { client, tokens } = await connect(fixture);
  const endpoint = fixture.metadata.revocation_endpoint ?? '';
  const auth = { clientId: client.clientId, clientSecret: client.clientSecret };
  await revokeToken({ revocationEndpoint: endpoint, token: tokens.accessToken, tokenTypeHint: 'access_token', ...auth });
  const api = await fetch(`${fixture.server.url}/api/items`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.equal(api.status, 401);

  await revokeToken({ revocationEndpoint: endpoint, token: tokens.refreshToken ?? '', tokenTypeHint: 'refresh_token', ...auth });
  const refused = await thrown(() =>
    refreshTokens({ tokenEndpoint: fixture.metadata.token_endpoint, refreshToken: tokens.refreshToken ?? '', ...auth }),
  );
  t.match(refused, { error: 'invalid_grant' });
  t.equal(fixture.server.stats().revocations, 2);

  const badAuth = await thrown(() =>
    revokeToken({ revocationEndpoint: endpoint, token: 'x', clientId: client.clientId, clientSecret: `bad-${SECRET_MARKER}` }),
  );
  t.match(badAuth, { error: 'invalid_client' });
  assertNoSecrets(t, badAuth, [client.clientSecret], 'revoke with a wrong secret');
});

t.test('revokeToken ignores unsupported_token_type', async (t) => {
  const stub = await startStub(t, (_req, res) => json(res, 400, { error: 'unsupported_token_type' }));
  await revokeToken({ revocationEndpoint: `${stub.url}/revoke`, token: 'rt_1', clientId: 'c', clientSecret: CLIENT_SECRET });
  t.equal(stub.requests.length, 1);
  t.equal(new URLSearchParams(stub.requests[0].body).get('token'), 'rt_1');
  t.match(stub.requests[0].headers.authorization, /^Basic /);
});

t.test('a server echoing secrets in error_description gets them masked', async (t) => {
  const stub = await startStub(t, (_req, res, body) =>
    json(res, 400, { error: 'invalid_grant', error_description: `bad request: ${body}` }),
  );
  const code = `code-${SECRET_MARKER}-1`;
  const verifier = `verifier-${SECRET_MARKER}-${'v'.repeat(40)}`;
  const error = await thrown(() =>
    exchangeCode({
      tokenEndpoint: `${stub.url}/token`,
      clientId: 'c',
      clientSecret: CLIENT_SECRET,
      authMethod: 'client_secret_post',
      code,
      redirectUri: 'http://x/cb',
      codeVerifier: verifier,
    }),
  );
  t.type(error, OAuthTokenError);
  t.match((error as OAuthTokenError).errorDescription, /\*\*\*/);
  assertNoSecrets(t, error, [code, verifier, CLIENT_SECRET], 'echoed body');
  t.notOk((error as OAuthTokenError).errorDescription?.includes(SECRET_MARKER), 'errorDescription is masked too');

  const refresh = `rt-${SECRET_MARKER}`;
  const echoedInCode = await startStub(t, (_req, res) => json(res, 400, { error: refresh }));
  const weird = await thrown(() => refreshTokens({ tokenEndpoint: `${echoedInCode.url}/token`, clientId: 'c', refreshToken: refresh }));
  t.type(weird, OAuthRequestFailed, 'an error code carrying a secret is not repeated');
  assertNoSecrets(t, weird, [refresh], 'echoed in error');
});

t.test('answers that are not OAuth: 5xx, redirects, non-JSON, other token types, timeouts', async (t) => {
  const cases: Array<[(res: import('node:http').ServerResponse) => void, RegExp, string]> = [
    [(res) => json(res, 503, { error: 'temporarily_unavailable' }), /answered the client credentials request with 503/, 'HTTP_503'],
    [
      (res) => (res.writeHead(302, { location: 'https://elsewhere.example.com/token' }), res.end()),
      /a redirect; token requests are not redirected/,
      'HTTP_302',
    ],
    [
      (res) => (res.writeHead(200, { 'content-type': 'text/html' }), res.end('<html>')),
      /answered 200 but not with a JSON object/,
      'INVALID_RESPONSE',
    ],
    [(res) => json(res, 200, { token_type: 'Bearer' }), /without an access_token/, 'INVALID_RESPONSE'],
    [
      (res) => json(res, 200, { access_token: 'a', token_type: 'mac' }),
      /token_type "mac", and only Bearer is supported/,
      'INVALID_RESPONSE',
    ],
  ];
  for (const [answer, message, reason] of cases) {
    const stub = await startStub(t, (_req, res) => answer(res));
    const error = await thrown(() =>
      clientCredentialsToken({ tokenEndpoint: `${stub.url}/token`, clientId: 'c', clientSecret: CLIENT_SECRET }),
    );
    t.type(error, OAuthRequestFailed, reason);
    t.match(error, { message, reason, code: 'LK_OAUTH_REQUEST_FAILED' });
    assertNoSecrets(t, error, [CLIENT_SECRET], reason);
  }
  const slow = await startStub(t, () => {
    // never answers
  });
  const timeout = await thrown(() =>
    clientCredentialsToken({ tokenEndpoint: `${slow.url}/token`, clientId: 'c', clientSecret: CLIENT_SECRET }, { timeoutMs: 150 }),
  );
  t.match(timeout, { reason: 'TIMEOUT', message: /did not answer within 150 ms/ });
});

t.test('lenient parsing where providers differ: string expires_in, lower-case bearer, form-encoded answers', async (t) => {
  const stub = await startStub(t, (req, res) => {
    if (req.url === '/form') {
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
      res.end('access_token=gho_1&token_type=bearer&scope=repo');
      return;
    }
    json(res, 200, { access_token: 'a1', token_type: 'bearer', expires_in: '120' });
  });
  const now = () => 1_000_000;
  const tokens = await clientCredentialsToken(
    { tokenEndpoint: `${stub.url}/json`, clientId: 'c', clientSecret: 's', scopes: ['x', 'y'] },
    { now },
  );
  t.same(
    tokens,
    { accessToken: 'a1', tokenType: 'Bearer', issuedAt: 1_000_000, expiresAt: 1_120_000, scope: 'x y' },
    'an absent scope is the requested one',
  );
  const form = await exchangeCode(
    { tokenEndpoint: `${stub.url}/form`, clientId: 'c', clientSecret: 's', code: 'c', redirectUri: 'http://x/cb', codeVerifier: 'v' },
    { now },
  );
  t.same(form, { accessToken: 'gho_1', tokenType: 'Bearer', issuedAt: 1_000_000, scope: 'repo' });
  const refreshed = await refreshTokens({ tokenEndpoint: `${stub.url}/json`, clientId: 'c', refreshToken: 'rt_keep' }, { now });
  t.equal(refreshed.refreshToken, 'rt_keep', 'a refresh answer without a refresh token keeps the old one');
  t.equal(new URLSearchParams(stub.requests.at(-1)?.body).get('client_id'), 'c', 'a public client names itself in the body');
  t.equal(stub.requests.at(-1)?.headers.authorization, undefined);
});
