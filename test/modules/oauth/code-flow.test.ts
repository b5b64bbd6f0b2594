import { createHash } from 'node:crypto';
import t from 'tap';
import { answerConsent } from '../../test-server/fixtures/oauth-flow.js';
import {
  buildAuthorizeUrl,
  createPkcePair,
  createState,
  exchangeCode,
  OAuthAuthorizationFailed,
  OAuthRegistrationFailed,
  OAuthTokenError,
  readAuthorizationCallback,
  refreshTokens,
  registerClient,
} from '../../../server/modules/oauth/index.js';
import { REDIRECT_URI, assertNoSecrets, connect, startOAuthServer, thrown } from './fixtures/setup.js';

t.test('createPkcePair: an S256 pair within RFC 7636 limits; createState is random', async (t) => {
  const pair = createPkcePair();
  t.match(pair.verifier, /^[A-Za-z0-9_-]{43,128}$/);
  t.equal(pair.challenge, createHash('sha256').update(pair.verifier).digest('base64url'));
  t.equal(pair.method, 'S256');
  t.not(createPkcePair().verifier, pair.verifier);
  t.match(createState(), /^[A-Za-z0-9_-]{32}$/);
  t.not(createState(), createState());
});

t.test('buildAuthorizeUrl keeps the endpoint query and sets every parameter', async (t) => {
  const url = new URL(
    buildAuthorizeUrl({
      authorizationEndpoint: 'https://as.example.com/oauth/authorize?tenant=a&state=old',
      clientId: 'c 1',
      redirectUri: 'http://localhost:8080/oauth/callback',
      scopes: ['items:read', 'items:write'],
      state: 'st',
      codeChallenge: 'ch',
      resource: 'https://api.example.com',
      extraParams: { prompt: 'consent', client_id: 'ignored' },
    }),
  );
  t.equal(url.origin + url.pathname, 'https://as.example.com/oauth/authorize');
  t.same(Object.fromEntries(url.searchParams), {
    tenant: 'a',
    state: 'st',
    prompt: 'consent',
    client_id: 'c 1',
    response_type: 'code',
    redirect_uri: 'http://localhost:8080/oauth/callback',
    scope: 'items:read items:write',
    code_challenge: 'ch',
    code_challenge_method: 'S256',
    resource: 'https://api.example.com',
  });
});

