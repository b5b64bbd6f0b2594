import t from 'tap';
import { startTestServer } from '../../../test-server/test-server.js';
import { discoverAuthorizationServer, metadataUrls, OAuthDiscoveryFailed } from '../../../server/modules/oauth/index.js';
import { json, startStub, thrown } from './fixtures/setup.js';

t.test('RFC 8414: the test server in mode oauth', async (t) => {
  const server = await startTestServer({ mode: 'oauth' });
  t.teardown(() => server.close());
  const metadata = await discoverAuthorizationServer(server.url);
  t.same(metadata, {
    issuer: server.url,
    token_endpoint: `${server.url}/token`,
    authorization_endpoint: `${server.url}/authorize`,
    registration_endpoint: `${server.url}/register`,
    revocation_endpoint: `${server.url}/revoke`,
    scopes_supported: ['items:read', 'items:write'],
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    authorization_response_iss_parameter_supported: true,
  });
  t.same(await discoverAuthorizationServer(`${server.url}/`), metadata, 'a trailing slash on the issuer is the same issuer');
});

t.test('falls back to OpenID discovery when there is no RFC 8414 document', async (t) => {
  const server = await startTestServer({ mode: 'oauth', discovery: 'openid' });
  t.teardown(() => server.close());
  const metadata = await discoverAuthorizationServer(server.url);
  t.match(metadata, { issuer: server.url, token_endpoint: `${server.url}/token`, authorization_endpoint: `${server.url}/authorize` });

  const strict = await thrown(() => discoverAuthorizationServer(server.url, { openidFallback: false }));
  t.type(strict, OAuthDiscoveryFailed);
  t.match(strict.message, /oauth-authorization-server answered 404/);
});

t.test('no metadata anywhere: one error naming every URL tried', async (t) => {
  const server = await startTestServer({ mode: 'bearer' });
  t.teardown(() => server.close());
  const error = await thrown(() => discoverAuthorizationServer(server.url));
  t.type(error, OAuthDiscoveryFailed);
  t.equal((error as OAuthDiscoveryFailed).code, 'LK_OAUTH_DISCOVERY_FAILED');
  t.match(error.message, /No authorization server metadata found/);
  t.match(error.message, /\/\.well-known\/oauth-authorization-server answered 404/);
  t.match(error.message, /\/\.well-known\/openid-configuration answered 404/);
});

t.test('an unreachable issuer fails at once with the reason', async (t) => {
  const server = await startTestServer({ mode: 'oauth' });
  const url = server.url;
  await server.close();
  const error = await thrown(() => discoverAuthorizationServer(url));
  t.type(error, OAuthDiscoveryFailed);
  t.match(error.message, /connection was refused/);
});

t.test('metadataUrls: RFC 8414 inserts the well-known segment before the issuer path; OpenID appends it', async (t) => {
  t.same(metadataUrls('https://as.example.com'), [
    'https://as.example.com/.well-known/oauth-authorization-server',
    'https://as.example.com/.well-known/openid-configuration',
  ]);
  t.same(metadataUrls('https://as.example.com/tenant/1/'), [
    'https://as.example.com/.well-known/oauth-authorization-server/tenant/1',
    'https://as.example.com/.well-known/openid-configuration/tenant/1',
    'https://as.example.com/tenant/1/.well-known/openid-configuration',
  ]);
  t.same(metadataUrls('https://as.example.com/tenant', false), ['https://as.example.com/.well-known/oauth-authorization-server/tenant']);
});

t.test('an issuer with a path, served the RFC 8414 way', async (t) => {
  let issuer = '';
  const stub = await startStub(t, (req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server/tenant-a') json(res, 200, { issuer, token_endpoint: `${issuer}/token` });
    else json(res, 404, {});
  });
  issuer = `${stub.url}/tenant-a`;
  const metadata = await discoverAuthorizationServer(issuer);
  t.same(metadata, { issuer, token_endpoint: `${issuer}/token` });
  t.same(
    stub.requests.map((r) => r.path),
    ['/.well-known/oauth-authorization-server/tenant-a'],
  );
});

t.test('a 200 HTML page (a single-page app answering every path) is skipped; OpenID appended form is found', async (t) => {
  let issuer = '';
  const stub = await startStub(t, (req, res) => {
    if (req.url === '/auth/.well-known/openid-configuration') return json(res, 200, { issuer, token_endpoint: `${issuer}/token` });
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><div id="root"></div>');
  });
  issuer = `${stub.url}/auth`;
  const metadata = await discoverAuthorizationServer(issuer);
  t.equal(metadata.token_endpoint, `${issuer}/token`);
  t.equal(stub.requests.length, 3, 'tried the three forms in order');
});

t.test('metadata for another issuer is refused (RFC 8414 §3.3)', async (t) => {
  const stub = await startStub(t, (_req, res) =>
    json(res, 200, { issuer: 'https://evil.example.com', token_endpoint: 'https://evil.example.com/token' }),
  );
  const error = await thrown(() => discoverAuthorizationServer(stub.url));
  t.type(error, OAuthDiscoveryFailed);
  t.match(error.message, /is for issuer "https:\/\/evil\.example\.com", not/);
});

t.test('unusable documents are refused with the reason', async (t) => {
  const cases: Array<[(issuer: string) => Record<string, unknown>, RegExp]> = [
    [() => ({ token_endpoint: 'http://x/token' }), /names no issuer/],
    [(issuer) => ({ issuer }), /has no token_endpoint/],
    [(issuer) => ({ issuer, token_endpoint: 'javascript:alert(1)' }), /token_endpoint is not an absolute http\(s\) URL/],
    [(issuer) => ({ issuer, token_endpoint: `${issuer}/token`, scopes_supported: 'a b' }), /scopes_supported is not a list of strings/],
  ];
  for (const [doc, message] of cases) {
    let issuer = '';
    const stub = await startStub(t, (_req, res) => json(res, 200, doc(issuer)));
    issuer = stub.url;
    const error = await thrown(() => discoverAuthorizationServer(issuer));
    t.type(error, OAuthDiscoveryFailed);
    t.match(error.message, message);
  }
});

t.test('a server error stops discovery at once', async (t) => {
  const stub = await startStub(t, (_req, res) => json(res, 503, {}));
  const error = await thrown(() => discoverAuthorizationServer(stub.url));
  t.match(error.message, /answered 503/);
  t.equal(stub.requests.length, 1, 'no point asking the same host again');
});

t.test('a timeout and a size cap apply', async (t) => {
  const slow = await startStub(t, () => {
    // never answers
  });
  const started = Date.now();
  const timeout = await thrown(() => discoverAuthorizationServer(slow.url, { timeoutMs: 200 }));
  t.type(timeout, OAuthDiscoveryFailed);
  t.match(timeout.message, /did not answer within 200 ms/);
  t.ok(Date.now() - started < 2000, 'gave up in time');

  let issuer = '';
  const big = await startStub(t, (_req, res) => json(res, 200, { issuer, token_endpoint: `${issuer}/token`, padding: 'x'.repeat(10_000) }));
  issuer = big.url;
  const tooLarge = await thrown(() => discoverAuthorizationServer(issuer, { maxResponseBytes: 4096 }));
  t.match(tooLarge.message, /more than 4096 bytes/);
});

t.test('issuers that cannot be one are refused before any request', async (t) => {
  for (const issuer of ['not a url', 'ftp://as.example.com', 'https://as.example.com/?tenant=1', 'https://as.example.com/#x']) {
    const error = await thrown(() => discoverAuthorizationServer(issuer));
    t.type(error, OAuthDiscoveryFailed, issuer);
  }
});
