// MCP 2026-07-28 beside the 2025 revisions on one workspace URL (issue #16): the SDK v2 client
// (@modelcontextprotocol/client) negotiating by itself and pinned to 2026-07-28, the SDK v1
// client on the same URL, and the revision's rules on the wire — _meta, the mirrored headers,
// the version error, removed methods, result fields — checked request by request.
import t, { type Test } from 'tap';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'wire-probe', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Sent {
  method: string;
  params?: Record<string, unknown>;
  id?: number | string;
  headers?: Record<string, string>;
  /** Leave the standard headers out (each test names what it sends). */
  bare?: boolean;
}

/** One JSON-RPC message over HTTP, with the headers a 2026-07-28 client sends unless told otherwise. */
async function send(url: string, { method, params, id = 1, headers = {}, bare }: Sent) {
  const standard: Record<string, string> = bare
    ? {}
    : { 'mcp-protocol-version': MODERN, 'mcp-method': method, ...(typeof params?.name === 'string' && { 'mcp-name': params.name }) };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...standard, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, ...(params && { params }) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function connectV2(t: Test, url: string, mode: 'auto' | 'legacy' | { pin: string }) {
  const client = new ClientV2({ name: 'sdk-v2-test', version: '1.0.0' }, { versionNegotiation: { mode } });
  const transport = new TransportV2(new URL(url));
  await client.connect(transport);
  t.teardown(() => client.close());
  return { client, transport };
}

t.test('the SDK v2 client speaks 2026-07-28 and the SDK v1 client 2025-11-25, on the same URL', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems', 'createItem'] });
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { getItem: false } })).status, 200, 'getItem disabled');

  for (const mode of ['auto', { pin: MODERN }] as const) {
    const label = mode === 'auto' ? 'v2 auto' : 'v2 pinned';
    const { client, transport } = await connectV2(t, ws.mcpUrl, mode);
    t.equal(transport.protocolVersion, MODERN, `${label}: 2026-07-28 negotiated through server/discover`);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    t.same(names, ['listItems', 'createItem', 'listUsers'], `${label}: the enabled tools, in the spec's order`);
    const read = await client.callTool({ name: 'listItems', arguments: { limit: 2 } });
    t.notOk(read.isError, `${label}: a read call`);
    t.equal(JSON.parse(textOf(read)).items.length, 2);
    const write = await client.callTool({ name: 'createItem', arguments: { body: { name: `made-${label}` } } });
    t.notOk(write.isError, `${label}: a write call`);
    t.equal(upstream.received.at(-1)?.headers['x-api-key'], upstream.key, `${label}: the key was added by the gateway`);
    const disabled = await client.callTool({ name: 'getItem', arguments: { id: 'itm_0001' } }).then(
      () => undefined,
      (err: Error) => err,
    );
    t.match(disabled?.message, /Tool "getItem" is disabled in this workspace/, `${label}: a disabled tool's error says so`);
  }

  const { transport: legacyV2 } = await connectV2(t, ws.mcpUrl, 'legacy');
  t.equal(legacyV2.protocolVersion, '2025-11-25', 'v2 in legacy mode: initialize, 2025-11-25');
  const v1 = await connectClient(t, ws.mcpUrl);
  t.equal(v1.getServerVersion()?.name, 'latchkey', 'v1: initialize answered');
  t.notOk((await v1.callTool({ name: 'listItems', arguments: { limit: 1 } })).isError, 'v1: a call, beside the v2 clients');
  const logged = (await gw.api('GET', `/api/workspaces/${ws.id}/logs`)).body.items as { tool: string }[];
  t.equal(logged.length, 7, "every era's calls reach the call log (two clients × three calls, and v1's one)");
});

