import t from 'tap';
import { SpecInvalid, SpecNoOperations, SpecNoUsableOperations } from '../../../server/errors.js';
import { defaultEnabled, diffTools, importSpec, parseSpecText } from '../../../server/modules/specs/index.js';
import type { ToolDefinition } from '../../../server/modules/specs/types.js';
import { arg, bodySchema, ok, openapi } from './fixtures/helpers.js';

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; details?: { message: string; pointer: string }[] }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details?: { message: string; pointer: string }[] };
  }
  throw new Error('expected a rejection');
}

t.test('annotations, descriptions and default enablement', async (t) => {
  const spec = await importSpec(
    openapi({
      '/items': {
        get: { operationId: 'listItems', summary: 'List items', description: 'Lists them.', responses: ok },
        post: { operationId: 'createItem', responses: ok },
      },
      '/items/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        put: { operationId: 'replaceItem', responses: ok },
        delete: { operationId: 'deleteItem', summary: 'Delete', deprecated: true, description: 'x'.repeat(2000), responses: ok },
        head: { operationId: 'checkItem', responses: ok },
      },
    }),
  );
  const tools = Object.fromEntries(spec.tools.map((tool) => [tool.name, tool]));
  t.same(tools.listItems.annotations, {
    title: 'List items',
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  });
  t.equal(tools.listItems.description, 'List items\n\nLists them.\n\nGET /items');
  t.same(tools.createItem.annotations, {
    title: 'createItem',
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  });
  t.same(tools.replaceItem.annotations.idempotentHint, true);
  t.same(tools.deleteItem.annotations, {
    title: 'Delete',
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true,
  });
  t.match(tools.deleteItem.description, /^Delete\n\nx+…\n\nDeprecated\.\n\nDELETE \/items\/\{id\}$/);
  t.ok(tools.deleteItem.description.length < 1100, 'long descriptions are trimmed');
  t.equal(tools.deleteItem.deprecated, true);
  t.same(
    spec.tools.map((tool) => [tool.name, defaultEnabled(tool)]),
    [
      ['listItems', true],
      ['createItem', false],
      ['replaceItem', false],
      ['deleteItem', false],
      ['checkItem', true],
    ],
  );
});

