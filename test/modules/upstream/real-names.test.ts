// Sanitized property names back to the API's at every depth: unit checks on encodeBody, then a
// spec imported, a call validated against its input schema, and what the upstream received.
import t from 'tap';
import { importSpec } from '../../../server/modules/specs/index.js';
import type { BodyBinding } from '../../../server/modules/specs/types.js';
import { encodeBody } from '../../../server/modules/upstream/encode-body.js';
import { buildUpstreamRequest, compileArgumentValidator, createUpstreamClient } from '../../../server/modules/upstream/index.js';
import { parseMultipart, startRecordingServer } from './fixtures/helpers.js';

function json(binding: BodyBinding, value: unknown): unknown {
  return JSON.parse(encodeBody(binding, value).bytes.toString('utf8'));
}

const nested: BodyBinding = {
  arg: 'body',
  contentType: 'application/json',
  required: true,
  propertyNames: { _context: '@context' },
  nestedNames: {
    properties: {
      target: { names: { '_odata.type': '@odata.type' } },
      links: { items: { names: { _href: '@href' } } },
      grid: { items: { items: { names: { x_y: 'x:y' } } } },
      filter: { names: { field_a_b_: 'a[b]' } },
      labels: { properties: { fixed: {} }, additionalProperties: { names: { _value: '#value' } } },
    },
  },
};

t.test('JSON: real names at every level; unknown keys and look-alikes pass through', async (t) => {
  const args = {
    _context: 'ctx',
    target: { '_odata.type': '#microsoft.graph.user', id: 'u1' },
    links: [{ _href: '/a', rel: 'self' }, { _href: '/b' }],
    grid: [[{ x_y: 1 }], [{ x_y: 2, other: 3 }]],
    filter: { field_a_b_: 'kept apart', a_b_: 'as given' },
    labels: { fixed: { _value: 'declared: not renamed' }, free: { _value: 'renamed' } },
    extra: { '_odata.type': 'not described: as given' },
  };
  const sent = json(nested, Object.freeze(args));
  t.same(sent, {
    '@context': 'ctx',
    target: { '@odata.type': '#microsoft.graph.user', id: 'u1' },
    links: [{ '@href': '/a', rel: 'self' }, { '@href': '/b' }],
    grid: [[{ 'x:y': 1 }], [{ 'x:y': 2, other: 3 }]],
    filter: { 'a[b]': 'kept apart', a_b_: 'as given' },
    labels: { fixed: { _value: 'declared: not renamed' }, free: { '#value': 'renamed' } },
    extra: { '_odata.type': 'not described: as given' },
  });
  t.same(args.target, { '_odata.type': '#microsoft.graph.user', id: 'u1' }, "the caller's value is not edited");

  // Object.prototype's names are not names in the map.
  t.same(json(nested, { constructor: 1, toString: 'x', target: { hasOwnProperty: true } }), {
    constructor: 1,
    toString: 'x',
    target: { hasOwnProperty: true },
  });
  t.same(json(nested, [{ _context: 1 }]), [{ _context: 1 }], 'a top-level array is not the object the map describes');
  const list: BodyBinding = {
    arg: 'body',
    contentType: 'application/json',
    required: true,
    nestedNames: { items: { names: { _id: '@id' } } },
  };
  t.same(json(list, [{ _id: 1 }, { _id: 2, x: 3 }, 'plain']), [{ '@id': 1 }, { '@id': 2, x: 3 }, 'plain'], 'a body that is an array');
});

t.test('tools stored before nested maps existed: the top level only, as before', async (t) => {
  const old: BodyBinding = { arg: 'body', contentType: 'application/json', required: true, propertyNames: { first_name: 'first-name' } };
  t.same(json(old, { first_name: 'Ada', nested: { first_name: 'kept' } }), { 'first-name': 'Ada', nested: { first_name: 'kept' } });
  const plain: BodyBinding = { arg: 'body', contentType: 'application/json', required: true };
  const value = { a: { b: 1 } };
  t.equal(encodeBody(plain, value).bytes.toString(), '{"a":{"b":1}}');
});

t.test('form-urlencoded and multipart: nested objects carry the real names', async (t) => {
  const form = encodeBody(
    { ...nested, contentType: 'application/x-www-form-urlencoded', encoding: { target: { style: 'deepObject' } } },
    { target: { '_odata.type': 'T' }, _context: 'c' },
  );
  const fields = new URLSearchParams(form.bytes.toString());
  t.equal(fields.get('target[@odata.type]'), 'T');
  t.equal(fields.get('@context'), 'c');

  const multipart = encodeBody({ ...nested, contentType: 'multipart/form-data' }, { target: { '_odata.type': 'T' }, _context: 'c' });
  const parts = parseMultipart(multipart.bytes, multipart.contentType);
  t.same(JSON.parse(parts.find((p) => p.name === 'target')!.body.toString()), { '@odata.type': 'T' });
  t.equal(parts.find((p) => p.name === '@context')?.body.toString(), 'c');
});

t.test('end to end: import, validate the sanitized call, send the real names', async (t) => {
  const server = await startRecordingServer();
  const client = createUpstreamClient({ timeoutMs: 5000 });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  const spec = await importSpec({
    openapi: '3.0.3',
    info: { title: 'Names', version: '1' },
    paths: {
      '/users': {
        post: {
          parameters: [
            {
              name: 'filter',
              in: 'query',
              style: 'deepObject',
              explode: true,
              schema: { type: 'object', properties: { 'created[gte]': { type: 'string' } } },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    user: {
                      type: 'object',
                      additionalProperties: false,
                      required: ['@odata.type'],
                      properties: { '@odata.type': { type: 'string' }, 'a[b]': { type: 'string' }, a_b_: { type: 'string' } },
                    },
                    tags: {
                      type: 'array',
                      items: { oneOf: [{ type: 'object', properties: { 'tag:name': { type: 'string' } } }, { type: 'string' }] },
                    },
                  },
                },
              },
            },
          },
          responses: { '200': { description: 'OK' } },
        },
      },
    },
  });
  const [tool] = spec.tools;
  const validate = compileArgumentValidator(tool);
  const args = {
    filter: { created_gte_: '2024-01-01' },
    body: { user: { '_odata.type': '#user', field_a_b_: 'x', a_b_: 'y' }, tags: [{ tag_name: 'blue' }, 'green'] },
  };
  t.equal(validate(args), undefined, 'the sanitized call is valid against the input schema');
  t.match(validate({ body: { user: { '@odata.type': '#user' } } }), /_odata\.type/, 'the real name is not what the schema asks for');

  await client.send(buildUpstreamRequest(tool, args, { baseUrl: server.origin, credentials: { type: 'none' } }));
  const got = server.requests.at(-1)!;
  t.equal(decodeURIComponent(got.url), '/users?filter[created[gte]]=2024-01-01');
  t.same(JSON.parse(got.body.toString()), {
    user: { '@odata.type': '#user', 'a[b]': 'x', a_b_: 'y' },
    tags: [{ 'tag:name': 'blue' }, 'green'],
  });
});
