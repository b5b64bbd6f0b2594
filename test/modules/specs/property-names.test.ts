// Issue #3 at every depth: property names inside a body or parameter (nested objects, array
// items, oneOf branches, additionalProperties) become portable, and the binding records how to
// map them back.
import t from 'tap';
import { portableNames } from '../../../server/modules/specs/property-names.js';
import type { JsonSchema, ToolDefinition } from '../../../server/modules/specs/types.js';
import { bodySchema, ok, only, openapi, withBody } from './fixtures/helpers.js';

type Json = Record<string, unknown>;

const ARG_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Every property and required name anywhere in a schema. */
function allNames(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) schema.forEach((s) => allNames(s, out));
  else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && typeof value === 'object' && value !== null) out.push(...Object.keys(value));
      if (key === 'required' && Array.isArray(value)) out.push(...value);
      if (key !== 'enum' && key !== 'const' && key !== 'examples' && key !== 'default') allNames(value, out);
    }
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

async function bodyTool(schema: Json, openapiVersion = '3.0.3'): Promise<ToolDefinition> {
  return (await only({ ...withBody(schema), openapi: openapiVersion })).tool;
}

t.test('@odata.type inside a nested body object', async (t) => {
  const tool = await bodyTool({
    type: 'object',
    properties: {
      target: { type: 'object', properties: { '@odata.type': { type: 'string' }, id: { type: 'string' } }, required: ['@odata.type'] },
    },
  });
  const target = (bodySchema(tool).properties as Record<string, Json>).target;
  t.same(Object.keys(target.properties as Json), ['_odata.type', 'id'], 'renamed in place, order kept');
  t.same(target.required, ['_odata.type'], 'required follows the rename');
  t.notOk(tool.body?.propertyNames, 'nothing renamed at the top level');
  t.same(tool.body?.nestedNames, { properties: { target: { names: { '_odata.type': '@odata.type' } } } });
});

t.test('names inside array items, arrays of arrays and prefixItems', async (t) => {
  const tool = await bodyTool({
    type: 'object',
    properties: {
      links: { type: 'array', items: { type: 'object', properties: { '@href': { type: 'string' }, rel: { type: 'string' } } } },
      grid: { type: 'array', items: { type: 'array', items: { type: 'object', properties: { 'x-y': { type: 'number' } } } } },
    },
  });
  const props = bodySchema(tool).properties as Record<string, Json>;
  t.same(Object.keys((props.links.items as Json).properties as Json), ['_href', 'rel']);
  t.same(Object.keys(((props.grid.items as Json).items as Json).properties as Json), ['x-y'], 'already portable: kept');

  const tuple = portableNames({
    type: 'array',
    prefixItems: [
      { type: 'object', properties: { 'a b': {} } },
      { type: 'object', properties: { 'c d': {} } },
    ],
  });
  t.same(tuple.names, { items: { names: { a_b: 'a b', c_d: 'c d' } } }, 'tuple positions share one items map');
  t.same(tool.body?.nestedNames, { properties: { links: { items: { names: { _href: '@href' } } } } });

  const list = await bodyTool({ type: 'array', items: { type: 'object', properties: { '@id': { type: 'string' } } } });
  t.same(Object.keys((bodySchema(list).items as Json).properties as Json), ['_id'], 'a body that is an array');
  t.same(list.body?.nestedNames, { items: { names: { _id: '@id' } } });
});

t.test('oneOf branches share one name per real name; branch-only names are merged', async (t) => {
  const tool = await bodyTool({
    type: 'object',
    properties: {
      shape: {
        oneOf: [
          { type: 'object', properties: { '@type': { enum: ['circle'] }, 'radius (cm)': { type: 'number' } }, required: ['@type'] },
          {
            type: 'object',
            properties: { '@type': { enum: ['square'] }, 'side (cm)': { type: 'number' } },
            required: ['@type', 'side (cm)'],
          },
        ],
      },
    },
  });
  const shape = (bodySchema(tool).properties as Record<string, Json>).shape;
  const [circle, square] = shape.oneOf as Json[];
  t.same(Object.keys(circle.properties as Json), ['_type', 'radius__cm_']);
  t.same(Object.keys(square.properties as Json), ['_type', 'side__cm_']);
  t.same(square.required, ['_type', 'side__cm_']);
  t.same(tool.body?.nestedNames, {
    properties: { shape: { names: { _type: '@type', radius__cm_: 'radius (cm)', side__cm_: 'side (cm)' } } },
  });

  // The body itself can be a oneOf: its branches' names are top-level names.
  const top = await bodyTool({
    oneOf: [
      { type: 'object', properties: { 'a-b': {}, $c: {} } },
      { type: 'object', properties: { 'a-b': {}, d: {} } },
    ],
  });
  t.same(top.body?.propertyNames, { _c: '$c' });
  t.notOk(top.body?.nestedNames);
});

