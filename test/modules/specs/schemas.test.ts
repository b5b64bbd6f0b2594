import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import { importSpec } from '../../../server/modules/specs/index.js';
import { arg, bodySchema, hasRef, ok, only, openapi, withBody } from './fixtures/helpers.js';

t.test('parameters: path-level merged, operation wins, required carried, description/default/enum kept', async (t) => {
  const { tool } = await only(
    openapi({
      '/items/{id}': {
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'path level', schema: { type: 'string' } },
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
        ],
        get: {
          parameters: [
            { name: 'id', in: 'path', required: true, description: 'The item id.', schema: { type: 'integer' } },
            {
              name: 'sort',
              in: 'query',
              required: true,
              description: 'Sort order.',
              schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
            },
          ],
          responses: ok,
        },
      },
    }),
  );
  t.same(tool.inputSchema.required, ['id', 'sort']);
  t.same(arg(tool, 'id'), { type: 'integer', description: 'The item id.' }, 'operation-level parameter overrides path-level');
  t.same(arg(tool, 'sort'), { type: 'string', description: 'Sort order.', default: 'asc', enum: ['asc', 'desc'] });
  t.same(arg(tool, 'verbose'), { type: 'boolean' });
  t.equal(tool.inputSchema.additionalProperties, false);
  t.same(
    tool.params.map((p) => [p.arg, p.in, p.style, p.explode, p.shape]),
    [
      ['id', 'path', 'simple', false, 'primitive'],
      ['verbose', 'query', 'form', true, 'primitive'],
      ['sort', 'query', 'form', true, 'primitive'],
    ],
  );
});

t.test('parameters sharing a name across locations, and names that need sanitising', async (t) => {
  const { tool } = await only(
    openapi({
      '/items/{id}': {
        get: {
          parameters: [
            { name: 'id', in: 'header', schema: { type: 'string' } },
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'filter[status]', in: 'query', style: 'deepObject', schema: { type: 'array', items: { type: 'string' } } },
            { name: 'filter(status)', in: 'query', schema: { type: 'string' } },
            { name: 'Authorization', in: 'header', schema: { type: 'string' } },
            {
              name: 'q',
              in: 'query',
              content: { 'application/json': { schema: { type: 'object', properties: { a: { type: 'string' } } } } },
            },
          ],
          responses: ok,
        },
      },
    }),
  );
  const byArg = Object.fromEntries(tool.params.map((p) => [p.arg, p]));
  t.equal(byArg.id.in, 'path', 'the path parameter keeps the plain name');
  t.equal(byArg.header_id.name, 'id');
  t.equal(byArg['filter_status_'].name, 'filter[status]');
  t.equal(byArg['filter_status_'].shape, 'array');
  t.equal(byArg['filter_status_'].style, 'deepObject');
  t.equal(byArg['query_filter_status_'].name, 'filter(status)', 'sanitised duplicates are told apart');
  t.notOk(
    tool.params.some((p) => p.name === 'Authorization'),
    'Authorization headers are ignored, as OpenAPI says',
  );
  t.equal(byArg.q.contentType, 'application/json');
  t.equal(byArg.q.shape, 'object');
  for (const name of Object.keys(tool.inputSchema.properties as object)) t.match(name, /^[a-zA-Z0-9_.-]{1,64}$/);
});

t.test('request body: $ref resolved, readOnly left out, required carried', async (t) => {
  const { tool } = await only(
    withBody(
      { $ref: '#/components/schemas/Item' },
      {
        Item: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { $ref: '#/components/schemas/Id' }, name: { type: 'string' }, tags: { type: 'array' } },
        },
        Id: { type: 'string', readOnly: true },
      },
    ),
  );
  t.same(tool.inputSchema.required, ['body']);
  t.same(tool.body, { arg: 'body', contentType: 'application/json', required: true });
  const body = bodySchema(tool);
  t.same(body, { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: {} } }, required: ['name'] });
  t.notOk(hasRef(tool.inputSchema));
});

t.test('OpenAPI-only keywords are translated', async (t) => {
  const { tool } = await only(
    withBody({
      type: 'object',
      properties: {
        nick: { type: 'string', nullable: true, example: 'bob', xml: { name: 'n' }, 'x-internal': true },
        level: { type: 'integer', minimum: 1, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false },
        kind: { type: 'string', enum: ['a', 'b'], nullable: true },
        pet: { oneOf: [{ type: 'string' }, { type: 'integer' }], discriminator: { propertyName: 'x' }, nullable: true },
        code: { type: 'string', pattern: '\\p{L', format: 'my-custom-format' },
        docs: { type: 'string', externalDocs: { url: 'https://example.com' } },
      },
    }),
  );
  const props = bodySchema(tool).properties as Record<string, unknown>;
  t.same(props.nick, { type: ['string', 'null'], examples: ['bob'] });
  t.same(props.level, { type: 'integer', exclusiveMinimum: 1, maximum: 10 });
  t.same(props.kind, { type: ['string', 'null'], enum: ['a', 'b', null] });
  t.same(props.pet, { anyOf: [{ oneOf: [{ type: 'string' }, { type: 'integer' }] }, { type: 'null' }] });
  t.same(props.code, { type: 'string' }, 'a pattern that does not compile and an unknown format are dropped');
  t.same(props.docs, { type: 'string' });
});

