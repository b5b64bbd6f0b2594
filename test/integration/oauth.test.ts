// OAuth 2.0 to the upstream API against the test server's authorization server: client
// credentials, the code flow with PKCE driven over plain HTTP as a browser would, refresh ahead of
// expiry and on 401, single-flight refresh, reconnect-needed, state binding, and a leak check.
import t, { type Test } from 'tap';
import { startTestServer, type TestServer } from '../../test-server/test-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { testClock } from '../helpers/clock.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { connectOAuth, markApiRequests, signInSession, type ConsoleSessionCookie } from '../helpers/oauth.js';
import { storedBytes } from '../helpers/stored-bytes.js';

/** Every authorization code seen, for the leak check. */
const codes: string[] = [];

const signIn = signInSession;

/** Connects, and keeps the authorization code for the leak check. */
async function connect(gw: TestGateway, workspaceId: string, session: ConsoleSessionCookie, opts: { decision?: string } = {}) {
  const result = await connectOAuth(gw, workspaceId, session, opts);
  codes.push(result.code);
  return result;
}

async function oauthWorkspace(t: Test, gw: TestGateway, upstream: TestServer) {
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'OAuth API' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  return ws as { id: string; mcpUrl: string };
}

t.test('client credentials: fetched on first use, renewed when it expires', async (t) => {
  // Token lifetimes on a clock the test moves: the gateway and the provider share it.
  const clock = testClock();
  const upstream = await startTestServer({ mode: 'oauth', tokenTtlSeconds: 2, now: clock.now });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { now: clock.now });
  const ws = await oauthWorkspace(t, gw, upstream);
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'oauth2',
    flow: 'client_credentials',
    tokenUrl: `${upstream.url}/token`,
    clientId: upstream.oauth!.clientId,
    clientSecret: upstream.oauth!.clientSecret,
    scopes: ['items:read'],
  });
  t.equal(saved.status, 200, saved.text);
  t.match(saved.body, {
    type: 'oauth2',
    oauth: { flow: 'client_credentials', clientId: upstream.oauth!.clientId, hasClientSecret: true },
    saved: true,
  });
  t.notOk(saved.text.includes(upstream.oauth!.clientSecret), 'the client secret never comes back');

  const client = await connectClient(t, ws.mcpUrl);
  const first = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(first.isError, textOf(first));
  t.match(upstream.received.at(-1)!.headers.authorization, /^Bearer /);
  t.equal(upstream.oauth!.stats().tokensIssued, 1, 'one token on first use');
  const sent = markApiRequests(upstream);
  clock.advance(2100);
  const later = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(later.isError, 'still works past the 2 s token lifetime');
  t.equal(upstream.oauth!.stats().tokensIssued, 2, 'a new token was fetched');
  t.same(sent(), { count: 1, withOldToken: 0 }, 'before the call, not after the API refused the old token');
  const auth = (await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body;
  t.match(auth.health, { connected: true, reconnectNeeded: false, lastSuccessAt: String, expiresAt: String });
});