t.test('a collision at a nested level: the portable name keeps its name, the other is renamed', async (t) => {
  const tool = await bodyTool({
    type: 'object',
    properties: {
      filter: { type: 'object', properties: { 'a[b]': { type: 'string' }, a_b_: { type: 'string' } }, required: ['a[b]', 'a_b_'] },
      // Across branches as well: a_b_ in the second branch wins the name in both.
      either: {
        anyOf: [
          { type: 'object', properties: { 'a[b]': { type: 'string' } } },
          { type: 'object', properties: { a_b_: { type: 'integer' } } },
        ],
      },
    },
  });
  const props = bodySchema(tool).properties as Record<string, Json>;
  t.same(Object.keys(props.filter.properties as Json), ['field_a_b_', 'a_b_']);
  t.same(props.filter.required, ['field_a_b_', 'a_b_']);
  t.same(Object.keys((props.either.anyOf as Json[])[0].properties as Json), ['field_a_b_']);
  t.same(tool.body?.nestedNames, {
    properties: { filter: { names: { field_a_b_: 'a[b]' } }, either: { names: { field_a_b_: 'a[b]' } } },
  });
});

t.test('required names without a property, at every level, and the same name in two places', async (t) => {
  const tool = await bodyTool({
    type: 'object',
    required: ['top level'],
    properties: {
      a: { type: 'object', required: ['x:y'], properties: { inner: { type: 'object', properties: { 'x:y': { type: 'string' } } } } },
      b: { type: 'object', properties: { 'x:y': { type: 'string' } } },
    },
  });
  const schema = bodySchema(tool);
  t.same(schema.required, ['top_level']);
  const props = schema.properties as Record<string, Json>;
  t.same(props.a.required, ['x_y']);
  t.same(tool.body?.propertyNames, { top_level: 'top level' });
  t.same(tool.body?.nestedNames, {
    properties: { a: { names: { x_y: 'x:y' }, properties: { inner: { names: { x_y: 'x:y' } } } }, b: { names: { x_y: 'x:y' } } },
  });
  for (const name of allNames(tool.inputSchema)) t.match(name, ARG_NAME, name);
});

t.test('additionalProperties and patternProperties values; declared properties are listed beside them', async (t) => {
  const tool = await bodyTool(
    {
      type: 'object',
      properties: {
        labels: {
          type: 'object',
          properties: { fixed: { type: 'object', properties: { plain: {} } } },
          additionalProperties: { type: 'object', properties: { '#value': { type: 'string' } } },
        },
        byPattern: { type: 'object', patternProperties: { '^x-': { type: 'object', properties: { 'a/b': {} } } } },
      },
    },
    '3.1.0',
  ); // patternProperties is 3.1's
  const props = bodySchema(tool).properties as Record<string, Json>;
  t.same(Object.keys((props.labels.additionalProperties as Json).properties as Json), ['_value']);
  t.same(tool.body?.nestedNames, {
    properties: {
      labels: { properties: { fixed: {} }, additionalProperties: { names: { _value: '#value' } } },
      byPattern: { additionalProperties: { names: { a_b: 'a/b' } } },
    },
  });
});

t.test('object parameters: nested names renamed and recorded on the binding', async (t) => {
  const { tool } = await only(
    openapi({
      '/items': {
        get: {
          parameters: [
            {
              name: 'filter',
              in: 'query',
              style: 'deepObject',
              explode: true,
              schema: { type: 'object', properties: { 'created.gte': { type: 'string' }, 'owner id': { type: 'string' } } },
            },
            {
              name: 'q',
              in: 'query',
              content: {
                'application/json': { schema: { type: 'object', properties: { where: { type: 'object', properties: { $eq: {} } } } } },
              },
            },
            { name: 'plain', in: 'query', schema: { type: 'object', properties: { a: { type: 'string' } } } },
          ],
          responses: ok,
        },
      },
    }),
  );
  const byArg = Object.fromEntries(tool.params.map((p) => [p.arg, p]));
  t.same(byArg.filter.names, { names: { owner_id: 'owner id' } });
  t.same(byArg.q.names, { properties: { where: { names: { _eq: '$eq' } } } });
  t.notOk('names' in byArg.plain, 'nothing stored when nothing was renamed');
  for (const name of allNames(tool.inputSchema)) t.match(name, ARG_NAME, name);
});

t.test('ordinary schemas: nothing stored, nothing copied; shared schemas are never edited', async (t) => {
  const schema: JsonSchema = deepFreeze({
    type: 'object',
    properties: { a: { type: 'array', items: { oneOf: [{ type: 'object', properties: { b: {} } }] } } },
  });
  const plain = portableNames(schema);
  t.equal(plain.schema, schema, 'the same object back');
  t.notOk('names' in plain);

  const shared = deepFreeze({ type: 'object', properties: { '@id': { type: 'string' } } });
  const frozen: JsonSchema = deepFreeze({ type: 'object', properties: { one: shared, two: { type: 'array', items: shared } } });
  const renamed = portableNames(frozen); // would throw on an edit: the input is frozen
  t.same(Object.keys(shared.properties), ['@id'], 'the shared subschema is untouched');
  t.same(renamed.names, { properties: { one: { names: { _id: '@id' } }, two: { items: { names: { _id: '@id' } } } } });

  const tool = await bodyTool({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } });
  t.notOk('nestedNames' in (tool.body ?? {}));
  t.notOk('propertyNames' in (tool.body ?? {}));
});
