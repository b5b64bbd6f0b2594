// Who may call a workspace: access keys (revocation, expiry, scopes, tool lists), test and live
// environments, rate limits, and the audit trail, over real sockets with the real test server.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { frozenClock, testClock } from '../helpers/clock.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { workspaceFor } from '../helpers/workspace.js';

// JSON-RPC answers are loosely typed on purpose: the assertions check their shape.
interface RpcResponse extends Response {
  json(): Promise<any>;
}

function rpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RpcResponse> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}
const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
const callTool = (name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: { name, arguments: args },
});

t.test('access keys: required, revocable, expiring, scoped', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  // Key expiry on a clock the test moves.
  const clock = testClock();
  const gw = await startGateway(t, { now: clock.now });
  const ws = await workspaceFor(t, gw, upstream, { enable: ['createItem', 'deleteItem'] });
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).body.access, 'keys');

  const before = upstream.stats().requests;
  const bare = await rpc(ws.mcpUrl, callTool('listItems'));
  t.equal(bare.status, 401, 'no key: 401');
  t.match(bare.headers.get('www-authenticate'), /^Bearer realm="latchkey"/);
  t.match(await bare.json(), { jsonrpc: '2.0', error: { code: -32001, message: /requires an access key/ } });
  t.equal((await rpc(ws.mcpUrl, callTool('listItems'), { 'x-latchkey-key': 'lk_live_bogus' })).status, 401, 'a wrong key: 401');
  t.equal(upstream.stats().requests, before, 'the upstream saw nothing');

  const created = await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'CI job' });
  t.equal(created.status, 201);
  const key = created.body.key as string;
  t.match(key, /^lk_live_[a-z2-7]{32}$/, 'lk_live_ + 160 random bits');
  t.match(created.body, { label: 'CI job', scope: 'write', environment: 'live', tools: null, expiresAt: null, prefix: key.slice(0, 12) });

  const listed = await gw.api('GET', `/api/workspaces/${ws.id}/keys`);
  t.equal(listed.body.keys.length, 1);
  t.notOk(listed.text.includes(key), 'the key is never listed');
  t.notOk('key' in listed.body.keys[0]);

  const viaHeader = await connectClient(t, ws.mcpUrl, { 'X-Latchkey-Key': key });
  t.notOk((await viaHeader.callTool({ name: 'listItems', arguments: { limit: 1 } })).isError, 'X-Latchkey-Key works');
  const viaBearer = await rpc(ws.mcpUrl, callTool('listItems', { limit: 1 }), { authorization: `Bearer ${key}` });
  t.equal(viaBearer.status, 200, 'Authorization: Bearer works');
  t.notMatch(upstream.received.at(-1)!.headers.authorization ?? '', key, 'the key is not forwarded upstream');
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/keys`)).body.keys[0].lastUsedAt, /^\d{4}-/, 'last used is recorded');

  // Read scope: sees and may call only read-only tools.
  const read = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'reader', scope: 'read' })).body;
  const readList = await (await rpc(ws.mcpUrl, listTools, { 'x-latchkey-key': read.key })).json();
  t.same(readList.result.tools.map((x: { name: string }) => x.name).sort(), ['getItem', 'listItems', 'listUsers']);
  const readWrite = await (await rpc(ws.mcpUrl, callTool('createItem', { body: { name: 'x' } }), { 'x-latchkey-key': read.key })).json();
  t.equal(readWrite.error.code, -32602, 'a write tool is refused for a read key');
  t.match(readWrite.error.message, /not available to this access key \(scope read/);

  // Tools: narrowed to named tools.
  const narrow = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'one tool', tools: ['listUsers'] })).body;
  const narrowList = await (await rpc(ws.mcpUrl, listTools, { 'x-latchkey-key': narrow.key })).json();
  t.same(
    narrowList.result.tools.map((x: { name: string }) => x.name),
    ['listUsers'],
  );
  t.equal(
    (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'bad', tools: ['nope'] })).status,
    400,
    'unknown tool names are refused',
  );

  // Revocation: the very next request fails.
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/keys/${created.body.id}`)).status, 204);
  t.equal((await rpc(ws.mcpUrl, callTool('listItems'), { 'x-latchkey-key': key })).status, 401, 'revoked: 401 at once');
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/keys/${created.body.id}`)).status, 404);

  // Expiry.
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'past', expiresAt: '2001-01-01T00:00:00Z' })).status, 400);
  const soon = (
    await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'soon', expiresAt: new Date(clock.now() + 1000).toISOString() })
  ).body;
  clock.advance(1100);
  const expired = await rpc(ws.mcpUrl, callTool('listItems'), { 'x-latchkey-key': soon.key });
  t.equal(expired.status, 401);
  t.match(await expired.json(), { error: { message: /expired/ } });

  // Audit: the caller of each call.
  const logs = (await gw.api('GET', `/api/workspaces/${ws.id}/logs?caller=${read.id}`)).body.items;
  t.ok(logs.length >= 1);
  t.ok(
    logs.every((x: { caller: string; callerLabel: string }) => x.caller === read.id && x.callerLabel === 'reader'),
    'filtered by key, labelled',
  );
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}/logs?caller=url`)).body.items.length, 0, 'no anonymous calls in keys mode');

  // Back to url mode: the bare URL works again.
  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'url' });
  t.equal((await rpc(ws.mcpUrl, callTool('listItems'))).status, 200);
});