t.test('authorization code with PKCE, refresh, single flight, reconnect needed, state binding', async (t) => {
  const clock = testClock();
  const upstream = await startTestServer({ mode: 'oauth', tokenTtlSeconds: 2, now: clock.now });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { LOG_LEVEL: 'debug' }, now: clock.now });
  const ws = await oauthWorkspace(t, gw, upstream);
  const seen: string[] = [];
  // No clientId: the gateway registers itself (RFC 7591) from the issuer's metadata (RFC 8414).
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'oauth2',
    flow: 'authorization_code',
    issuer: upstream.url,
    scopes: ['items:read'],
  });
  seen.push(saved.text);
  t.equal(saved.status, 200, saved.text);
  t.match(saved.body.oauth, {
    flow: 'authorization_code',
    authorizationUrl: `${upstream.url}/authorize`,
    tokenUrl: `${upstream.url}/token`,
    redirectUri: `${gw.url}/oauth/callback`,
  });
  // Before the first token every documented field is there, null while unknown.
  t.same(saved.body.health, {
    connected: false,
    expiresAt: null,
    lastRefreshAt: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailure: null,
    reconnectNeeded: false,
  });

  const bearerStart = await gw.api('POST', `/api/workspaces/${ws.id}/oauth/start`);
  t.equal(bearerStart.status, 400, 'the flow needs a console session to bind the state to');

  const session = await signIn(gw);
  const { location, callback } = await connect(gw, ws.id, session);
  t.equal(upstream.oauth!.stats().registrations, 1, 'registered dynamically');
  t.equal(callback.status, 303);
  t.match(callback.headers.get('location'), `/workspaces/${ws.id}/configure?environment=live&oauth=connected`);
  const connected = await gw.api('GET', `/api/workspaces/${ws.id}/auth`);
  seen.push(connected.text);
  t.match(connected.body.health, { connected: true, reconnectNeeded: false });
  t.equal(saved.body.oauth.hasClientSecret, false, 'before connecting there is no client, so no secret');
  t.equal(connected.body.oauth.hasClientSecret, true, 'the client registered on connecting has a sealed secret');

  const replay = await fetch(location, { headers: { cookie: session.cookie }, redirect: 'manual' });
  t.equal(replay.status, 400, 'a replayed state is refused');

  const other = await signIn(gw);
  // A state from another session: start in one session, finish in another.
  const start = await fetch(`${gw.url}/api/workspaces/${ws.id}/oauth/start`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-latchkey-csrf': session.csrf },
  });
  const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
  const state = new URL(authorizeUrl).searchParams.get('state')!;
  const foreign = await fetch(`${gw.url}/oauth/callback?code=whatever&state=${encodeURIComponent(state)}`, {
    headers: { cookie: other.cookie },
    redirect: 'manual',
  });
  t.equal(foreign.status, 403, 'a state started by another session is refused');

  const client = await connectClient(t, ws.mcpUrl);
  t.notOk((await client.callTool({ name: 'listUsers', arguments: {} })).isError, 'a tool call with the connected account');
  const sent = markApiRequests(upstream);
  clock.advance(2100);
  const refreshesBefore = upstream.oauth!.stats().refreshes;
  const results = await Promise.all(Array.from({ length: 10 }, () => client.callTool({ name: 'listUsers', arguments: {} })));
  t.ok(
    results.every((r) => !r.isError),
    'ten concurrent calls at expiry all succeed',
  );
  t.equal(upstream.oauth!.stats().refreshes - refreshesBefore, 1, 'exactly one refresh');
  t.same(sent(), { count: 10, withOldToken: 0 }, 'at expiry, before the calls: none sent the old token and was refused');

  // The upstream refuses a token before its time: one refresh, one retry.
  upstream.oauth!.expireAccessTokens();
  const retried = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(retried.isError, 'a 401 leads to one refresh and one retry');

  // The grant is revoked: reconnect needed, reported clearly, no loop.
  upstream.oauth!.revokeRefreshTokens();
  upstream.oauth!.expireAccessTokens();
  const failuresBefore = upstream.oauth!.stats().refreshFailures;
  const dead = await client.callTool({ name: 'listUsers', arguments: {} });
  t.ok(dead.isError);
  t.match(textOf(dead), /reconnect/i);
  const dead2 = await client.callTool({ name: 'listUsers', arguments: {} });
  t.ok(dead2.isError);
  t.equal(upstream.oauth!.stats().refreshFailures - failuresBefore, 1, 'one refused refresh, not one per call');
  const health = (await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body.health;
  t.match(health, { reconnectNeeded: true, lastFailure: String, lastFailureAt: String });

  // Connecting again heals it.
  const again = await connect(gw, ws.id, session);
  t.equal(again.callback.status, 303);
  t.notOk((await client.callTool({ name: 'listUsers', arguments: {} })).isError, 'works again after reconnecting');

  // Disconnect revokes at the provider and deletes.
  const revocations = upstream.oauth!.stats().revocations;
  seen.push((await gw.api('DELETE', `/api/workspaces/${ws.id}/auth`)).text);
  t.ok(upstream.oauth!.stats().revocations > revocations, 'tokens revoked (RFC 7009)');

  for (const p of [`/api/workspaces/${ws.id}`, `/api/workspaces/${ws.id}/logs?limit=200`]) seen.push((await gw.api('GET', p)).text);
  await gw.app.close();
  // What the gateway held: every access token the upstream saw, every code, the client secret.
  const accessTokens = upstream.received.map((r) => r.headers.authorization?.replace(/^Bearer /, '')).filter((x): x is string => !!x);
  const secrets = [...new Set([...accessTokens, ...codes.filter(Boolean)])];
  t.ok(secrets.length >= 3, `checking ${secrets.length} tokens and codes`);
  const db = await storedBytes(gw);
  const leaks = secrets.filter((s) => db.includes(s) || gw.logs().includes(s) || seen.join('\n').includes(s));
  t.same(leaks, [], 'no token or code in the database, the logs or any admin response');
});
