// Argument validation messages name every bad field by its argument path.
import t from 'tap';
import { compileArgumentValidator } from '../../../server/modules/upstream/index.js';
import { FULL_ERROR_LIST_MAX_VALUES } from '../../../server/modules/upstream/validate-arguments.js';
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
  t.equal(
    validate({ limit: 0, body: { name: 1, tags: ['a', 2] } }),
    'Invalid arguments: "limit" must be >= 1; "body.name" must be string; "body.tags[1]" must be string',
  );
  t.equal(
    validate({ status: 'gone', since: 'yesterday', body: { name: 'x' } }),
    'Invalid arguments: "status" must be one of "open", "closed"; "since" must match format "date-time"',
  );
  t.equal(
    validate({ body: { name: 'x', extra: 1 }, other: true }),
    'Invalid arguments: "other" is not an accepted argument; "body.extra" is not an accepted argument',
  );
  t.equal(validate({}), 'Invalid arguments: "body" is required');
  t.equal(validate('nope'), 'Invalid arguments: the arguments must be object');
});

t.test('no type coercion', async (t) => {
  const validate = compileArgumentValidator(
    tool({ inputSchema: { type: 'object', properties: { n: { type: 'number' } }, additionalProperties: false } }),
  );
  const args = { n: '1' };
  t.match(validate(args), /"n" must be number/);
  t.same(args, { n: '1' }, 'arguments are not modified');
});

t.test('recursive schemas and repeated $id keep working across tools', async (t) => {
  const tree = {
    $id: 'https://example.com/tree',
    type: 'object',
    properties: { node: { $ref: '#/$defs/node' } },
    $defs: {
      node: {
        type: 'object',
        properties: { value: { type: 'integer' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
  const first = compileArgumentValidator(tool({ name: 'a', inputSchema: tree }));
  const second = compileArgumentValidator(tool({ name: 'b', inputSchema: tree }));
  t.equal(second.compileError, undefined, 'the same $id twice does not clash');
  t.equal(first({ node: { value: 1, children: [{ value: 2, children: [] }] } }), undefined);
  t.equal(first({ node: { value: 1, children: [{ value: 'x' }] } }), 'Invalid arguments: "node.children[0].value" must be integer');
});

t.test('a $schema naming another draft is ignored', async (t) => {
  const validate = compileArgumentValidator(
    tool({ inputSchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { a: { type: 'string' } } } }),
  );
  t.equal(validate.compileError, undefined);
  t.match(validate({ a: 1 }), /"a" must be string/);
});

t.test('a schema that does not compile accepts anything and says why', async (t) => {
  const validate = compileArgumentValidator(
    tool({ name: 'broken', inputSchema: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } } }),
  );
  t.equal(validate({ a: 1 }), undefined);
  t.match(validate.compileError, /tool "broken" does not compile/);
  const badType = compileArgumentValidator(tool({ inputSchema: { type: 'objekt' } }));
  t.equal(badType({}), undefined);
  t.type(badType.compileError, 'string');
});

t.test('200,000 unknown argument names: answered in linear time, naming the first 10 and counting the rest', async (t) => {
  // Once quadratic (every message compared with every other): 40,000 names held the event loop for
  // 15 s, 200,000 for about 5 minutes.
  const validate = compileArgumentValidator(tool({ inputSchema: schema }));
  const args: Record<string, unknown> = { body: { name: 'x' } };
  for (let i = 0; i < 200_000; i++) args[`u${i}`] = i;
  const started = performance.now();
  const message = validate(args)!;
  const ms = performance.now() - started;
  t.comment(`200,000 unknown names validated in ${ms.toFixed(0)} ms`);
  t.match(
    message,
    /^Invalid arguments: "u0" is not an accepted argument; "u1" is not an accepted argument; .*"u9" is not an accepted argument; and 199,990 more$/,
  );
  t.equal(message.split(';').length, 11, 'ten listed, then the count');
  t.ok(ms < 5_000, 'well under what it was (minutes); the bound is generous for slow machines');
});

t.test('many errors below the top level: large arguments are checked up to their first error', async (t) => {
  // With allErrors Ajv built an error object per bad value: 19,000 wrong items held the event loop
  // for 50-150 ms. Arguments over FULL_ERROR_LIST_MAX_VALUES go to a fail-fast validator.
  const validate = compileArgumentValidator(tool({ inputSchema: schema }));
  const extra: Record<string, unknown> = { name: 'x' };
  for (let i = 0; i < 15_000; i++) extra[`e${i}`] = i;
  let started = performance.now();
  const nested = validate({ body: extra, limit: 'x' })!;
  t.comment(`15,000 nested unknown names validated in ${(performance.now() - started).toFixed(0)} ms`);
  t.equal(nested, 'Invalid arguments: "limit" must be integer (arguments this large are checked up to their first error)');
  const tags = Array.from({ length: 19_000 }, (_, i) => i);
  started = performance.now();
  const items = validate({ body: { name: 'x', tags } })!;
  t.comment(`19,000 wrong items validated in ${(performance.now() - started).toFixed(1)} ms`);
  t.equal(items, 'Invalid arguments: "body.tags[0]" must be string (arguments this large are checked up to their first error)');
  t.equal(validate({ body: { name: 'x', tags: tags.map(String) } }), undefined, 'large and valid: accepted');
  const few = validate({ body: { name: 'x' }, a: 1, b: 2 });
  t.equal(
    few,
    'Invalid arguments: "a" is not an accepted argument; "b" is not an accepted argument',
    'a few unknown names still go through Ajv with the rest',
  );
});

t.test('up to FULL_ERROR_LIST_MAX_VALUES values every error is listed; one more and only the first', async (t) => {
  const validate = compileArgumentValidator(tool({ inputSchema: schema }));
  // The arguments object, body, name and tags count 4 values; the items fill the rest.
  const args = (items: number) => ({ body: { name: 'x', tags: Array.from({ length: items }, (_, i) => i) } });
  const atBound = validate(args(FULL_ERROR_LIST_MAX_VALUES - 4))!;
  t.match(atBound, /^Invalid arguments: "body\.tags\[0\]" must be string; .*; and 986 more$/);
  t.equal(
    validate(args(FULL_ERROR_LIST_MAX_VALUES - 3)),
    'Invalid arguments: "body.tags[0]" must be string (arguments this large are checked up to their first error)',
  );
});
