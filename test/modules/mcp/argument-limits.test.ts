// Arguments are bounded (depth, number of values) by an iterative walk, before anything that
// recurses on them: arguments 5,000 levels deep used to end the call with a stack overflow.
import t from 'tap';
import { MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_VALUES, measureArguments } from '../../../server/modules/mcp/argument-limits.js';

/** The bounds check's verdict alone: undefined within the bounds, else the message for the model. */
const problemOf = (args: unknown) => measureArguments(args).problem;

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 1; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

t.test('ordinary arguments pass', async (t) => {
  t.equal(problemOf(undefined), undefined);
  t.equal(problemOf({}), undefined);
  t.equal(problemOf({ q: 'x', body: { items: [{ id: 1, tags: ['a', 'b'] }], meta: null } }), undefined);
  t.equal(problemOf({ list: Array.from({ length: MAX_ARGUMENT_VALUES - 2 }, (_, i) => i) }), undefined, 'exactly the most values');
});

t.test('depth: the most levels pass, one more is refused, 100,000 levels do not overflow the stack', async (t) => {
  t.equal(problemOf({ x: nested(MAX_ARGUMENT_DEPTH - 1, {}) }), undefined, `${MAX_ARGUMENT_DEPTH} levels`);
  t.equal(
    problemOf({ x: nested(MAX_ARGUMENT_DEPTH, {}) }),
    `The arguments are nested more than ${MAX_ARGUMENT_DEPTH} levels deep, the most Latchkey accepts.`,
  );
  const deep = { x: nested(100_000) };
  t.throws(() => JSON.stringify(deep), /call stack/, 'what used to crash the call');
  t.match(problemOf(deep), /nested more than 64 levels deep/);
  t.match(problemOf(JSON.parse(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`)), /nested more than 64 levels/, '5,000 levels from JSON');
});

t.test('values: more than the most are refused early, in linear time', async (t) => {
  t.match(problemOf({ list: Array.from({ length: MAX_ARGUMENT_VALUES }, (_, i) => i) }), /more than 20,000 values/);
  const names: Record<string, number> = {};
  for (let i = 0; i < 200_000; i++) names[`a${i}`] = i;
  const started = performance.now();
  t.match(problemOf(names), /more than 20,000 values/);
  t.comment(`200,000 names refused in ${(performance.now() - started).toFixed(1)} ms`);
  t.equal(problemOf({ a: { toString: 1, __proto__: 2 } }), undefined, 'any name is data');
});

t.test('measureArguments counts every value, the arguments object included', async (t) => {
  t.same(measureArguments(undefined), { values: 0 });
  t.same(measureArguments({}), { values: 1 });
  t.same(measureArguments({ q: 'x', body: { items: [{ id: 1 }], meta: null } }), { values: 7 });
  const over = measureArguments({ list: Array.from({ length: MAX_ARGUMENT_VALUES }, (_, i) => i) });
  t.match(over, { problem: /more than 20,000 values/, values: MAX_ARGUMENT_VALUES + 1 });
});