t.test('test and live environments: own URL, base URL and credentials', async (t) => {
  const live = await startTestServer({ mode: 'apikey' });
  const sandbox = await startTestServer({ mode: 'apikey' });
  t.teardown(() => Promise.all([live.close(), sandbox.close()]));
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, live);

  const env = await gw.api('POST', `/api/workspaces/${ws.id}/environments`, { name: 'test', baseUrl: sandbox.url });
  t.equal(env.status, 201);
  t.match(env.body, { name: 'test', baseUrl: sandbox.url, auth: { saved: false } });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/environments`, { name: 'test' })).status, 409);
  t.equal(
    (await gw.api('PUT', `/api/workspaces/${ws.id}/auth?environment=test`, { type: 'api_key', value: sandbox.key })).body.environment,
    'test',
  );
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body.environment, 'live', 'live credentials untouched');
  const view = (await gw.api('GET', `/api/workspaces/${ws.id}`)).body;
  t.equal(view.mcpUrls.live, view.mcpUrl);
  t.ok(view.mcpUrls.test && view.mcpUrls.test !== view.mcpUrl, 'each environment has its own URL');

  // url mode: the test URL calls the test base URL with the test key.
  const liveBefore = live.stats().requests;
  const viaTestUrl = await connectClient(t, view.mcpUrls.test);
  t.notOk((await viaTestUrl.callTool({ name: 'listItems', arguments: {} })).isError);
  t.equal(sandbox.received.at(-1)!.headers['x-api-key'], sandbox.key, 'test credentials to the test base URL');
  t.equal(live.stats().requests, liveBefore, 'live saw nothing');

  // keys mode: the key's prefix decides.
  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const testKey = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'staging agent', environment: 'test' })).body
    .key as string;
  t.match(testKey, /^lk_test_/);
  const sandboxBefore = sandbox.stats().requests;
  const res = await (await rpc(ws.mcpUrl, callTool('listUsers'), { 'x-latchkey-key': testKey })).json();
  t.notOk(res.result.isError, JSON.stringify(res));
  t.equal(sandbox.stats().requests, sandboxBefore + 1, 'a lk_test_ key reaches only the test base URL');
  t.equal(live.stats().requests, liveBefore);
  const logs = (await gw.api('GET', `/api/workspaces/${ws.id}/logs?environment=test`)).body.items;
  t.ok(logs.length >= 2 && logs.every((x: { environment: string }) => x.environment === 'test'));

  t.equal(
    (await gw.api('PATCH', `/api/workspaces/${ws.id}/environments/test`, { baseUrl: null })).body.baseUrl,
    live.url,
    'null restores the spec default',
  );
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/environments/live`)).status, 400, 'live cannot be deleted');
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/environments/test`)).status, 204);
  t.equal((await rpc(ws.mcpUrl, callTool('listUsers'), { 'x-latchkey-key': testKey })).status, 401, 'its keys went with it');
  t.same(Object.keys((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.mcpUrls), ['live']);
});

t.test('a burst over the rate limit gets 429 with Retry-After, then recovers', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  // The bucket refills on a clock that stands still until the test moves it: no call of the burst
  // is refilled by a slow machine, and the wait Retry-After announces is measured exactly.
  const clock = frozenClock();
  const gw = await startGateway(t, { env: { LATCHKEY_RATE_LIMIT: '0' }, now: clock.now });
  const ws = await workspaceFor(t, gw, upstream);
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.effectiveRateLimit, 0, '0 turns it off');
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { rateLimit: 60 })).body.rateLimit, 60);

  const statuses: number[] = [];
  let retryAfter = '';
  for (let i = 0; i < 62; i++) {
    const res = await rpc(ws.mcpUrl, { jsonrpc: '2.0', id: i, method: 'ping' });
    statuses.push(res.status);
    if (res.status === 429) {
      retryAfter = res.headers.get('retry-after') ?? '';
      t.match(await res.json(), { error: { message: /Rate limit exceeded/ } });
      break;
    }
  }
  t.ok(statuses.length === 61 && statuses.at(-1) === 429, `limited at the 61st request (${statuses.length} requests)`);
  t.ok(
    statuses.slice(0, 60).every((s) => s === 200),
    'the first 60 pass',
  );
  t.match(retryAfter, /^\d+$/);
  clock.advance((Number(retryAfter) - 1) * 1000);
  t.equal((await rpc(ws.mcpUrl, { jsonrpc: '2.0', id: 98, method: 'ping' })).status, 429, 'still limited a second before Retry-After ends');
  clock.advance(1000);
  t.equal((await rpc(ws.mcpUrl, { jsonrpc: '2.0', id: 99, method: 'ping' })).status, 200, 'recovers after Retry-After');
});

t.test("passthrough forwards the caller's headers for one call and keeps none of them", async (t) => {
  const marker = `PASSMARK${Math.random().toString(36).slice(2)}`;
  const upstream = await startTestServer({ mode: 'apikey', key: `ts_${marker}` });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { LOG_LEVEL: 'trace' } });
  const ws = await workspaceFor(t, gw, upstream);
  const seen: string[] = [];
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'passthrough', headers: { 'X-Tenant-ID': 'tenant-1' } });
  t.match(saved.body, { type: 'passthrough', headerNames: ['X-Tenant-ID'], saved: true });
  seen.push(saved.text);

  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const key = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'passthrough' })).body.key as string;
  const client = await connectClient(t, ws.mcpUrl, {
    'X-Latchkey-Key': key,
    'X-Api-Key': upstream.key,
    'X-Tenant-ID': `spoofed-${marker}`,
    Authorization: `Bearer caller-${marker}`,
  });
  const result = await client.callTool({ name: 'listItems', arguments: { limit: 1 } });
  t.notOk(result.isError, textOf(result));
  const got = upstream.received.at(-1)!.headers;
  t.equal(got['x-api-key'], upstream.key, "the caller's X-Api-Key is forwarded");
  t.equal(got.authorization, `Bearer caller-${marker}`, "the caller's Authorization is forwarded when the key came in X-Latchkey-Key");
  t.equal(got['x-tenant-id'], 'tenant-1', 'stored headers win');
  t.notOk(got['x-latchkey-key'], "Latchkey's own header is not forwarded");

  // Without the caller's key the upstream refuses: nothing was stored.
  const bare = await connectClient(t, ws.mcpUrl, { 'X-Latchkey-Key': key });
  const refused = await bare.callTool({ name: 'listItems', arguments: {} });
  t.ok(refused.isError);
  t.match(textOf(refused), /MISSING_API_KEY/);

  for (const p of [
    `/api/workspaces/${ws.id}`,
    `/api/workspaces/${ws.id}/auth`,
    `/api/workspaces/${ws.id}/logs?limit=200`,
    `/api/workspaces/${ws.id}/keys`,
  ])
    seen.push((await gw.api('GET', p)).text);
  await gw.app.close();
  t.notOk((await storedBytes(gw)).includes(marker), 'no forwarded value in the database');
  t.notOk(gw.logs().includes(marker), 'nor in the logs');
  t.notOk(seen.join('\n').includes(marker), 'nor in any admin response');
});