t.test('2026-07-28 on the wire: results, _meta, headers, versions and removed methods', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });
  const url = ws.mcpUrl;

  const discover = await send(url, { method: 'server/discover', params: { _meta: META }, id: 'd-1' });
  t.equal(discover.status, 200);
  t.match(discover.body, {
    id: 'd-1',
    result: {
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'latchkey', version: String } },
      supportedVersions: [MODERN, '2025-11-25', '2025-06-18', '2025-03-26'],
      capabilities: { tools: {} },
      instructions: /Items API/,
    },
  });

  const list = await send(url, { method: 'tools/list', params: { _meta: META } });
  t.match(list.body.result, { resultType: 'complete', ttlMs: 60_000, cacheScope: 'private', tools: [{ name: 'listItems' }] });
  t.ok(list.body.result._meta['io.modelcontextprotocol/serverInfo'], 'the server names itself in every result');

  const call = await send(url, { method: 'tools/call', params: { name: 'listItems', arguments: { limit: 1 }, _meta: META } });
  t.equal(call.status, 200);
  t.match(call.body.result, { resultType: 'complete', content: [{ type: 'text' }], structuredContent: { items: Array } });
  t.equal(call.body.result.isError, undefined, 'a successful call');
  const encoded = await send(url, {
    method: 'tools/call',
    params: { name: 'listItems', arguments: { limit: 1 }, _meta: META },
    headers: { 'mcp-name': `=?base64?${Buffer.from('listItems').toString('base64')}?=` },
  });
  t.equal(encoded.body.result?.resultType, 'complete', 'Mcp-Name in the =?base64?…?= encoding is decoded');
  const withoutClientInfo = await send(url, {
    method: 'tools/list',
    params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} } },
  });
  t.equal(withoutClientInfo.status, 200, 'clientInfo is optional');

  const refusals: [string, Sent, number, number][] = [
    ['no _meta', { method: 'tools/list', params: {} }, 400, -32602],
    [
      'no protocol version in _meta',
      { method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/clientCapabilities': {} } } },
      400,
      -32602,
    ],
    [
      'no client capabilities in _meta',
      { method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } } },
      400,
      -32602,
    ],
    [
      'no MCP-Protocol-Version header',
      { method: 'tools/list', params: { _meta: META }, bare: true, headers: { 'mcp-method': 'tools/list' } },
      400,
      -32020,
    ],
    [
      'header and _meta disagree',
      { method: 'tools/list', params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } },
      400,
      -32020,
    ],
    [
      'no Mcp-Method header',
      { method: 'tools/list', params: { _meta: META }, bare: true, headers: { 'mcp-protocol-version': MODERN } },
      400,
      -32020,
    ],
    ['Mcp-Method differs in case', { method: 'tools/list', params: { _meta: META }, headers: { 'mcp-method': 'TOOLS/LIST' } }, 400, -32020],
    [
      'Mcp-Name names another tool',
      { method: 'tools/call', params: { name: 'listItems', arguments: {}, _meta: META }, headers: { 'mcp-name': 'deleteEverything' } },
      400,
      -32020,
    ],
    [
      'no Mcp-Name header',
      {
        method: 'tools/call',
        params: { name: 'listItems', arguments: {}, _meta: META },
        bare: true,
        headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call' },
      },
      400,
      -32020,
    ],
    [
      'Mcp-Name is not valid base64',
      { method: 'tools/call', params: { name: 'listItems', arguments: {}, _meta: META }, headers: { 'mcp-name': '=?base64?%%%?=' } },
      400,
      -32020,
    ],
    ['initialize, which 2026-07-28 removed', { method: 'initialize', params: { _meta: META } }, 404, -32601],
    ['ping, likewise', { method: 'ping', params: { _meta: META } }, 404, -32601],
    ['a method never served', { method: 'prompts/list', params: { _meta: META } }, 404, -32601],
  ];
  const callsBefore = upstream.stats().requests;
  for (const [what, sent, status, code] of refusals) {
    const answer = await send(url, { ...sent, id: 77 });
    t.equal(answer.status, status, `${what}: HTTP ${status}`);
    t.match(answer.body, { jsonrpc: '2.0', id: 77, error: { code, message: String } }, `${what}: ${code}, with the request's id`);
  }
  t.equal(upstream.stats().requests, callsBefore, 'no refused request reached the API');

  const future = await send(url, {
    method: 'tools/list',
    params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
    headers: { 'mcp-protocol-version': '2099-01-01' },
  });
  t.equal(future.status, 400);
  t.match(
    future.body.error,
    { code: -32022, data: { requested: '2099-01-01', supported: [MODERN, '2025-11-25'] } },
    'the versions served, listed',
  );

  const batch = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
    body: JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }]),
  });
  t.equal(batch.status, 400, 'no batches in 2026-07-28');
  t.match(await batch.json(), { error: { code: -32600, message: /not in a batch/ } });

  const notification = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'mcp-protocol-version': MODERN, 'mcp-method': 'notifications/cancelled' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { _meta: META } }),
  });
  t.equal(notification.status, 202, 'a notification is accepted');

  // The 2025 wire is untouched: initialize still answers, and an unknown version header gets the
  // same -32022 a dual-era client reads the versions from.
  const init = await send(url, {
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'old', version: '1' } },
    bare: true,
  });
  t.match(init.body.result, { protocolVersion: '2025-06-18', serverInfo: { name: 'latchkey' } });
  t.equal(init.body.result.resultType, undefined, 'no 2026 fields in a 2025 result');
  const old = await send(url, { method: 'tools/list', bare: true, headers: { 'mcp-protocol-version': '2024-01-01' } });
  t.match(old, { status: 400, body: { error: { code: -32022, data: { requested: '2024-01-01' } } } });
});

