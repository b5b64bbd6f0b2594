// The MCP endpoint at the HTTP level, as a hand-written client would meet it: JSON-RPC errors a
// client can read for every malformed request, 202 for notifications, batches, version checks.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';

t.test('raw JSON-RPC over POST', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream);
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(ws.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });

  const init = await post(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  );
  t.equal(init.status, 200);
  t.match(init.headers.get('content-type'), /application\/json/);
  t.match(await init.json(), { jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'latchkey' }, capabilities: { tools: {} } } });
  t.notOk(init.headers.get('mcp-session-id'), 'stateless: no session id');

  const note = await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  t.equal(note.status, 202, 'notifications are accepted with 202');
  t.equal(await note.text(), '');

  const batch = await post(
    JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'tools/list' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'listUsers', arguments: {} } },
    ]),
  );
  const answers = (await batch.json()) as { id: string; result: any }[];
  t.same(
    answers.map((a) => a.id),
    ['a', 'b'],
    'a batch is answered in order',
  );
  t.ok(answers[0].result.tools.length >= 3);
  t.notOk(answers[1].result.isError);

  const ping = await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }));
  t.same(await ping.json(), { jsonrpc: '2.0', id: 9, result: {} });

  const unknownMethod = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'resources/list' }));
  t.match(await unknownMethod.json(), { id: 3, error: { code: -32601 } });

  const parse = await post('{"jsonrpc": "2.0", ');
  t.equal(parse.status, 400);
  t.match(await parse.json(), { jsonrpc: '2.0', error: { code: -32700 }, id: null });

  // A prototype-poisoning key is refused by name, not reported as broken JSON.
  const poisoned = await post(
    '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"listItems","arguments":{"__proto__":{"x":1}}}}',
  );
  t.equal(poisoned.status, 400);
  t.match(
    await poisoned.json(),
    { error: { code: -32600, message: /"__proto__" key/ } },
    'a __proto__ key is refused with a message naming it',
  );

  const notRpc = await post(JSON.stringify({ hello: 'world' }));
  t.equal(notRpc.status, 400);
  t.match(await notRpc.json(), { error: { code: -32600 } });

  const badAccept = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), { accept: 'text/html' });
  t.equal(badAccept.status, 406);

  const badType = await fetch(ws.mcpUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ping' });
  t.equal(badType.status, 415);
  t.match(await badType.json(), { error: { code: -32000 } });

  const badVersion = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), { 'mcp-protocol-version': '1999-01-01' });
  t.equal(badVersion.status, 400);
  t.match(await badVersion.json(), {
    id: null,
    error: { code: -32022, message: /Unsupported protocol version/, data: { requested: '1999-01-01' } },
  });

  const badArgs = await post(
    JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'listItems', arguments: { limit: 1, bogus: true } } }),
  );
  const badArgsBody = (await badArgs.json()) as { result: { isError: boolean; content: { text: string }[] } };
  t.equal(badArgsBody.result.isError, true, 'an unknown argument is an isError result');
  t.match(badArgsBody.result.content[0].text, /bogus/);

  // A malformed tools/call is a protocol error naming the field, not a tool result.
  for (const [params, field] of [
    [{ arguments: {} }, 'name'],
    [{ name: 7 }, 'name'],
    [{ name: 'listItems', arguments: [1] }, 'arguments'],
    [undefined, 'name'],
  ] as const) {
    const bad = await post(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params }));
    t.equal(bad.status, 200);
    t.match(
      await bad.json(),
      { id: 5, error: { code: -32602, message: new RegExp(`Invalid tools/call request: "${field}"`) } },
      JSON.stringify(params),
    );
  }
  const noArgs = await post(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'listItems' } }));
  t.match(await noArgs.json(), { id: 6, result: { content: [{ type: 'text' }] } }, 'arguments may be left out');
});
