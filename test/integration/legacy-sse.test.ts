// The deprecated HTTP+SSE transport (MCP 2024-11-05) on the workspace URL, for clients that only
// speak it (issue #16): the SDK v1 SSEClientTransport and `mcp-remote --transport sse-only`, each
// listing tools, making a read and a write call and getting a disabled tool's error; keys mode;
// refusals; and a gateway that closes with streams open.
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { textOf } from '../helpers/mcp-client.js';
import { initialize, startMcpRemote } from '../helpers/mcp-remote.js';

async function connectSse(url: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'sse-test', version: '1.0.0' });
  const transport = new SSEClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

t.test('the SDK SSE client and mcp-remote --transport sse-only list and call tools', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems', 'createItem'] });
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { getItem: false } })).status, 200);

  const client = await connectSse(ws.mcpUrl);
  t.teardown(() => client.close());
  t.same(
    (await client.listTools()).tools.map((tool) => tool.name),
    ['listItems', 'createItem', 'listUsers'],
    'SSE client: the enabled tools',
  );
  const read = await client.callTool({ name: 'listItems', arguments: { limit: 2 } });
  t.equal(JSON.parse(textOf(read)).items.length, 2, 'SSE client: a read call');
  const write = await client.callTool({ name: 'createItem', arguments: { body: { name: 'over-sse' } } });
  t.notOk(write.isError, 'SSE client: a write call');
  t.equal(upstream.received.at(-1)?.headers['x-api-key'], upstream.key, 'the key was added by the gateway');
  const disabled = await client.callTool({ name: 'getItem', arguments: { id: 'itm_0001' } }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.match(disabled?.message, /Tool "getItem" is disabled in this workspace/, "SSE client: a disabled tool's error");

  const remote = await startMcpRemote(t, ws.mcpUrl, ['--transport', 'sse-only']);
  const init = await initialize(remote);
  t.ok(init.result?.serverInfo, `mcp-remote sse-only: initialized ${remote.stderr().slice(-300)}`);
  const list = await remote.request('tools/list');
  t.same(
    list.result?.tools.map((tool: { name: string }) => tool.name),
    ['listItems', 'createItem', 'listUsers'],
    'mcp-remote sse-only: tools listed',
  );
  const made = await remote.request('tools/call', { name: 'createItem', arguments: { body: { name: 'via-remote-sse' } } });
  t.match(made.result?.content?.[0]?.text, /via-remote-sse/, 'mcp-remote sse-only: a write call');
  const got = await remote.request('tools/call', { name: 'listItems', arguments: { limit: 1 } });
  t.match(got.result?.content?.[0]?.text, /"items"/, 'mcp-remote sse-only: a read call');
  const refused = await remote.request('tools/call', { name: 'getItem', arguments: { id: 'itm_0001' } });
  t.match(refused.error?.message, /disabled in this workspace/, "mcp-remote sse-only: a disabled tool's error");

  const logged = (await gw.api('GET', `/api/workspaces/${ws.id}/logs`)).body.items as unknown[];
  t.equal(logged.length, 6, 'calls over SSE reach the call log like any other (three from each client)');
});

t.test('keys mode, unknown sessions, and Streamable HTTP clients still get 405', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });

  const streamable = await fetch(ws.mcpUrl, { headers: { accept: 'text/event-stream', 'mcp-protocol-version': '2025-11-25' } });
  t.equal(streamable.status, 405, "a Streamable HTTP client's notification stream is refused as before");
  t.equal((await fetch(ws.mcpUrl)).status, 405, 'a GET that asks for no event stream too');
  // The endpoint is relative to the stream's URL, so a gateway behind a path prefix names it right.
  const opened = new AbortController();
  const stream = await fetch(ws.mcpUrl, { headers: { accept: 'text/event-stream' }, signal: opened.signal });
  t.equal(stream.headers.get('content-type'), 'text/event-stream');
  const first = new TextDecoder().decode((await stream.body!.getReader().read()).value);
  opened.abort();
  const token = ws.mcpUrl.split('/').pop();
  t.match(first, new RegExp(`^event: endpoint\ndata: ${token}/messages\\?sessionId=[\\w-]{22}\n\n$`), 'the endpoint event, relative');
  const unknown = await fetch(ws.mcpUrl.replace(/.{8}$/, 'xxxxxxxx'), { headers: { accept: 'text/event-stream' } });
  t.equal(unknown.status, 404, 'an unknown workspace');

  const forged = await fetch(`${ws.mcpUrl}/messages?sessionId=nope`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(forged.status, 404);
  t.match(await forged.json(), { error: { message: /reopen the stream/ } });

  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).status, 200);
  const keyless = await fetch(ws.mcpUrl, { headers: { accept: 'text/event-stream' } });
  t.equal(keyless.status, 401, 'keys mode: no stream without a key');
  t.match(keyless.headers.get('www-authenticate'), /^Bearer realm="latchkey"/);
  const key = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'old IDE plugin' })).body.key as string;
  const client = await connectSse(ws.mcpUrl, { authorization: `Bearer ${key}` });
  t.teardown(() => client.close());
  t.notOk((await client.callTool({ name: 'listItems', arguments: { limit: 1 } })).isError, 'keys mode: served with the key');
  const id = (await gw.api('GET', `/api/workspaces/${ws.id}/keys`)).body.keys[0].id as string;
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/keys/${id}`)).status, 204, 'the key revoked');
  const after = await client.callTool({ name: 'listItems', arguments: {} }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.match(after?.message, /HTTP 401/, 'a revoked key is refused on the next message, though its stream is open');
});

t.test('a gateway closes with SSE streams open', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });
  const client = await connectSse(ws.mcpUrl);
  t.teardown(() => client.close());
  const streamEnded = new Promise<string>((resolve) => (client.onerror = (err) => resolve(err.message)));
  t.notOk((await client.callTool({ name: 'listItems', arguments: { limit: 1 } })).isError);
  // Before streams were ended on close, this waited for the client to go away.
  await gw.app.close();
  t.pass('the gateway closed with a stream open');
  t.match(await streamEnded, /SSE/, 'and the client saw its stream end');
});
