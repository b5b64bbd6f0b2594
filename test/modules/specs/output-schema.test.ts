// Output schemas alone (issue #15): which response is used, which operations get one, the lenient
// form (structure kept, promises dropped), readOnly fields in and writeOnly ones out, the budget,
// and the `_result` property every one declares. Imported through importSpec, as uploads are.
import t from 'tap';
import { importSpec } from '../../../server/modules/specs/index.js';
import { OUTPUT_SCHEMA_BUDGET, RESULT_KEY } from '../../../server/modules/specs/output-schema.js';

type Responses = Record<string, unknown>;

async function outputOf(responses: Responses, schemas: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const spec = await importSpec({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: { '/x': { get: { operationId: 'op', responses } } },
    components: { schemas, ...extra },
  });
  return spec.tools[0].outputSchema;
}

const json = (schema: unknown, type = 'application/json') => ({ description: 'ok', content: { [type]: { schema } } });
const Thing = {
  type: 'object',
  required: ['id', 'state'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', minimum: 1, readOnly: true },
    state: { type: 'string', enum: ['open', 'closed'] },
    secret: { type: 'string', writeOnly: true },
    at: { type: 'string', format: 'date-time', nullable: true },
    tags: { type: 'array', items: { type: 'string', maxLength: 3 }, maxItems: 2 },
  },
};

t.test('an object answer: lenient, readOnly fields in, writeOnly out, _result declared', async (t) => {
  const schema = await outputOf({ '200': json({ $ref: '#/components/schemas/Thing' }), '404': json({ type: 'object' }) }, { Thing });
  t.same(schema, {
    type: 'object',
    properties: {
      id: { type: ['number', 'null'] },
      state: { type: ['string', 'null'] },
      at: { type: ['string', 'null'] },
      tags: { type: ['array', 'null'], items: { type: ['string', 'null'] } },
      [RESULT_KEY]: { description: (schema?.properties as Record<string, { description: string }>)[RESULT_KEY].description },
    },
  });
  t.match((schema?.properties as Record<string, { description: string }>)[RESULT_KEY].description, /response_filter/);
});

t.test('which response: the first 2xx with a JSON body, JSON media types preferred', async (t) => {
  const obj = { type: 'object', properties: { a: { type: 'string' } } };
  t.ok(await outputOf({ '204': { description: 'none' }, '200': json(obj) }), 'a 204 before it has no body');
  t.ok(await outputOf({ '201': json(obj, 'application/vnd.api+json') }), '+json');
  t.ok(await outputOf({ '2XX': json(obj, '*/*') }), '2XX and */*');
  t.equal(await outputOf({ '200': json(obj, 'text/plain') }), undefined, 'not JSON');
  t.equal(await outputOf({ default: json(obj) }), undefined, 'default is not a success');
  t.equal(await outputOf({ '400': json(obj) }), undefined);
  t.match(
    await outputOf({ '200': { $ref: '#/components/responses/Ok' } }, {}, { responses: { Ok: json(obj) } }),
    { type: 'object', properties: { a: { type: ['string', 'null'] } } },
    'a referenced response is followed',
  );
});

t.test('only objects: arrays, scalars, either-or and empty schemas declare none', async (t) => {
  t.equal(await outputOf({ '200': json({ type: 'array', items: { type: 'object' } }) }), undefined);
  t.equal(await outputOf({ '200': json({ type: 'string' }) }), undefined);
  t.equal(await outputOf({ '200': json({ anyOf: [{ type: 'object' }, { type: 'array', items: {} }] }) }), undefined, 'either-or');
  t.equal(await outputOf({ '200': json({}) }), undefined, 'a schema that says nothing');
  const bare = await outputOf({ '200': json({ type: 'object' }) });
  t.same(Object.keys(bare?.properties as object), [RESULT_KEY], 'a bare object declares only _result');
  t.equal(
    await outputOf({ '200': json({ type: 'object', properties: { [RESULT_KEY]: { type: 'string' } } }) }),
    undefined,
    'a field named _result itself',
  );
});

t.test('combinators at the root become one open object; conflicting fields accept anything', async (t) => {
  const schema = await outputOf({
    '200': json({
      oneOf: [
        { type: 'object', properties: { kind: { type: 'string' }, size: { type: 'integer' } } },
        { type: 'object', properties: { kind: { type: 'string' }, size: { type: 'string' } } },
      ],
      type: 'object',
    }),
  });
  t.match(schema, { type: 'object', properties: { kind: { type: ['string', 'null'] }, size: {} } });
  t.notOk('oneOf' in schema! || 'anyOf' in schema!, 'no choice at the root: {} and {"_result": …} always conform');
});

t.test('a large answer is held to the budget: deeper levels are summarised, never left out', async (t) => {
  const wide = Object.fromEntries(
    Array.from({ length: 60 }, (_, i) => [
      `field_${i}`,
      { type: 'object', description: 'x'.repeat(80), properties: { inner: { type: 'object', properties: { deep: { type: 'string' } } } } },
    ]),
  );
  const schema = await outputOf({ '200': json({ type: 'object', properties: wide }) });
  const size = JSON.stringify(schema).length;
  t.ok(size < OUTPUT_SCHEMA_BUDGET * 1.5, `${size} characters`);
  t.equal(Object.keys(schema!.properties as object).length, 61, 'every top-level field, and _result');
});
