// The whole promise end to end over real sockets: workspace, spec by URL, key saved once, tools
// listed and called with the SDK client, the key injected upstream and never held by the client.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

t.test('create, upload, save the key, list and call tools through the MCP URL', async (t) => {
  const key = `ts_CORE_${randomBytes(8).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'apikey', key });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);

  const created = await gw.api('POST', '/api/workspaces', { name: 'Items API' });
  t.equal(created.status, 201);
  t.match(created.body, { name: 'Items API', slug: 'items-api', baseUrl: null });
  t.match(created.body.mcpUrl, new RegExp(`^${gw.url}/mcp/items-api-[a-z2-7]{32}$`), 'an opaque URL with >=128 random bits');
  const id = created.body.id;

  const spec = await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.equal(spec.status, 200, spec.text);
  t.match(spec.body, { status: 'ready', openapi: '3.0.3', toolCount: 5, warnings: [] });
  t.equal((await gw.api('GET', `/api/workspaces/${id}`)).body.baseUrl, upstream.url, 'base URL from the spec');
  t.match((await gw.api('GET', `/api/workspaces/${id}/spec`)).body, { title: spec.body.title, toolCount: 5, uploadedAt: String });

  const tools = (await gw.api('GET', `/api/workspaces/${id}/tools`)).body.tools as {
    name: string;
    enabled: boolean;
    annotations: Record<string, unknown>;
  }[];
  t.same(
    Object.fromEntries(tools.map((x) => [x.name, x.enabled])),
    { listItems: true, createItem: false, getItem: true, deleteItem: false, listUsers: true },
    'read-only tools on by default, the rest off',
  );
  t.match(tools.find((x) => x.name === 'deleteItem')?.annotations, { destructiveHint: true, idempotentHint: true, readOnlyHint: false });
  t.match(tools.find((x) => x.name === 'listItems')?.annotations, { readOnlyHint: true });

  const auth = await gw.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', value: key });
  t.equal(auth.status, 200);
  t.same(
    auth.body,
    {
      type: 'api_key',
      environment: 'live',
      in: 'header',
      name: 'X-Api-Key',
      saved: true,
      updatedAt: auth.body.updatedAt,
      origin: upstream.url,
      held: false,
    },
    "name and location from the spec; no value; bound to the base URL's origin",
  );
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools/createItem`, { enabled: true })).body.enabled, true);

  const client = await connectClient(t, created.body.mcpUrl);
  const listed = await client.listTools();
  t.same(listed.tools.map((x) => x.name).sort(), ['createItem', 'getItem', 'listItems', 'listUsers'], 'enabled tools only');
  const listItems = listed.tools.find((x) => x.name === 'listItems')!;
  t.match(listItems.inputSchema, { type: 'object', properties: { limit: {}, q: {} } });

  const list = await client.callTool({ name: 'listItems', arguments: { limit: 3 } });
  t.notOk(list.isError, textOf(list));
  t.equal((list.structuredContent as { items: unknown[] }).items.length, 3, 'structuredContent is the upstream JSON');
  t.match(textOf(list), /widget-0001/);
  const sent = upstream.received.at(-1)!;
  t.equal(sent.path, '/api/items?limit=3');
  t.equal(sent.headers['x-api-key'], key, 'the upstream saw the key');

  const made = await client.callTool({ name: 'createItem', arguments: { body: { name: 'gadget', price: 9.5, tags: ['new'] } } });
  t.notOk(made.isError, textOf(made));
  const item = made.structuredContent as { id: string; name: string };
  t.equal(item.name, 'gadget');
  t.same(JSON.parse(upstream.received.at(-1)!.body), { name: 'gadget', price: 9.5, tags: ['new'] }, 'JSON body sent as given');
  const got = await client.callTool({ name: 'getItem', arguments: { id: item.id } });
  t.equal((got.structuredContent as { name: string }).name, 'gadget', 'getItem finds the created item');

  const before = upstream.stats().requests;
  await t.rejects(
    client.callTool({ name: 'deleteItem', arguments: { id: item.id } }),
    { code: -32602, message: /deleteItem/ },
    'a disabled tool is not callable',
  );
  await t.rejects(client.callTool({ name: 'noSuchTool', arguments: {} }), { code: -32602, message: /noSuchTool/ }, 'nor is an unknown one');
  const wrongType = await client.callTool({ name: 'listItems', arguments: { limit: 'many' } });
  t.ok(wrongType.isError);
  t.match(textOf(wrongType), /limit/, 'the message names the bad field');
  const traversal = await client.callTool({ name: 'getItem', arguments: { id: '..' } });
  t.ok(traversal.isError, 'a ".." path argument is refused');
  const encodedTraversal = await client.callTool({ name: 'getItem', arguments: { id: '%2e%2E' } });
  t.ok(encodedTraversal.isError, 'an encoded ".." too');
  t.equal(upstream.stats().requests, before, 'refused calls never reached the upstream');

  const missing = await client.callTool({ name: 'getItem', arguments: { id: 'nope' } });
  t.ok(missing.isError);
  t.match(textOf(missing), /404/);

  // A wrong key saved: the model reads a clear 401.
  await gw.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', value: 'ts_wrong' });
  const denied = await client.callTool({ name: 'listItems', arguments: {} });
  t.ok(denied.isError);
  t.match(textOf(denied), /401/);
  t.match(textOf(denied), /INVALID_API_KEY/);

  const logs = await gw.api('GET', `/api/workspaces/${id}/logs?limit=50`);
  t.equal(logs.status, 200);
  const items = logs.body.items as { tool: string; ok: boolean; status: number | null; url: string | null; caller: string }[];
  t.same(
    items.map((x) => x.tool),
    ['listItems', 'getItem', 'getItem', 'getItem', 'listItems', 'noSuchTool', 'deleteItem', 'getItem', 'createItem', 'listItems'],
    'every call, refused ones included, newest first',
  );
  t.match(items[0], { ok: false, status: 401, caller: 'url' });
  t.match(items.at(-1), { tool: 'listItems', ok: true, status: 200, url: `${upstream.url}/api/items?limit=3` });
  const page1 = await gw.api('GET', `/api/workspaces/${id}/logs?limit=4`);
  t.equal(page1.body.items.length, 4);
  const page2 = await gw.api('GET', `/api/workspaces/${id}/logs?limit=4&cursor=${page1.body.nextCursor}`);
  t.same(
    page2.body.items.map((x: { tool: string }) => x.tool),
    items.slice(4, 8).map((x) => x.tool),
    'cursor paging',
  );
  const failures = await gw.api('GET', `/api/workspaces/${id}/logs?ok=false`);
  t.ok(failures.body.items.every((x: { ok: boolean }) => !x.ok));
  t.equal((await gw.api('GET', `/api/workspaces/${id}`)).body.lastCallAt, items[0] && (logs.body.items[0].at as string));
});

