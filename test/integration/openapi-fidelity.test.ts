// Issue #3 end to end: a hand-written spec uploaded through the admin API, its tools called with
// the MCP SDK client, and the exact bytes the upstream received compared with what the spec says
// (serialisation styles, every parameter location, every body kind, server overrides, Swagger 2).
// Then the other direction: image, latin-1 and empty responses as the model sees them.
import t, { type Test } from 'tap';
import { stringify as toYaml } from 'yaml';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { startRecordingServer, type RecordingServer } from '../modules/upstream/fixtures/helpers.js';

const ok = { '200': { description: 'OK' } };
// The smallest PNG there is: one transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** The OpenAPI 3 document under test; `altOrigin` is where one operation's own `servers` entry points. */
function fidelitySpec(altOrigin: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Fidelity API', version: '1.0.0' },
    // Relative: resolved against the URL the spec is fetched from.
    servers: [{ url: '/v1' }],
    paths: {
      '/items': {
        get: {
          operationId: 'listItems',
          parameters: [
            { name: 'filter[status]', in: 'query', schema: { type: 'string', enum: ['open', 'closed'] } },
            {
              name: 'meta',
              in: 'query',
              style: 'deepObject',
              explode: true,
              schema: { type: 'object', properties: { owner: { type: 'string' }, size: { type: 'integer' } } },
            },
            { name: 'sort', in: 'query', style: 'pipeDelimited', explode: false, schema: { type: 'array', items: { type: 'string' } } },
            { name: 'tags', in: 'query', style: 'form', explode: false, schema: { type: 'array', items: { type: 'string' } } },
          ],
          responses: ok,
        },
        post: {
          operationId: 'createItem',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['name'],
                  properties: {
                    name: { type: 'string' },
                    price: { type: 'number', nullable: true },
                    dims: { type: 'object', properties: { w: { type: 'integer' }, '@unit': { type: 'string' } } },
                  },
                },
              },
            },
          },
          responses: ok,
        },
      },
      '/items/{id}': {
        delete: {
          operationId: 'deleteItem',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Gone' } },
        },
      },
      '/cells/{cell}/{range}': {
        get: {
          operationId: 'readCells',
          parameters: [
            { name: 'cell', in: 'path', required: true, style: 'label', schema: { type: 'string' } },
            {
              name: 'range',
              in: 'path',
              required: true,
              style: 'matrix',
              explode: false,
              schema: { type: 'array', items: { type: 'integer' } },
            },
            { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'session_hint', in: 'cookie', schema: { type: 'string' } },
          ],
          responses: ok,
        },
      },
      '/forms': {
        post: {
          operationId: 'submitForm',
          requestBody: {
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    'user[email]': { type: 'string' },
                    tags: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          responses: ok,
        },
      },
      '/uploads': {
        post: {
          operationId: 'uploadFile',
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, note: { type: 'string' } } },
              },
            },
          },
          responses: ok,
        },
      },
      '/blobs/{name}': {
        put: {
          operationId: 'putBlob',
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: ok,
        },
      },
      '/ping': { get: { operationId: 'ping', servers: [{ url: `${altOrigin}/alt` }], responses: ok } },
      '/logo': { get: { operationId: 'getLogo', responses: { '200': { description: 'A PNG', content: { 'image/png': {} } } } } },
      '/legacy-text': {
        get: { operationId: 'getLegacyText', responses: { '200': { description: 'Latin-1 text', content: { 'text/plain': {} } } } },
      },
    },
  };
}

/** A Swagger 2.0 document, to be uploaded as YAML text. */
function swaggerSpec(host: string) {
  return {
    swagger: '2.0',
    info: { title: 'Legacy API', version: 2.1 }, // a YAML number, as real specs often have
    host,
    basePath: '/legacy/v2',
    schemes: ['http'],
    paths: {
      '/things/{id}': {
        get: {
          operationId: 'getThing',
          parameters: [
            { name: 'id', in: 'path', required: true, type: 'integer' },
            { name: 'verbose', in: 'query', type: 'boolean' },
            { name: 'fields', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'csv' },
          ],
          responses: ok,
        },
      },
      '/things': {
        post: {
          operationId: 'addThing',
          consumes: ['application/x-www-form-urlencoded'],
          parameters: [
            { name: 'label', in: 'formData', type: 'string', required: true },
            { name: 'count', in: 'formData', type: 'integer' },
          ],
          responses: ok,
        },
      },
    },
  };
}

async function recorder(t: Test): Promise<RecordingServer> {
  const server = await startRecordingServer();
  t.teardown(() => server.close());
  return server;
}