t.test('Swagger 2.0 is converted; its version is reported as uploaded', async (t) => {
  const spec = await importSpec({
    swagger: '2.0',
    info: { title: 'Old', version: '2' },
    host: 'old.example.com',
    basePath: '/api',
    schemes: ['https', 'http'],
    securityDefinitions: { key: { type: 'apiKey', name: 'X-Key', in: 'header' }, basic: { type: 'basic' } },
    paths: {
      '/files': {
        post: {
          operationId: 'upload',
          consumes: ['multipart/form-data'],
          parameters: [
            { name: 'file', in: 'formData', type: 'file', required: true },
            { name: 'note', in: 'formData', type: 'string' },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/pets/{id}': {
        get: {
          operationId: 'getPet',
          produces: ['application/json'],
          parameters: [
            { name: 'id', in: 'path', required: true, type: 'integer' },
            { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'csv' },
          ],
          responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
        },
      },
    },
    definitions: { Pet: { type: 'object', properties: { id: { type: 'integer' } } } },
  });
  t.equal(spec.openapi, '2.0');
  t.equal(spec.baseUrl, 'https://old.example.com/api');
  t.same(spec.securitySchemes, [
    { key: 'key', type: 'apiKey', in: 'header', name: 'X-Key' },
    { key: 'basic', type: 'http', scheme: 'basic' },
  ]);
  const upload = spec.tools.find((tool) => tool.name === 'upload')!;
  t.equal(upload.body?.contentType, 'multipart/form-data');
  t.same(upload.body?.fileProperties, ['file']);
  const getPet = spec.tools.find((tool) => tool.name === 'getPet')!;
  t.same(arg(getPet, 'id'), { type: 'integer' });
  t.same(getPet.params.find((p) => p.name === 'tags')?.explode, false, 'csv is form, not exploded');
});

t.test('Swagger 2.0 without host: basePath against the source URL', async (t) => {
  const doc = {
    swagger: '2.0',
    info: { title: 'x', version: '1' },
    basePath: '/v2',
    paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
  };
  t.equal((await importSpec(doc, { sourceUrl: 'http://docs.example.com/spec.json' })).baseUrl, 'http://docs.example.com/v2');
  const without = await importSpec(doc);
  t.equal(without.baseUrl, undefined);
  t.ok(without.warnings.some((w) => /relative/.test(w.message)));
});

t.test('OpenAPI 3.1 with type arrays, const and numeric exclusive bounds', async (t) => {
  const spec = await importSpec({
    openapi: '3.1.0',
    info: { title: 'New', version: '1' },
    servers: [{ url: 'https://new.example.com' }],
    paths: {
      '/x': {
        post: {
          operationId: 'doX',
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/X', description: 'Overridden.' } } } },
          responses: ok,
        },
      },
    },
    components: {
      schemas: {
        X: {
          type: 'object',
          properties: {
            a: { type: ['string', 'null'] },
            b: { const: 'fixed' },
            c: { type: 'number', exclusiveMinimum: 0 },
            d: { type: 'array' },
          },
        },
      },
    },
  });
  t.equal(spec.openapi, '3.1.0');
  t.same(bodySchema(spec.tools[0]), {
    type: 'object',
    properties: {
      a: { type: ['string', 'null'] },
      b: { const: 'fixed' },
      c: { type: 'number', exclusiveMinimum: 0 },
      d: { type: 'array', items: {} },
    },
    description: 'Overridden.',
  });
});

t.test('YAML text imports', async (t) => {
  const text = [
    'openapi: 3.0.3',
    'info: { title: YAML API, version: 1.0 }',
    'servers:',
    '  - url: https://yaml.example.com',
    'paths:',
    '  /ping:',
    '    get:',
    '      operationId: ping',
    '      responses:',
    "        '200': { description: pong }",
  ].join('\n');
  const spec = await importSpec(parseSpecText(text));
  t.equal(spec.title, 'YAML API');
  t.equal(spec.version, '1', 'a numeric version is read as a string');
  t.same(
    spec.tools.map((tool) => tool.name),
    ['ping'],
  );
});

t.test('server variables and relative server URLs', async (t) => {
  const variables = await importSpec(
    openapi(
      { '/a': { get: { responses: ok } } },
      {
        servers: [
          {
            url: 'https://{region}.example.com/{version}/',
            variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v2' } },
          },
        ],
      },
    ),
  );
  t.equal(variables.baseUrl, 'https://eu.example.com/v2');

  const relative = openapi(
    {
      '/a': { get: { responses: ok } },
      '/b': { servers: [{ url: '/other' }], get: { responses: ok } },
      '/c': { get: { servers: [{ url: 'https://c.example.com' }], responses: ok } },
    },
    { servers: [{ url: '/api/v1' }] },
  );
  const fetched = await importSpec(relative, { sourceUrl: 'https://docs.example.com/specs/openapi.json' });
  t.equal(fetched.baseUrl, 'https://docs.example.com/api/v1');
  t.same(
    fetched.tools.map((tool) => tool.serverUrl),
    [undefined, 'https://docs.example.com/other', 'https://c.example.com'],
  );

  const uploaded = await importSpec(relative);
  t.equal(uploaded.baseUrl, undefined);
  t.ok(uploaded.warnings.some((w) => w.pointer === '/servers' && /relative/.test(w.message)));

  const none = await importSpec(openapi({ '/a': { get: { responses: ok } } }, { servers: undefined }), {
    sourceUrl: 'https://host.example.com/x/openapi.yaml',
  });
  t.equal(none.baseUrl, 'https://host.example.com', 'no servers means "/" relative to the spec');
});

t.test('security scheme summaries', async (t) => {
  const spec = await importSpec(
    openapi(
      { '/a': { get: { responses: ok } } },
      {
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'Bearer', bearerFormat: 'JWT' },
            key: { type: 'apiKey', in: 'query', name: 'api_key' },
            oauth: {
              type: 'oauth2',
              flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'Read' } } },
            },
            oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://auth.example.com/.well-known/openid-configuration' },
          },
        },
      },
    ),
  );
  t.same(spec.securitySchemes, [
    { key: 'bearer', type: 'http', scheme: 'bearer' },
    { key: 'key', type: 'apiKey', in: 'query', name: 'api_key' },
    {
      key: 'oauth',
      type: 'oauth2',
      flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'Read' } } },
    },
    { key: 'oidc', type: 'openIdConnect', openIdConnectUrl: 'https://auth.example.com/.well-known/openid-configuration' },
  ]);
});

t.test('invalid documents list every problem with a pointer', async (t) => {
  const error = await rejection(
    importSpec({
      openapi: '3.0.3',
      info: { title: 'Broken', version: '1' },
      paths: {
        '/items': { get: { description: 'no responses' } },
        '/users': {
          post: { responses: ok, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } } },
        },
        '/other': { get: { responses: ok, parameters: [{ name: 'x', in: 'nowhere' }] } },
      },
    }),
  );
  t.ok(error instanceof SpecInvalid);
  t.equal(error.code, 'LK_SPEC_INVALID');
  const pointers = error.details!.map((d) => d.pointer);
  t.ok(pointers.includes('/paths/~1items/get/responses'), pointers.join(', '));
  t.ok(
    pointers.includes('/paths/~1users/post/requestBody/content/application~1json/schema/$ref'),
    'missing refs are named where they are used',
  );
  t.ok(
    pointers.some((p) => p.startsWith('/paths/~1other/get/parameters/0')),
    'bad parameter located',
  );
  t.match(error.message, /responses/);
  for (const detail of error.details!) t.type(detail.message, 'string');
});

