// Passthrough forwards a caller's credentials and nothing that steers the upstream: only
// Authorization, X-API-Key, the spec's apiKey headers and what the admin lists go out; a method
// override (X-HTTP-Method-Override: DELETE from a read-only key) refuses the call, and a URL
// rewrite header (which a proxy in front of the gateway may add) is dropped. Asserted on what the
// upstream actually received.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { passthroughHeaderNames } from '../../server/modules/upstream/index.js';

const METHOD_OVERRIDES = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'];
const URL_OVERRIDES = ['X-Original-URL', 'X-Rewrite-URL', 'X-Original-Method', 'X-Original-URI', 'X-Host'];
const OVERRIDES = [...METHOD_OVERRIDES, ...URL_OVERRIDES];

t.test("a read key's routing headers never reach the upstream; credentials and admin-listed headers do", async (t) => {
  const marker = `PASSMARK${randomBytes(6).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'none', echo: true });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'passthrough' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { deleteItem: true } });
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'passthrough', forward: ['X-Tenant-Token'] });
  t.equal(saved.status, 200, saved.text);
  t.match(saved.body, { type: 'passthrough', forward: ['X-Tenant-Token'] }, 'the list is shown');
  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const key = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'reader', scope: 'read' })).body.key as string;

  const caller = {
    'X-Latchkey-Key': key,
    Authorization: `Bearer a_${marker}`,
    'X-Api-Key': `k_${marker}`,
    'X-Tenant-Token': `tt_${marker}`,
    'X-Unlisted': `u_${marker}`,
  };
  const client = await connectClient(t, ws.mcpUrl, caller);
  const echoed = await client.callTool({ name: 'echoRequest', arguments: {} });
  t.notOk(echoed.isError, textOf(echoed));
  const got = upstream.received.at(-1)!;
  t.equal(got.headers.authorization, `Bearer a_${marker}`, 'Authorization forwarded');
  t.equal(got.headers['x-api-key'], `k_${marker}`, 'X-API-Key forwarded');
  t.equal(got.headers['x-tenant-token'], `tt_${marker}`, 'the admin-listed header forwarded');
  t.notOk(got.headers['x-unlisted'], 'an unlisted header is not');
  t.notOk(got.headers['x-latchkey-key'], "nor Latchkey's own");
  const shown = JSON.stringify(echoed);
  t.notOk(shown.includes(marker), "the caller's forwarded values are masked in what the upstream echoed");

  for (const name of METHOD_OVERRIDES) {
    const before = upstream.received.length;
    const steering = await connectClient(t, ws.mcpUrl, { ...caller, [name]: 'DELETE' });
    const result = await steering.callTool({ name: 'getItem', arguments: { id: 'itm_0001' } });
    t.ok(result.isError, `${name}: the call is refused`);
    t.match(textOf(result), new RegExp(`"${name.toLowerCase()}" would change the method`), `${name}: and says why`);
    t.equal(upstream.received.length, before, `${name}: nothing reached the upstream`);
  }
  for (const name of URL_OVERRIDES) {
    const steering = await connectClient(t, ws.mcpUrl, { ...caller, [name]: name === 'X-Original-Method' ? 'DELETE' : '/api/users' });
    const result = await steering.callTool({ name: 'echoRequest', arguments: {} });
    t.notOk(result.isError, `${name}: the call goes out`);
    const sent = upstream.received.at(-1)!;
    t.equal(sent.path, '/api/echo', `${name}: to the tool's own path`);
    t.notOk(sent.headers[name.toLowerCase()], `${name}: without the header`);
  }
  const listed = await (await connectClient(t, ws.mcpUrl, { ...caller, 'X-HTTP-Method-Override': 'DELETE' })).listTools();
  t.notOk(
    listed.tools.some((tool) => tool.name === 'deleteItem'),
    'the read key still sees no delete tool',
  );
  const refused = (await gw.api('GET', `/api/workspaces/${ws.id}/logs?limit=20`)).body.items as { ok: boolean; error?: string }[];
  t.ok(
    refused.some((row) => !row.ok && /would change the method/.test(row.error ?? '')),
    'the refusal is in the call log',
  );
});

t.test('routing headers cannot be listed; the setting is refused and the old one kept', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'passthrough settings' });
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'passthrough', forward: ['X-Tenant-Token'] })).status, 200);
  for (const name of [...OVERRIDES, 'X-Forwarded-Host', 'Forwarded', 'Host', 'Cookie', 'X-Latchkey-Key', 'Content-Type', 'bad name']) {
    const res = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'passthrough', forward: ['X-Ok', name] });
    t.equal(res.status, 422, `${name}: refused`);
    t.match(res.body, { error: { code: 'LK_AUTH_INVALID', message: new RegExp(`forward`) } }, `${name}: ${res.body?.error?.message}`);
  }
  t.match((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'passthrough', forward: 'X-One' })).body, {
    error: { message: /"forward" must be a list/ },
  });
  t.match((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'bearer', token: 'abcd', forward: ['X-One'] })).body, {
    error: { message: /applies to type "passthrough" only/ },
  });
  t.match(
    (await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body,
    { type: 'passthrough', forward: ['X-Tenant-Token'] },
    'the saved setting is unchanged',
  );
});

t.test("the spec's apiKey header is forwarded without being listed", async (t) => {
  const upstream = await startTestServer({ mode: 'apikey', echo: true });
  t.teardown(() => upstream.close());
  const doc = (await (await fetch(`${upstream.url}/openapi.json`)).json()) as { components: { securitySchemes: Record<string, unknown> } };
  doc.components.securitySchemes = {
    ShopKey: { type: 'apiKey', in: 'header', name: 'X-Shop-Key' },
    ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
  };
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'declared' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(doc) })).status, 200);
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'passthrough' })).status, 200);
  const client = await connectClient(t, ws.mcpUrl, { 'X-Shop-Key': 'shop-1234', 'X-Api-Key': upstream.key, 'X-Other': 'other' });
  const result = await client.callTool({ name: 'listItems', arguments: { limit: 1 } });
  t.notOk(result.isError, textOf(result));
  const got = upstream.received.at(-1)!.headers;
  t.equal(got['x-shop-key'], 'shop-1234', 'the declared header');
  t.equal(got['x-api-key'], upstream.key);
  t.notOk(got['x-other']);

  t.same(
    [
      ...passthroughHeaderNames([{ key: 'a', type: 'apiKey', in: 'header', name: 'X-HTTP-Method-Override' }], ['X-Rewrite-URL', 'X-Fine']),
    ].sort(),
    ['authorization', 'x-api-key', 'x-fine'],
    'an override is dropped even if a spec declares it',
  );
});