async function workspace(t: Test, gw: TestGateway, name: string, spec: { url: string } | { content: string }) {
  const created = await gw.api('POST', '/api/workspaces', { name });
  t.equal(created.status, 201);
  const uploaded = await gw.api('POST', `/api/workspaces/${created.body.id}/spec`, spec);
  t.equal(uploaded.status, 200, uploaded.text);
  return { id: created.body.id as string, mcpUrl: created.body.mcpUrl as string, upload: uploaded.body };
}

async function enableAll(t: Test, gw: TestGateway, id: string) {
  const tools = (await gw.api('GET', `/api/workspaces/${id}/tools`)).body.tools as { name: string }[];
  const patched = await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: Object.fromEntries(tools.map((x) => [x.name, true])) });
  t.equal(patched.status, 200, patched.text);
}

t.test('tool calls reach the upstream exactly as the spec says', async (t) => {
  const api = await recorder(t);
  const alt = await recorder(t);
  api.on('/openapi.json', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(fidelitySpec(alt.origin)));
  });
  api.on('/v1/logo', (_req, res) => {
    res.setHeader('content-type', 'image/png');
    res.end(PNG);
  });
  api.on('/v1/legacy-text', (_req, res) => {
    res.setHeader('content-type', 'text/plain; charset=iso-8859-1');
    // "café – 5 €" in windows-1252, which is what the web means by iso-8859-1.
    res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x35, 0x20, 0x80]));
  });
  api.on('/v1/items/42', (_req, res) => {
    res.statusCode = 204;
    res.end();
  });

  const gw = await startGateway(t);
  const ws = await workspace(t, gw, 'fidelity', { url: `${api.origin}/openapi.json` });
  t.match(ws.upload, { openapi: '3.0.3', toolCount: 10, baseUrl: `${api.origin}/v1` }, 'relative server resolved against the spec URL');
  await enableAll(t, gw, ws.id);
  const client = await connectClient(t, ws.mcpUrl);
  const { tools } = await client.listTools();
  const last = () => api.requests.at(-1)!;
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    t.notOk(result.isError, `${name}: ${textOf(result)}`);
    return result;
  };

  t.test('query: a bracketed name, deepObject, pipeDelimited and form explode=false', async (t) => {
    const listItems = tools.find((x) => x.name === 'listItems')!;
    t.same(
      Object.keys(listItems.inputSchema.properties ?? {}).sort(),
      ['filter_status_', 'meta', 'response_filter', 'sort', 'tags'],
      '`filter[status]` is offered as filter_status_',
    );
    await call('listItems', { filter_status_: 'open', meta: { owner: 'me', size: 3 }, sort: ['name', '-date'], tags: ['a b', 'c'] });
    t.equal(last().method, 'GET');
    t.equal(last().url, '/v1/items?filter[status]=open&meta[owner]=me&meta[size]=3&sort=name|-date&tags=a%20b,c');
  });

  t.test('path label and matrix styles, a header and a cookie parameter', async (t) => {
    await call('readCells', { cell: 'A1', range: [1, 5], 'X-Request-Id': 'req-7', session_hint: 'dark mode' });
    t.equal(last().url, '/v1/cells/.A1/;range=1,5');
    t.equal(last().headers['x-request-id'], 'req-7');
    t.equal(last().headers.cookie, 'session_hint=dark%20mode');
  });

  t.test('a JSON body is sent as given, a nested renamed field under its real name', async (t) => {
    const createItem = tools.find((x) => x.name === 'createItem')!;
    const body = (createItem.inputSchema.properties as Record<string, { properties: Record<string, { properties: object }> }>).body;
    t.same(Object.keys(body.properties.dims.properties), ['w', '_unit'], '`@unit` is offered as _unit');
    await call('createItem', { body: { name: 'gadget', price: null, dims: { w: 3, _unit: 'cm' } } });
    t.equal(last().method, 'POST');
    t.equal(last().url, '/v1/items');
    t.equal(last().headers['content-type'], 'application/json');
    t.equal(last().body.toString('utf8'), '{"name":"gadget","price":null,"dims":{"w":3,"@unit":"cm"}}');
  });

  t.test('a form-urlencoded body, a renamed field sent under its real name', async (t) => {
    const submitForm = tools.find((x) => x.name === 'submitForm')!;
    const body = (submitForm.inputSchema.properties as Record<string, { properties: object }>).body;
    t.same(Object.keys(body.properties), ['name', 'user_email_', 'tags']);
    await call('submitForm', { body: { name: 'A b&c', user_email_: 'a@b.test', tags: ['x', 'y'] } });
    t.equal(last().headers['content-type'], 'application/x-www-form-urlencoded');
    t.equal(last().body.toString('utf8'), 'name=A+b%26c&user%5Bemail%5D=a%40b.test&tags=x&tags=y');
  });

  t.test('a multipart body with a file given as base64', async (t) => {
    await call('uploadFile', {
      body: { file: { filename: 'pixel.png', contentType: 'image/png', base64: PNG.toString('base64') }, note: 'héllo' },
    });
    const contentType = last().headers['content-type'] ?? '';
    const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(contentType)?.[1];
    t.ok(boundary, contentType);
    const expected = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="pixel.png"\r\nContent-Type: image/png\r\n\r\n`),
      PNG,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhéllo\r\n--${boundary}--\r\n`),
    ]);
    t.ok(last().body.equals(expected), 'the exact multipart bytes, the file byte for byte');
  });

  t.test('an octet-stream body decoded from base64', async (t) => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 13, 10]);
    await call('putBlob', { name: 'raw.bin', body: bytes.toString('base64') });
    t.equal(last().method, 'PUT');
    t.equal(last().url, '/v1/blobs/raw.bin');
    t.equal(last().headers['content-type'], 'application/octet-stream');
    t.ok(last().body.equals(bytes), 'the same bytes');
  });

  t.test('an operation-level server overrides the base URL, once the admin allows its origin', async (t) => {
    const before = api.requests.length;
    const refused = await client.callTool({ name: 'ping', arguments: {} });
    t.ok(refused.isError, 'another origin is refused until allowed');
    t.equal(alt.requests.length, 0);
    t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { allowedOrigins: [alt.origin] })).status, 200);
    await call('ping', {});
    t.equal(alt.requests.at(-1)?.url, '/alt/ping');
    t.equal(api.requests.length, before, 'nothing went to the document-level server');
  });

  t.test('an image response is MCP image content', async (t) => {
    const result = await call('getLogo', {});
    t.same(result.content, [{ type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' }]);
  });

  t.test('a latin-1 text response is decoded in its charset', async (t) => {
    t.equal(textOf(await call('getLegacyText', {})), 'café – 5 €');
  });

  t.test('204 is a short statement', async (t) => {
    const result = await call('deleteItem', { id: '42' });
    t.equal(last().method, 'DELETE');
    t.same(result.content, [{ type: 'text', text: '204 No Content (empty response body).' }]);
  });
});

t.test('a Swagger 2.0 spec uploaded as YAML calls its host and basePath', async (t) => {
  const api = await recorder(t);
  const gw = await startGateway(t);
  const yaml = toYaml(swaggerSpec(new URL(api.origin).host));
  t.match(yaml, /^swagger: "?2\.0"?$/m, 'really YAML');
  const ws = await workspace(t, gw, 'legacy', { content: yaml });
  t.match(ws.upload, { openapi: '2.0', toolCount: 2, baseUrl: `${api.origin}/legacy/v2` });
  await enableAll(t, gw, ws.id);
  const client = await connectClient(t, ws.mcpUrl);

  const got = await client.callTool({ name: 'getThing', arguments: { id: 42, verbose: true, fields: ['a', 'b'] } });
  t.notOk(got.isError, textOf(got));
  t.equal(api.requests.at(-1)?.url, '/legacy/v2/things/42?verbose=true&fields=a,b', 'collectionFormat csv is form explode=false');

  const added = await client.callTool({ name: 'addThing', arguments: { body: { label: 'x y', count: 2 } } });
  t.notOk(added.isError, textOf(added));
  const sent = api.requests.at(-1)!;
  t.equal(`${sent.method} ${sent.url}`, 'POST /legacy/v2/things');
  t.equal(sent.headers['content-type'], 'application/x-www-form-urlencoded');
  t.equal(sent.body.toString('utf8'), 'label=x+y&count=2', 'formData parameters became the form body');
});

t.test('a re-upload reports added, removed and changed tools and keeps every toggle', async (t) => {
  const gw = await startGateway(t);
  const first = fidelitySpec('http://127.0.0.1:9');
  const ws = await workspace(t, gw, 'changes', { content: JSON.stringify(first) });
  // Against the defaults: a read-only tool switched off, a write switched on.
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { listItems: false, createItem: true } })).status, 200);

  // any: free-form edits of a JSON document, checked by the upload itself
  const second = structuredClone(first) as { paths: Record<string, any> };
  delete second.paths['/ping'];
  second.paths['/items'].get.parameters.push({ name: 'page', in: 'query', schema: { type: 'integer' } });
  second.paths['/reports'] = { get: { operationId: 'listReports', responses: ok }, post: { operationId: 'createReport', responses: ok } };
  const again = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(second) });
  t.equal(again.status, 200, again.text);
  t.same(again.body.changes, { added: ['listReports', 'createReport'], removed: ['ping'], changed: ['listItems'] });

  const tools = (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools as { name: string; enabled: boolean }[];
  const enabled = Object.fromEntries(tools.map((x) => [x.name, x.enabled]));
  t.match(enabled, { listItems: false, createItem: true, getLogo: true, deleteItem: false }, 'toggles kept, the changed tool included');
  t.match(enabled, { listReports: true, createReport: false }, 'new tools start at their defaults');
  t.notOk('ping' in enabled);
});