t.test('a workspace that requires access keys asks for one in 2026-07-28 too', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).status, 200);
  const keyless = await send(ws.mcpUrl, { method: 'server/discover', params: { _meta: META } });
  t.equal(keyless.status, 401, 'refused before anything else');
  const created = await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'modern agent' });
  t.equal(created.status, 201);
  const withKey = await send(ws.mcpUrl, {
    method: 'tools/call',
    params: { name: 'listItems', arguments: { limit: 1 }, _meta: META },
    headers: { authorization: `Bearer ${created.body.key}` },
  });
  t.equal(withKey.body.result?.resultType, 'complete', 'served with its key');
});

t.test("the spec's description and logo: instructions and icons in both eras, gone with a spec that has none", async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });
  const spec = await (await fetch(`${upstream.url}/openapi.json`)).json();
  const logo = 'https://cdn.example.com/items-logo.png';
  const about = `Items of the shop. ${'Every item has a name and a price. '.repeat(80)}`;
  const upload = async (info: object) => gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify({ ...spec, info }) });
  t.equal((await upload({ ...spec.info, description: about, 'x-logo': { url: logo } })).status, 200);

  const v1 = await connectClient(t, ws.mcpUrl);
  const instructions = v1.getInstructions() ?? '';
  t.match(
    instructions,
    /^Tools for "Items API", served by Latchkey\. .*\n\nAbout the API, from its OpenAPI description:\nItems of the shop\./s,
  );
  t.ok(instructions.length < 1_800, `the description is quoted bounded (${instructions.length} characters of ${about.length})`);
  t.match(instructions, /price\. \[…\]$/, 'and cut at a sentence');
  t.same(v1.getServerVersion()?.icons, [{ src: logo }], '2025: the server has the logo as its icon');
  const tools = (await v1.listTools()).tools;
  t.ok(
    tools.every((tool) => tool.icons?.[0]?.src === logo),
    'and so has every tool',
  );

  const discover = await send(ws.mcpUrl, { method: 'server/discover', params: { _meta: META } });
  t.same(discover.body.result._meta['io.modelcontextprotocol/serverInfo'].icons, [{ src: logo }], '2026: discover names the icon');
  t.equal(discover.body.result.instructions, instructions, 'and gives the same instructions');
  const call = await send(ws.mcpUrl, { method: 'tools/call', params: { name: 'listItems', arguments: { limit: 1 }, _meta: META } });
  t.same(
    call.body.result._meta['io.modelcontextprotocol/serverInfo'],
    { name: 'latchkey', version: '0.1.0' },
    'a call result names the server without repeating the icon',
  );

  const refused = await upload({
    title: spec.info.title,
    version: spec.info.version,
    'x-logo': { url: 'http://cdn.example.com/logo.png' },
  });
  t.match(refused.body.warnings, [{ message: /x-logo url is not https/ }], 'an http logo is a warning at upload');
  const v1Again = await connectClient(t, ws.mcpUrl);
  t.equal(v1Again.getServerVersion()?.icons, undefined, 'and no icon');
  t.notMatch(v1Again.getInstructions() ?? '', /About the API/, 'a spec without a description adds nothing to the instructions');
});
