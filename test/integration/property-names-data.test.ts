// Issue #17: schema property names are data. `constructor`, `__proto__`, `toString`… in allOf
// branches, in plain properties and as parameters used to break merging (`{"allOf":[null,…]}`)
// or vanish; here they survive into the tool's input schema and reach the upstream by name.
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { startRecordingServer } from '../modules/upstream/fixtures/helpers.js';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

// Built as JSON text: an object literal with a `__proto__` key would set a prototype instead.
function propertiesJson(note: string): string {
  return `{${NAMES.map((n) => `"${n}": {"type": "string", "description": "${n} (${note})"}`).join(',')}}`;
}

function specText(origin: string): string {
  const params = NAMES.map((n) => `{"name": "${n}", "in": "query", "schema": {"type": "string"}}`).join(',');
  return `{
    "openapi": "3.0.3", "info": {"title": "Names", "version": "1"}, "servers": [{"url": "${origin}"}],
    "paths": {
      "/merged": {"post": {"operationId": "merged",
        "requestBody": {"content": {"application/json": {"schema": {"allOf": [
          {"$ref": "#/components/schemas/Base"},
          {"type": "object", "properties": ${propertiesJson('extra')}, "required": ["constructor", "toString"]}
        ]}}}},
        "responses": {"200": {"description": "ok"}}}},
      "/plain": {"post": {"operationId": "plain",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": ${propertiesJson('plain')}}}}},
        "responses": {"200": {"description": "ok"}}}},
      "/params": {"get": {"operationId": "params", "parameters": [${params}], "responses": {"200": {"description": "ok"}}}}
    },
    "components": {"schemas": {"Base": {"type": "object", "properties": ${propertiesJson('base')}}}}
  }`;
}

function ownKeys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

t.test('constructor, __proto__ and toString survive allOf merging, plain properties and parameters', async (t) => {
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'names' });
  const uploaded = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: specText(api.origin) });
  t.equal(uploaded.status, 200, uploaded.text);
  await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { merged: true, plain: true, params: true } });

  // Read as the bytes served: the SDK client's own parsing would drop a `__proto__` key itself.
  const listed = await fetch(ws.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const listText = await listed.text();
  t.notMatch(listText, /\[null/, 'no null merged into any schema');
  const tools = (JSON.parse(listText) as { result: { tools: { name: string; inputSchema: Record<string, unknown> }[] } }).result.tools;
  const byName = (name: string) => tools.find((tool) => tool.name === name)!;
  const bodyOf = (name: string) =>
    (byName(name).inputSchema.properties as Record<string, { properties: Record<string, unknown>; required?: string[] }>).body;

  const merged = bodyOf('merged');
  t.same(ownKeys(merged.properties), [...NAMES].sort(), 'every name is a property of the merged body');
  for (const name of NAMES) {
    const schema = Object.getOwnPropertyDescriptor(merged.properties, name)?.value as Record<string, unknown>;
    t.same(
      schema,
      {
        allOf: [
          { type: 'string', description: `${name} (base)` },
          { type: 'string', description: `${name} (extra)` },
        ],
      },
      `${name}: both branches, nothing null`,
    );
  }
  t.same(merged.required, ['constructor', 'toString']);
  t.same(ownKeys(bodyOf('plain').properties), [...NAMES].sort(), 'every name is a plain property');
  t.same(
    ownKeys(byName('params').inputSchema.properties),
    [...NAMES, 'response_filter'].sort(),
    "every name is a parameter (and the gateway's filter)",
  );

  // `__proto__` in a request body is refused by the HTTP layer's prototype-poisoning guard before
  // any of this code runs: the calls send the other names.
  const client = await connectClient(t, ws.mcpUrl);
  const SENT = NAMES.filter((n) => n !== '__proto__');
  const values = Object.fromEntries(SENT.map((n) => [n, `v-${n}`]));
  for (const [tool, path] of [
    ['merged', '/merged'],
    ['plain', '/plain'],
  ]) {
    const result = await client.callTool({ name: tool, arguments: { body: values } });
    t.notOk(result.isError, textOf(result));
    const received = api.requests.at(-1)!;
    t.equal(received.url, path);
    const body = JSON.parse(received.body.toString('utf8')) as Record<string, unknown>;
    t.same(ownKeys(body), [...SENT].sort(), `${tool}: the upstream received every name`);
    for (const name of SENT) t.equal(Object.getOwnPropertyDescriptor(body, name)?.value, `v-${name}`, `${tool}: ${name}`);
  }
  // A required name left out is missing, not found on Object.prototype.
  const missing = await client.callTool({ name: 'merged', arguments: { body: { hasOwnProperty: 'x' } } });
  t.ok(missing.isError, 'a left-out required "constructor" is reported');
  t.match(textOf(missing), /"body\.constructor" is required/);

  const result = await client.callTool({ name: 'params', arguments: values });
  t.notOk(result.isError, textOf(result));
  const query = new URL(api.requests.at(-1)!.url, api.origin).searchParams;
  t.same([...query.keys()].sort(), [...SENT].sort(), 'the upstream received every query parameter');
  for (const name of SENT) t.equal(query.get(name), `v-${name}`, `query ${name}`);

  // A parameter left out is left out: `constructor` must not be read from Object.prototype.
  const lone = await client.callTool({ name: 'params', arguments: { toString: 'only' } });
  t.notOk(lone.isError, textOf(lone));
  t.equal(api.requests.at(-1)!.url, '/params?toString=only', 'only the parameter given is sent');
});