t.test('allOf is merged where simple, kept otherwise', async (t) => {
  const { tool } = await only(
    withBody(
      {
        allOf: [{ $ref: '#/components/schemas/Base' }, { type: 'object', required: ['extra'], properties: { extra: { type: 'number' } } }],
        description: 'Merged.',
      },
      { Base: { type: 'object', required: ['id'], properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' } } } },
    ),
  );
  t.same(bodySchema(tool), {
    type: 'object',
    properties: { name: { type: 'string' }, extra: { type: 'number' } },
    required: ['extra'],
    description: 'Merged.',
  });

  const conflicting = await only(withBody({ allOf: [{ type: 'string' }, { type: 'object' }] }));
  t.same(bodySchema(conflicting.tool), { allOf: [{ type: 'string' }, { type: 'object' }] });
});

t.test('circular refs are cut finitely', async (t) => {
  const { tool } = await only(
    withBody(
      { $ref: '#/components/schemas/Node' },
      {
        Node: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
            parent: { $ref: '#/components/schemas/Node' },
            tree: { $ref: '#/components/schemas/Tree' },
          },
        },
        Tree: { type: 'object', properties: { root: { $ref: '#/components/schemas/Node' } } },
      },
    ),
  );
  const json = JSON.stringify(tool.inputSchema);
  t.ok(json.length < 60_000, `finite and bounded (${json.length} chars)`);
  t.notOk(hasRef(tool.inputSchema));
  t.match(json, /recursive: Node/);
  const body = bodySchema(tool) as { properties: { parent: { properties: { parent: { type: string; description: string } } } } };
  t.equal(body.properties.parent.properties.parent.type, 'object');
  t.match(body.properties.parent.properties.parent.description, /recursive: Node/, 'the third Node is cut');
  t.doesNotThrow(() => new Ajv2020({ strict: false }).compile(tool.inputSchema));
});

t.test('a schema too large for the budget is summarised below some depth', async (t) => {
  const schemas: Record<string, unknown> = {};
  // Each level has 12 properties pointing at the next: fully expanded this is astronomically large.
  for (let i = 0; i < 12; i++) {
    schemas[`L${i}`] = {
      type: 'object',
      description: `Level ${i}. ${'words '.repeat(20)}`,
      properties: Object.fromEntries(Array.from({ length: 12 }, (_, p) => [`p${p}`, { $ref: `#/components/schemas/L${i + 1}` }])),
    };
  }
  schemas.L12 = { type: 'string' };
  const started = Date.now();
  const spec = await importSpec(withBody({ $ref: '#/components/schemas/L0' }, schemas));
  t.ok(Date.now() - started < 10_000, 'fast');
  const json = JSON.stringify(spec.tools[0].inputSchema);
  t.ok(json.length <= 70_000, `within budget (${json.length})`);
  t.match(json, /not expanded/);
  t.ok(
    spec.warnings.some((w) => /summarised/.test(w.message)),
    'a warning says so',
  );
});

t.test('multipart bodies: files accept text or base64', async (t) => {
  const { tool } = await only(
    openapi({
      '/upload': {
        post: {
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: {
                    file: { type: 'string', format: 'binary' },
                    'meta data': { type: 'string' },
                    images: { type: 'array', items: { type: 'string', format: 'binary' } },
                  },
                },
                encoding: { 'meta data': { contentType: 'application/json' } },
              },
              'text/plain': { schema: { type: 'string' } },
            },
          },
          responses: ok,
        },
      },
    }),
  );
  t.equal(tool.body?.contentType, 'multipart/form-data');
  t.same(tool.body?.fileProperties, ['file', 'images']);
  t.same(tool.body?.propertyNames, { meta_data: 'meta data' });
  t.same(tool.body?.encoding, { 'meta data': { contentType: 'application/json' } });
  const props = bodySchema(tool).properties as Record<string, { anyOf?: unknown[]; items?: { anyOf?: unknown[] } }>;
  t.equal(props.file.anyOf?.length, 2);
  t.equal(props.images.items?.anyOf?.length, 2);
  t.ok(props.meta_data, 'sanitised property name in the schema');
});

t.test('body media types: JSON preferred, octet-stream is base64', async (t) => {
  const pick = async (content: Record<string, unknown>) =>
    (await only(openapi({ '/x': { post: { requestBody: { content }, responses: ok } } }))).tool;
  t.equal(
    (await pick({ 'application/xml': {}, 'application/vnd.api+json': { schema: { type: 'object' } } })).body?.contentType,
    'application/vnd.api+json',
  );
  t.equal(
    (await pick({ 'multipart/form-data': {}, 'application/x-www-form-urlencoded': {} })).body?.contentType,
    'application/x-www-form-urlencoded',
  );
  const binary = await pick({ 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } });
  t.equal(binary.body?.binary, true);
  t.same(bodySchema(binary).contentEncoding, 'base64');
  t.match(bodySchema(binary).description as string, /base64/);
});

t.test('a body argument moves aside for a parameter called body', async (t) => {
  const { tool } = await only(withBody({ type: 'object' }));
  t.equal(tool.body?.arg, 'body');
  const doc = withBody({ type: 'object' }) as { paths: { '/things': { post: { parameters?: unknown[] } } } };
  doc.paths['/things'].post.parameters = [{ name: 'body', in: 'query', schema: { type: 'string' } }];
  const moved = await only(doc);
  t.equal(moved.tool.body?.arg, 'request_body');
});
