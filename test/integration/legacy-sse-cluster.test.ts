// Legacy HTTP+SSE behind a load balancer without sticky sessions (issue #16): two gateways on one
// PostgreSQL database, the client's stream open on A and its POSTs sent to B. B answers each
// message and relays the answer to A (a row in sse_messages and a NOTIFY naming it), which writes
// it down the stream: list, read and write calls, a disabled tool's error, an answer far over
// NOTIFY's 8 KB, the schema profile a client's initialize chose, and a closed stream forgotten on
// every node. On SQLite there is one node and nothing to relay.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { testDatabaseUrl } from '../helpers/postgres.js';
import { workspaceFor } from '../helpers/workspace.js';
import { textOf } from '../helpers/mcp-client.js';
import { geminiProblems } from '../helpers/profile-rules.js';

if (process.env.LATCHKEY_TEST_DATABASE !== 'postgres') {
  t.plan(0, 'two nodes share a database only on PostgreSQL: runs in the PostgreSQL pass');
  process.exit(0);
}

const databaseUrl = await testDatabaseUrl(`legacy-sse-cluster-${randomBytes(6).toString('hex')}`);
const env = { DATABASE_URL: databaseUrl, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') };

interface Sent {
  method: string;
  origin: string;
  status: number;
}

/** An SSE client whose stream is opened on `streamNode` and whose messages are POSTed to `postNode`. */
async function splitClient(t: Test, url: string, streamNode: TestGateway, postNode: TestGateway, name = 'sse-cluster-test') {
  const sent: Sent[] = [];
  const routed = async (input: string | URL | Request, init?: RequestInit) => {
    const target = new URL(input instanceof Request ? input.url : input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const node = new URL(method === 'POST' ? postNode.url : streamNode.url);
    target.host = node.host;
    const res = await fetch(target, init);
    sent.push({ method, origin: target.origin, status: res.status });
    return res;
  };
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(url), { fetch: routed }));
  t.teardown(() => client.close());
  return { client, sent };
}

t.test('a stream on A, its messages on B: every answer reaches the stream', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t, { env });
  const b = await startGateway(t, { env });
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems', 'createItem'] });
  t.equal((await a.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { getItem: false } })).status, 200);

  const { client, sent } = await splitClient(t, ws.mcpUrl, a, b);
  t.same(
    (await client.listTools()).tools.map((tool) => tool.name),
    ['listItems', 'createItem', 'listUsers'],
    'tools listed',
  );
  const read = await client.callTool({ name: 'listItems', arguments: { limit: 2 } });
  t.equal(JSON.parse(textOf(read)).items.length, 2, 'a read call');
  const big = 'x'.repeat(40_000);
  const write = await client.callTool({ name: 'createItem', arguments: { body: { name: big } } });
  t.notOk(write.isError, 'a write call');
  t.ok(textOf(write).includes(big), `an answer of ${textOf(write).length} characters, far over NOTIFY's 8 KB, arrives whole`);
  t.equal(upstream.received.at(-1)?.headers['x-api-key'], upstream.key, 'with the key the gateway added');
  const disabled = await client.callTool({ name: 'getItem', arguments: { id: 'itm_0001' } }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.match(disabled?.message, /Tool "getItem" is disabled in this workspace/, "a disabled tool's error");

  const posts = sent.filter((s) => s.method === 'POST');
  t.ok(posts.length >= 5, `${posts.length} messages sent`);
  t.ok(
    posts.every((s) => s.origin === new URL(b.url).origin && s.status === 202),
    'every message went to B and was accepted there',
  );
  t.ok(
    sent.filter((s) => s.method === 'GET').every((s) => s.origin === new URL(a.url).origin),
    'the stream is on A',
  );
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  t.teardown(() => db.end());
  const left = await db.query('select count(*)::int as n from sse_messages');
  t.equal(left.rows[0].n, 0, 'a relayed answer is deleted once its node took it: nothing of it stays in the database');
  // B made the calls, and B's call-log writer wrote them (reading the log there flushes it first).
  const logged = (await b.api('GET', `/api/workspaces/${ws.id}/logs`)).body.items as { tool: string }[];
  t.equal(logged.length, 3, 'the calls are in the shared call log');
});

t.test("the profile a client's initialize chose holds for messages on the other node", async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t, { env });
  const b = await startGateway(t, { env });
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems', 'createItem'] });
  const { client } = await splitClient(t, ws.mcpUrl, a, b, 'gemini-cli-mcp-client');
  const tools = (await client.listTools()).tools;
  t.same(
    tools.flatMap((tool) => geminiProblems(tool.inputSchema)),
    [],
    'the Gemini form, on a message B answered after answering the initialize',
  );
  const made = await client.callTool({ name: 'createItem', arguments: { body: { name: 'gemini-over-relay' } } });
  t.notOk(made.isError, textOf(made));
});

t.test('a closed stream is forgotten on every node; an unknown one is refused', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t, { env });
  const b = await startGateway(t, { env });
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems'] });
  const token = ws.mcpUrl.split('/').pop()!;

  const opened = new AbortController();
  const stream = await fetch(ws.mcpUrl, { headers: { accept: 'text/event-stream' }, signal: opened.signal });
  const reader = stream.body!.getReader();
  const endpoint = new TextDecoder().decode((await reader.read()).value);
  const sessionId = /sessionId=([\w-]+)/.exec(endpoint)![1];
  const post = (node: TestGateway, path = `/mcp/${token}/messages?sessionId=${sessionId}`) =>
    fetch(`${node.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
  const sentAt = performance.now();
  t.equal((await post(b)).status, 202, 'B takes a message for the stream on A');
  let text = '';
  while (!text.includes('"id":7')) text += new TextDecoder().decode((await reader.read()).value);
  // A figure for the notes, not a bound: answered on B, stored, notified, taken on A, written.
  t.comment(`POST on B to the answer on A's stream: ${(performance.now() - sentAt).toFixed(1)} ms`);
  t.match(text, /event: message\ndata: \{"jsonrpc":"2.0","id":7,"result":\{"tools":\[/, "and B's answer comes down A's stream");

  const other = await workspaceFor(t, a, upstream, { enable: ['listItems'] });
  const otherToken = other.mcpUrl.split('/').pop()!;
  t.equal(
    (await post(b, `/mcp/${otherToken}/messages?sessionId=${sessionId}`)).status,
    404,
    "another workspace's URL cannot use the stream",
  );

  opened.abort();
  let gone = 0;
  for (let i = 0; i < 100 && gone !== 404; i++) {
    gone = (await post(b)).status;
    if (gone !== 404) await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(gone, 404, 'once the client closes the stream, B refuses its messages');
});