t.test('a re-upload keeps the toggles of tools that still exist', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'toggles' });
  await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { createItem: true, listUsers: false } });
  const again = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.same(again.body.changes, { added: [], removed: [], changed: [] });
  const tools = (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools as { name: string; enabled: boolean }[];
  t.same(Object.fromEntries(tools.map((x) => [x.name, x.enabled])), {
    listItems: true,
    createItem: true,
    getItem: true,
    deleteItem: false,
    listUsers: false,
  });
  const bulkBad = await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { listItems: false, nope: true } });
  t.equal(bulkBad.status, 400);
  t.match(bulkBad.body.error.message, /"nope"/);
  t.equal(
    (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools[0].enabled,
    true,
    'a bulk change naming an unknown tool changes nothing',
  );
});

t.test('the MCP endpoint refuses unknown URLs and non-POST methods', async (t) => {
  const gw = await startGateway(t);
  const unknown = await fetch(`${gw.url}/mcp/items-api-${'a'.repeat(32)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(unknown.status, 404);
  t.match(await unknown.json(), { jsonrpc: '2.0', error: { code: -32001 } });
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'x' });
  const get = await fetch(ws.mcpUrl);
  t.equal(get.status, 405);
  const rotatedAway = await fetch(`${gw.url}/mcp/../api/workspaces`, { method: 'POST' });
  t.equal(rotatedAway.status, 401, 'path tricks do not reach the API unauthenticated');
});