t.test('documents that are not OpenAPI at all', async (t) => {
  for (const doc of [{ hello: 'world' }, { openapi: '4.0.0', info: {}, paths: {} }, { swagger: '1.2' }, { openapi: 3 }]) {
    const error = await rejection(importSpec(doc));
    t.ok(error instanceof SpecInvalid, JSON.stringify(doc));
    t.ok(error.details?.length, 'with details');
  }
  const notObject = await rejection(importSpec('openapi: 3.0.0' as unknown));
  t.ok(notObject instanceof SpecInvalid, 'a string is never read as a path');
});

t.test('no operations', async (t) => {
  const error = await rejection(importSpec(openapi({})));
  t.ok(error instanceof SpecNoOperations);
  const webhooksOnly = await rejection(
    importSpec({ openapi: '3.1.0', info: { title: 'x', version: '1' }, webhooks: { ping: { post: { responses: ok } } } }),
  );
  t.ok(webhooksOnly instanceof SpecNoOperations);
});

t.test('external refs are never fetched: reported, and operations that need them skipped', async (t) => {
  const doc = openapi({
    '/a': { get: { responses: ok, parameters: [{ $ref: 'https://example.invalid/params.json#/limit' }] } },
    '/b': { post: { requestBody: { content: { 'application/json': { schema: { $ref: './schemas.yaml#/Thing' } } } }, responses: ok } },
  });
  const spec = await importSpec(doc);
  t.same(
    spec.tools.map((tool) => tool.path),
    ['/b'],
    'the operation whose parameter is external is skipped',
  );
  t.match(JSON.stringify(bodySchema(spec.tools[0])), /unresolved reference \.\/schemas\.yaml#\/Thing/);
  const messages = spec.warnings.map((w) => w.message).join('\n');
  t.match(messages, /https:\/\/example\.invalid\/params\.json#\/limit/);
  t.match(messages, /\.\/schemas\.yaml#\/Thing/);
  t.match(messages, /GET \/a was skipped/);
  t.ok(spec.warnings.find((w) => /GET \/a was skipped/.test(w.message))?.pointer?.startsWith('/paths/~1a/get/parameters/0'));

  const allExternal = await rejection(importSpec(openapi({ '/a': { get: { responses: ok, parameters: [{ $ref: 'other.json#/p' }] } } })));
  t.ok(allExternal instanceof SpecNoUsableOperations);
  t.match(allExternal.message, /GET \/a was skipped/);
  t.equal(allExternal.details?.length, 1);
});

t.test('diffTools', async (t) => {
  const tool = (name: string, fingerprint: string) => ({ name, fingerprint }) as ToolDefinition;
  t.same(diffTools([tool('a', '1'), tool('b', '1'), tool('c', '1')], [tool('b', '1'), tool('c', '2'), tool('d', '1')]), {
    added: ['d'],
    removed: ['a'],
    changed: ['c'],
  });
  t.same(diffTools([], []), { added: [], removed: [], changed: [] });

  const before = await importSpec(openapi({ '/a': { get: { responses: ok } }, '/b': { get: { responses: ok } } }));
  const after = await importSpec(
    openapi({
      '/a': { get: { responses: ok, parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }] } },
      '/b': { get: { summary: 'Docs only', responses: ok } },
    }),
  );
  t.same(
    diffTools(before.tools, after.tools),
    { added: [], removed: [], changed: ['get_a'] },
    'a new parameter is a change, a new summary is not',
  );
});

t.test('undeclared path placeholders are added, stray path parameters left out, with warnings', async (t) => {
  const spec = await importSpec(
    openapi({
      '/items/{id}': { get: { parameters: [{ name: 'other', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } },
    }),
  );
  t.same(
    spec.tools[0].params.map((p) => [p.arg, p.in, p.required]),
    [['id', 'path', true]],
  );
  t.same(arg(spec.tools[0], 'id'), { type: 'string' });
  t.ok(spec.warnings.some((w) => /"other" does not appear/.test(w.message) && w.pointer === '/paths/~1items~1{id}/get/parameters/0'));
  t.ok(spec.warnings.some((w) => /"id" is not declared/.test(w.message)));
});

t.test('names held before an upload are kept', async (t) => {
  const first = await importSpec(openapi({ '/items': { get: { responses: ok } } }));
  t.same(
    first.tools.map((tool) => tool.name),
    ['get_items'],
  );
  // A new operation now sanitises to the same name: the existing tool keeps it, the newcomer is suffixed.
  const second = await importSpec(
    openapi({ '/items': { get: { responses: ok } }, '/get/items': { get: { operationId: 'get items', responses: ok } } }),
    { previous: first.tools },
  );
  t.equal(second.tools[0].name, 'get_items');
  t.match(second.tools[1].name, /^get_items_[0-9a-f]{6}$/);
  t.same(diffTools(first.tools, second.tools), { added: [second.tools[1].name], removed: [], changed: [] });
});
