// Responses sized for a model, through the gateway (issue #15): every tool takes a
// `response_filter`; an answer above the workspace's budget is cut as JSON stays JSON, with a
// note naming the API's own paging arguments; a filter that cannot parse costs no call; a
// secret the API echoes stays masked in whatever the filter keeps.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { startRecordingServer } from '../modules/upstream/fixtures/helpers.js';
import { storedBytes } from '../helpers/stored-bytes.js';

const json = { 'application/json': { schema: { type: 'object' } } };
const spec = {
  openapi: '3.0.3',
  info: { title: 'Shop', version: '1' },
  paths: {
    '/orders': {
      get: {
        operationId: 'listOrders',
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer' } },
          { name: 'per_page', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { '200': { description: 'OK', content: json } },
      },
      post: { operationId: 'createOrder', responses: { '201': { description: 'Created', content: json } } },
    },
    '/echo': { get: { operationId: 'echo', responses: { '200': { description: 'OK', content: json } } } },
  },
};

t.test('filters, budgets and cuts, end to end', async (t) => {
  const marker = `shape_${randomBytes(8).toString('hex')}`;
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  const orders = Array.from({ length: 34_000 }, (_, i) => ({
    id: i,
    customer: `customer-${i}`,
    lines: [{ sku: `sku-${i}`, quantity: 1 + (i % 5) }],
    note: 'n'.repeat(100),
  }));
  const big = JSON.stringify({ total: orders.length, orders });
  api.on('/openapi.json', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(spec));
  });
  api.on('/orders', (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.statusCode = req.method === 'POST' ? 201 : 200;
    res.end(req.method === 'POST' ? '{"id":7,"status":"new"}' : big);
  });
  api.on('/echo', (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ seen: { key: req.headers['x-api-key'] }, other: 1 }));
  });

  const gw = await startGateway(t);
  const { id, mcpUrl } = (await gw.api('POST', '/api/workspaces', { name: 'Shop' })).body;
  await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${api.origin}/openapi.json` });
  await gw.api('PATCH', `/api/workspaces/${id}`, { baseUrl: api.origin });
  await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: { listOrders: true, createOrder: true, echo: true } });
  t.equal(
    (await gw.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', in: 'header', name: 'X-API-Key', value: marker })).status,
    200,
  );
  t.equal((await gw.api('GET', `/api/workspaces/${id}`)).body.responseBudget, 25_000, 'the default budget');

  const client = await connectClient(t, mcpUrl);
  const tools = (await client.listTools()).tools;
  for (const tool of tools)
    t.ok((tool.inputSchema.properties as Record<string, unknown>).response_filter, `${tool.name} takes response_filter`);

  t.ok(big.length > 5_000_000, `the API answers ${(big.length / 1e6).toFixed(1)} MB`);
  const whole = await client.callTool({ name: 'listOrders', arguments: {} });
  t.notOk(whole.isError);
  const [text, note] = (whole.content as { text: string }[]).map((c) => c.text);
  t.ok(text.length <= 100_000, `cut to ${text.length} characters (25,000 tokens)`);
  const shown = JSON.parse(text) as { total: number; orders: unknown[] };
  t.equal(shown.total, 34_000);
  t.same(shown.orders[0], orders[0]);
  t.same(whole.structuredContent, shown, 'structuredContent is what the text shows');
  t.match(
    note,
    /"orders" shows \d+ of 34,000 items .* page with the tool's "page" and "per_page" arguments, or keep only the fields you need with "response_filter"/,
  );

  const filtered = await client.callTool({
    name: 'listOrders',
    arguments: { response_filter: 'orders[?id < `3`].{id: id, sku: lines[0].sku}', page: 2 },
  });
  t.notOk(filtered.isError, textOf(filtered));
  t.same(JSON.parse(textOf(filtered)), [
    { id: 0, sku: 'sku-0' },
    { id: 1, sku: 'sku-1' },
    { id: 2, sku: 'sku-2' },
  ]);
  t.equal(api.requests.at(-1)!.url, '/orders?page=2', 'the filter is not sent to the API; the other arguments are');
  const count = await client.callTool({ name: 'listOrders', arguments: { response_filter: 'length(orders)' } });
  t.equal(textOf(count), '34000');

  const sent = api.requests.length;
  const invalid = await client.callTool({ name: 'createOrder', arguments: { response_filter: 'id[' } });
  t.ok(invalid.isError);
  t.match(textOf(invalid), /"response_filter" is not a valid JMESPath expression .* Nothing was sent to the API/);
  t.equal(api.requests.length, sent, 'nothing was sent');
  const failing = await client.callTool({ name: 'createOrder', arguments: { response_filter: 'length(id)' } });
  t.ok(failing.isError);
  t.match(textOf(failing), /The API answered 201 Created, but "response_filter" could not be applied .* The call took effect/);
  t.equal(api.requests.length, sent + 1, 'sent once, not again');

  // A secret the API echoes is masked in whatever the filter keeps.
  const echoed = await client.callTool({ name: 'echo', arguments: { response_filter: 'seen' } });
  t.notMatch(JSON.stringify(echoed), marker);
  t.match(textOf(echoed), /"key": "\*+"/);

  // The budget is the workspace's: larger, or none at all.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { responseBudget: 500 })).status, 400, 'too small to hold anything');
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { responseBudget: 0 })).body.responseBudget, 0);
  const unbounded = await connectClient(t, mcpUrl);
  const all = await unbounded.callTool({ name: 'listOrders', arguments: {} });
  t.equal((all.content as unknown[]).length, 1, 'no note');
  t.equal((JSON.parse(textOf(all)) as { orders: unknown[] }).orders.length, 34_000, 'every item');
  t.equal(
    (await gw.api('PATCH', `/api/workspaces/${id}`, { responseBudget: null })).body.responseBudget,
    25_000,
    'null: the default again',
  );

  await gw.app.gateway.callLog.flush();
  const logged = await gw.api('GET', `/api/workspaces/${id}/logs?limit=50`);
  t.ok(
    (logged.body.items as { tool: string }[]).some((entry) => entry.tool === 'echo'),
    'the filtered calls were logged',
  );
  t.notMatch(logged.text, marker, 'the call log answers no key');
  t.notOk((await storedBytes(gw)).includes(marker), 'nor holds it in the stored data');
  t.notMatch(gw.logs(), marker, 'nor does the process log');
});
