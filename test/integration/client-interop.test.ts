// Findings of the interop probe (issue #16), through a real gateway: `<MCP URL>/mcp` serves the
// same workspace (for clients that choose the transport by a URL ending in /mcp); initialize
// without protocolVersion is a params error in one line, not -32603 with a validator dump; and an
// error reaches the SDK client with the "MCP error -32602:" prefix once, not twice.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(body),
  });

t.test('the /mcp alias, initialize without a version, and errors worded once', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });

  const client = await connectClient(t, `${ws.mcpUrl}/mcp`);
  t.ok(
    (await client.listTools()).tools.some((tool) => tool.name === 'listItems'),
    'the SDK client lists tools at <MCP URL>/mcp',
  );
  t.match(textOf(await client.callTool({ name: 'listItems', arguments: { limit: 1 } })), /"items"/, 'and calls one');
  t.equal((await fetch(`${ws.mcpUrl}/mcp`)).status, 405, 'GET is answered as on the URL itself');
  t.equal(
    (await post(`${ws.mcpUrl.replace(/.{8}$/, 'xxxxxxxx')}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' })).status,
    404,
    'a wrong token is still unknown',
  );

  const noVersion = await post(ws.mcpUrl, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
  });
  t.same(await noVersion.json(), {
    jsonrpc: '2.0',
    id: 1,
    error: { code: -32602, message: 'Invalid params for initialize: params.protocolVersion: expected string, received undefined.' },
  });

  const err = await client.callTool({ name: 'noSuchTool', arguments: {} }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(err?.message, /^MCP error -32602: Unknown tool "noSuchTool"/);
  t.notMatch(err?.message, /MCP error -32602: MCP error/, 'the prefix once');
});
