// Two gateway processes on one database, as behind a load balancer: a change made through one is
// seen by the other within a second or two (it polls a version, off the hot path), and an OAuth
// grant is renewed by one of them at a time.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { testClock } from '../helpers/clock.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { connectOAuth, markApiRequests, signInSession } from '../helpers/oauth.js';

const ping = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });

async function eventually(check: () => Promise<boolean>, seconds = 10): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

t.test('a key revoked through one instance stops working on the other', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t);
  const b = await startGateway(t, { dataDir: a.dataDir, env: { LATCHKEY_ADMIN_TOKEN: a.adminToken, LATCHKEY_MASTER_KEY: '' } });
  const ws = await workspaceFor(t, a, upstream);
  await a.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const key = (await a.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'shared' })).body;
  const onB = ws.mcpUrl.replace(a.url, b.url);
  t.ok(
    await eventually(async () => (await ping(onB, { 'x-latchkey-key': key.key })).status === 200),
    'B accepts the key created through A',
  );
  await a.api('DELETE', `/api/workspaces/${ws.id}/keys/${key.id}`);
  t.equal((await ping(ws.mcpUrl, { 'x-latchkey-key': key.key })).status, 401, 'A refuses it at once');
  t.ok(await eventually(async () => (await ping(onB, { 'x-latchkey-key': key.key })).status === 401, 5), 'B refuses it within seconds');
});

t.test('two instances renew a rotating OAuth grant once between them, not once each', async (t) => {
  // Refresh tokens rotate, and a replayed one revokes the whole grant (reuse detection): two
  // processes refreshing the same set would break the connection for both.
  // Token lifetimes on one clock the test moves, shared by the provider and both instances.
  const clock = testClock();
  const upstream = await startTestServer({ mode: 'oauth', tokenTtlSeconds: 2, now: clock.now });
  t.teardown(() => upstream.close());
  const a = await startGateway(t, { now: clock.now });
  const b = await startGateway(t, {
    dataDir: a.dataDir,
    env: { LATCHKEY_ADMIN_TOKEN: a.adminToken, LATCHKEY_MASTER_KEY: '' },
    now: clock.now,
  });
  const { body: ws } = await a.api('POST', '/api/workspaces', { name: 'OAuth API' });
  await a.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  await a.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'oauth2',
    flow: 'authorization_code',
    issuer: upstream.url,
    scopes: ['items:read'],
  });
  const { callback } = await connectOAuth(a, ws.id, await signInSession(a));
  t.equal(callback.status, 303, 'connected through A');

  const onA = await connectClient(t, ws.mcpUrl);
  const onB = await connectClient(t, ws.mcpUrl.replace(a.url, b.url));
  const call = (client: typeof onA) => client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk((await call(onA)).isError, 'A calls with the connected account');
  t.notOk((await call(onB)).isError, 'B too, with the tokens A saved');

  for (let round = 1; round <= 2; round++) {
    // Past expiry: both instances see a token to renew at the same moment.
    const sent = markApiRequests(upstream);
    clock.advance(2100);
    const before = upstream.oauth!.stats();
    const results = await Promise.all([...Array.from({ length: 5 }, () => call(onA)), ...Array.from({ length: 5 }, () => call(onB))]);
    const after = upstream.oauth!.stats();
    t.same(
      results.filter((r) => r.isError).map((r) => textOf(r)),
      [],
      `round ${round}: every call on both instances succeeds`,
    );
    t.equal(after.refreshes - before.refreshes, 1, `round ${round}: one refresh between the two instances`);
    t.equal(after.refreshFailures - before.refreshFailures, 0, `round ${round}: no spent refresh token replayed`);
    t.same(sent(), { count: 10, withOldToken: 0 }, `round ${round}: renewed at expiry, before the calls, not after a 401`);
  }
  const health = (await a.api('GET', `/api/workspaces/${ws.id}/auth`)).body.health;
  t.match(health, { connected: true, reconnectNeeded: false }, 'the connection is healthy afterwards');
});
