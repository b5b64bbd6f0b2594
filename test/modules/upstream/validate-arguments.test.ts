// Argument validation messages name every bad field by its argument path.
import t from 'tap';
import { compileArgumentValidator } from '../../../server/modules/upstream/index.js';
import { tool } from './fixtures/helpers.js';

const schema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1 },
    status: { type: 'string', enum: ['open', 'closed'] },
    since: { type: 'string', format: 'date-time' },
    id: { type: 'string', format: 'int64' },
    body: {
      type: 'object',
      properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['body'],
  additionalProperties: false,
};

t.test('valid arguments pass', async (t) => {
  const validate = compileArgumentValidator(tool({ inputSchema: schema }));
  t.equal(validate({ limit: 5, status: 'open', since: '2024-01-01T00:00:00Z', id: '9', body: { name: 'x', tags: ['a'] } }), undefined);
  t.equal(validate.compileError, undefined);
});

t.test('every bad field is named by its argument path', async (t) => {
  const validate = compileArgumentValidator(tool({ inputSchema: schema }));
  t.equal(validate({ limit: '5', body: {} }), 'Invalid arguments: "limit" must be integer; "body.name" is required');
  t.equal(validate({ limit: 0, body: { name: 1, tags: ['a', 2] } }), 'Invalid arguments: "limit" must be >= 1; "body.name" must be string; "body.tags[1]" must be string');
  t.equal(validate({ status: 'gone', since: 'yesterday', body: { name: 'x' } }), 'Invalid arguments: "status" must be one of "open", "closed"; "since" must match format "date-time"');
  t.equal(validate({ body: { name: 'x', extra: 1 }, other: true }), 'Invalid arguments: "other" is not an accepted argument; "body.extra" is not an accepted argument');
  t.equal(validate({}), 'Invalid arguments: "body" is required');
  t.equal(validate('nope'), 'Invalid arguments: the arguments must be object');
});

t.test('no type coercion', async (t) => {
  const validate = compileArgumentValidator(tool({ inputSchema: { type: 'object', properties: { n: { type: 'number' } }, additionalProperties: false } }));
  const args = { n: '1' };
  t.match(validate(args), /"n" must be number/);
  t.same(args, { n: '1' }, 'arguments are not modified');
});

t.test('recursive schemas and repeated $id keep working across tools', async (t) => {
  const tree = {
    $id: 'https://example.com/tree',
    type: 'object',
    properties: { node: { $ref: '#/$defs/node' } },
    $defs: { node: { type: 'object', properties: { value: { type: 'integer' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, additionalProperties: false } },
    additionalProperties: false,
  };
  const first = compileArgumentValidator(tool({ name: 'a', inputSchema: tree }));
  const second = compileArgumentValidator(tool({ name: 'b', inputSchema: tree }));
  t.equal(second.compileError, undefined, 'the same $id twice does not clash');
  t.equal(first({ node: { value: 1, children: [{ value: 2, children: [] }] } }), undefined);
  t.equal(first({ node: { value: 1, children: [{ value: 'x' }] } }), 'Invalid arguments: "node.children[0].value" must be integer');
});

t.test('a $schema naming another draft is ignored', async (t) => {
  const validate = compileArgumentValidator(tool({ inputSchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { a: { type: 'string' } } } }));
  t.equal(validate.compileError, undefined);
  t.match(validate({ a: 1 }), /"a" must be string/);
});

t.test('a schema that does not compile accepts anything and says why', async (t) => {
  const validate = compileArgumentValidator(tool({ name: 'broken', inputSchema: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } } }));
  t.equal(validate({ a: 1 }), undefined);
  t.match(validate.compileError, /tool "broken" does not compile/);
  const badType = compileArgumentValidator(tool({ inputSchema: { type: 'objekt' } }));
  t.equal(badType({}), undefined);
  t.type(badType.compileError, 'string');
});
