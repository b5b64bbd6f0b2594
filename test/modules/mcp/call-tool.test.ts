// One tools/call on its own (issue #14's unit tests): a runtime built from the test server's own
// spec, the real upstream client, the real test server. Each outcome is checked in the result the
// model reads and in the record the call log gets.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../../test-server/test-server.js';
import { buildWorkspaceRuntime, callTool, type CallDeps, type CallRecord } from '../../../server/modules/mcp/index.js';
import { importSpecText } from '../../../server/modules/specs/index.js';
import { createUpstreamClient } from '../../../server/modules/upstream/index.js';

const key = `ts_${randomBytes(10).toString('hex')}`;
const upstream = await startTestServer({ mode: 'apikey', key, echo: true });
t.teardown(() => upstream.close());
const imported = await importSpecText(await (await fetch(`${upstream.url}/openapi.json`)).text());
const runtime = buildWorkspaceRuntime({
  workspaceId: 'ws1',
  name: 'Items',
  environment: 'live',
  baseUrl: upstream.url,
  credentials: { type: 'api_key', in: 'header', name: 'X-Api-Key', value: key },
  tools: imported.tools.map((definition) => ({ definition, enabled: definition.name !== 'deleteItem' })),
});
const client = createUpstreamClient({ allowPrivateNetworks: true, timeoutMs: 5000 });
t.teardown(() => client.close());
const records: CallRecord[] = [];
const deps: CallDeps = { upstream: client, maxResponseBytes: 1024 * 1024, record: (r) => records.push(r) };
const caller = { caller: 'url' };
const text = (result: unknown) => (result as { content: { text: string }[] }).content[0]?.text ?? '';
const last = () => records.at(-1)!;

t.test('a call: the upstream answer as the result, a record with status, URL and arguments', async (t) => {
  const result = await callTool(runtime, deps, 'listItems', { limit: 2 }, caller);
  t.notOk((result as { isError?: boolean }).isError);
  t.match(text(result), /"items"/);
  t.match(last(), {
    workspaceId: 'ws1',
    tool: 'listItems',
    method: 'GET',
    status: 200,
    ok: true,
    caller: 'url',
    environment: 'live',
    arguments: '{"limit":2}',
  });
  t.match(last().url, new RegExp(`^${upstream.url}/api/items\\?limit=2$`));
  t.ok(last().durationMs >= 0);
});

t.test('arguments the schema refuses: isError naming the problem, nothing sent, a record without status', async (t) => {
  const before = upstream.received.length;
  const result = await callTool(runtime, deps, 'listItems', { limit: 'many' }, caller);
  t.equal((result as { isError?: boolean }).isError, true);
  t.match(text(result), /^Invalid arguments: .*limit/);
  t.equal(upstream.received.length, before, 'nothing reached the upstream');
  t.match(last(), { tool: 'listItems', ok: false, status: undefined, error: /Invalid arguments/ });
});

t.test('an upstream error status: isError with the answer, recorded with its status', async (t) => {
  const result = await callTool(runtime, deps, 'getItem', { id: 'itm_missing' }, caller);
  t.equal((result as { isError?: boolean }).isError, true);
  t.match(last(), { tool: 'getItem', ok: false, status: 404, error: 'Upstream answered 404' });
});

t.test('a disabled or unknown tool is a protocol error; the attempt is still recorded', async (t) => {
  const before = upstream.received.length;
  await t.rejects(callTool(runtime, deps, 'deleteItem', { id: 'x' }, caller), /Tool "deleteItem" is disabled in this workspace/);
  t.match(last(), { tool: 'deleteItem', ok: false, status: undefined, error: /disabled/ });
  await t.rejects(callTool(runtime, deps, 'noSuchTool', {}, caller), /Unknown tool "noSuchTool"/);
  t.match(last(), { tool: 'noSuchTool', ok: false, error: /Unknown tool/ });
  t.equal(upstream.received.length, before, 'nothing sent');
});

t.test('an upstream that echoes the key: masked in the result and the record', async (t) => {
  const result = await callTool(runtime, deps, 'echoRequest', {}, caller);
  t.notOk((result as { isError?: boolean }).isError);
  t.match(text(result), /x-api-key/i, 'the echo is there');
  t.notOk(JSON.stringify(result).includes(key), 'not the key');
  t.notOk(JSON.stringify(last()).includes(key), 'nor in the record');
});

t.test('a shutdown past its grace: a waiting call is answered with the reason and recorded', async (t) => {
  const stopping = new AbortController();
  const slowDeps: CallDeps = { ...deps, stopping: stopping.signal };
  // The test server holds /api/echo?status=200 no longer than any other call: stop it while it is on its way.
  const pending = callTool(runtime, slowDeps, 'echoRequest', {}, caller);
  stopping.abort();
  const result = await pending;
  t.equal((result as { isError?: boolean }).isError, true);
  t.match(text(result), /^The gateway is shutting down and stopped this call before the upstream answered/);
  t.match(last(), { tool: 'echoRequest', ok: false, error: /shutting down/ });
});