t.test('registerClient (RFC 7591): confidential by default, public on request, refusals explained', async (t) => {
  const { metadata, server } = await startOAuthServer(t);
  const endpoint = metadata.registration_endpoint ?? '';
  const confidential = await registerClient(endpoint, { redirectUri: REDIRECT_URI, clientName: 'Latchkey' });
  t.match(confidential, { clientId: /^dcr_/, clientSecret: /^dcs_/, tokenEndpointAuthMethod: 'client_secret_basic' });
  t.notOk('clientSecretExpiresAt' in confidential, 'a secret that never expires has no expiry');
  const post = await registerClient(endpoint, {
    redirectUri: REDIRECT_URI,
    clientName: 'Latchkey',
    tokenEndpointAuthMethod: 'client_secret_post',
  });
  t.equal(post.tokenEndpointAuthMethod, 'client_secret_post');
  const publicClient = await registerClient(endpoint, {
    redirectUri: REDIRECT_URI,
    clientName: 'Latchkey',
    tokenEndpointAuthMethod: 'none',
  });
  t.same(Object.keys(publicClient).sort(), ['clientId', 'tokenEndpointAuthMethod']);
  t.equal(server.stats().registrations, 3);

  const refused = await thrown(() => registerClient(endpoint, { redirectUri: 'not-a-url', clientName: 'x' }));
  t.type(refused, OAuthRegistrationFailed);
  t.match(refused, { error: 'invalid_redirect_uri', code: 'LK_OAUTH_REGISTRATION_FAILED' });
  t.match(refused.message, /refused the client registration with 400: invalid_redirect_uri \(/);
  const nowhere = await thrown(() => registerClient(`${server.url}/nope`, { redirectUri: REDIRECT_URI, clientName: 'x' }));
  t.type(nowhere, OAuthRegistrationFailed);
});

t.test('the code flow over plain HTTP: authorize page, Approve, callback, exchange, API call', async (t) => {
  const fixture = await startOAuthServer(t);
  const before = Date.now();
  const { client, tokens } = await connect(fixture);
  t.match(tokens, { accessToken: /^at_/, refreshToken: /^rt_/, tokenType: 'Bearer', scope: 'items:read items:write' });
  t.ok(tokens.expiresAt && tokens.expiresAt >= before + 3600_000 && tokens.expiresAt <= Date.now() + 3600_000, 'expiresAt from expires_in');
  t.ok(tokens.issuedAt && tokens.issuedAt >= before);
  const api = await fetch(`${fixture.server.url}/api/items`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.equal(api.status, 200);

  const received = fixture.server.stats();
  t.match(received, { registrations: 1, authorizationCodesIssued: 1, tokensIssued: 1 });
  t.equal(client.tokenEndpointAuthMethod, 'client_secret_basic');
});

t.test('readAuthorizationCallback: state, issuer and error checks', async (t) => {
  const fixture = await startOAuthServer(t);
  const { metadata } = fixture;
  const client = await registerClient(metadata.registration_endpoint ?? '', { redirectUri: REDIRECT_URI, clientName: 'x' });
  const pkce = createPkcePair();
  const state = createState();
  const url = buildAuthorizeUrl({
    authorizationEndpoint: metadata.authorization_endpoint ?? '',
    clientId: client.clientId,
    redirectUri: REDIRECT_URI,
    state,
    codeChallenge: pkce.challenge,
  });

  const approved = await answerConsent(url);
  const query = approved.location?.searchParams ?? new URLSearchParams();
  t.match(readAuthorizationCallback(query, { state, issuer: metadata.issuer }), { code: /^ac_/ });
  const wrongState = await thrown(async () => readAuthorizationCallback(query, { state: createState() }));
  t.match(wrongState, { error: 'state_mismatch', code: 'LK_OAUTH_AUTHORIZATION_FAILED' });
  const wrongIssuer = await thrown(async () => readAuthorizationCallback(query, { state, issuer: 'https://other.example.com' }));
  t.match(wrongIssuer, { error: 'issuer_mismatch' });
  assertNoSecrets(t, wrongState, [query.get('code') ?? undefined], 'state mismatch');

  const denied = await answerConsent(url, 'deny');
  const deniedError = await thrown(async () =>
    readAuthorizationCallback(denied.location?.searchParams ?? new URLSearchParams(), { state, issuer: metadata.issuer }),
  );
  t.type(deniedError, OAuthAuthorizationFailed);
  t.match(deniedError, { error: 'access_denied', message: /^Access was denied at the authorization server: The user denied access\./ });
  const empty = await thrown(async () => readAuthorizationCallback(new URLSearchParams({ state }), { state }));
  t.match(empty, { error: 'missing_code' });
});

t.test('a wrong PKCE verifier: OAuthTokenError invalid_grant, and nothing secret in the message', async (t) => {
  const { metadata } = await startOAuthServer(t);
  const client = await registerClient(metadata.registration_endpoint ?? '', { redirectUri: REDIRECT_URI, clientName: 'x' });
  const pkce = createPkcePair();
  const state = createState();
  const answer = await answerConsent(
    buildAuthorizeUrl({
      authorizationEndpoint: metadata.authorization_endpoint ?? '',
      clientId: client.clientId,
      redirectUri: REDIRECT_URI,
      state,
      codeChallenge: pkce.challenge,
    }),
  );
  const { code } = readAuthorizationCallback(answer.location?.searchParams ?? new URLSearchParams(), { state });
  const wrongVerifier = createPkcePair().verifier;
  const error = await thrown(() =>
    exchangeCode({
      tokenEndpoint: metadata.token_endpoint,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      code,
      redirectUri: REDIRECT_URI,
      codeVerifier: wrongVerifier,
    }),
  );
  t.type(error, OAuthTokenError);
  t.match(error, { error: 'invalid_grant', status: 400, code: 'LK_OAUTH_TOKEN_ERROR', errorDescription: /PKCE verification failed/ });
  t.match(error.message, /\/token refused the authorization code: invalid_grant \(PKCE verification failed/);
  assertNoSecrets(t, error, [code, wrongVerifier, pkce.verifier, client.clientSecret], 'wrong verifier');
});

t.test('refreshTokens rotates; the spent refresh token is refused', async (t) => {
  const fixture = await startOAuthServer(t);
  const { client, tokens } = await connect(fixture);
  const base = { tokenEndpoint: fixture.metadata.token_endpoint, clientId: client.clientId, clientSecret: client.clientSecret };
  const rotated = await refreshTokens({ ...base, refreshToken: tokens.refreshToken ?? '' });
  t.match(rotated, { accessToken: /^at_/, refreshToken: /^rt_/, scope: 'items:read items:write' });
  t.not(rotated.refreshToken, tokens.refreshToken);
  t.equal(fixture.server.stats().refreshes, 1);

  const narrowed = await refreshTokens({ ...base, refreshToken: rotated.refreshToken ?? '', scopes: ['items:read'] });
  t.equal(narrowed.scope, 'items:read');

  const reused = await thrown(() => refreshTokens({ ...base, refreshToken: tokens.refreshToken ?? '' }));
  t.match(reused, { error: 'invalid_grant', errorDescription: /already used/ });
  assertNoSecrets(t, reused, [tokens.refreshToken, client.clientSecret], 'reused refresh token');
});

t.test('a public client runs the code flow and refreshes with its client_id alone', async (t) => {
  const { metadata, server } = await startOAuthServer(t);
  const client = await registerClient(metadata.registration_endpoint ?? '', {
    redirectUri: REDIRECT_URI,
    clientName: 'public',
    tokenEndpointAuthMethod: 'none',
  });
  const pkce = createPkcePair();
  const state = createState();
  const answer = await answerConsent(
    buildAuthorizeUrl({
      authorizationEndpoint: metadata.authorization_endpoint ?? '',
      clientId: client.clientId,
      redirectUri: REDIRECT_URI,
      state,
      codeChallenge: pkce.challenge,
    }),
  );
  const { code } = readAuthorizationCallback(answer.location?.searchParams ?? new URLSearchParams(), { state });
  const tokens = await exchangeCode({
    tokenEndpoint: metadata.token_endpoint,
    clientId: client.clientId,
    code,
    redirectUri: REDIRECT_URI,
    codeVerifier: pkce.verifier,
  });
  const refreshed = await refreshTokens({
    tokenEndpoint: metadata.token_endpoint,
    clientId: client.clientId,
    refreshToken: tokens.refreshToken ?? '',
  });
  t.match(refreshed, { accessToken: /^at_/ });
  t.equal(server.stats().refreshes, 1);
});
