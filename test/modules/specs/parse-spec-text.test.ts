import t from 'tap';
import { SpecUnreadable } from '../../../server/errors.js';
import { parseSpecText } from '../../../server/modules/specs/index.js';

function failure(text: string): Error & { details?: { message: string; pointer: string }[] } {
  try {
    parseSpecText(text);
  } catch (error) {
    return error as Error & { details?: { message: string; pointer: string }[] };
  }
  throw new Error('expected parseSpecText to throw');
}

t.test('JSON and YAML both parse', async (t) => {
  t.same(parseSpecText('{"openapi":"3.0.3","info":{"title":"x"}}'), { openapi: '3.0.3', info: { title: 'x' } });
  t.same(parseSpecText('\uFEFF{"a":1}'), { a: 1 }, 'a byte order mark is ignored');
  t.same(parseSpecText('openapi: 3.0.3\ninfo:\n  title: x\n  version: "1"\n'), { openapi: '3.0.3', info: { title: 'x', version: '1' } });
  t.same(parseSpecText('base: &b { a: 1 }\nderived:\n  <<: *b\n  c: 2\n'), { base: { a: 1 }, derived: { a: 1, c: 2 } }, 'merge keys');
  t.same(parseSpecText('{a: 1, b: [x, y]}'), { a: 1, b: ['x', 'y'] }, 'YAML flow style that is not JSON');
});

t.test('broken JSON says where', async (t) => {
  const error = failure('{\n  "openapi": "3.0.3",\n  "info": {\n}}}');
  t.ok(error instanceof SpecUnreadable);
  t.match(error.message, /not valid JSON/);
  t.match(error.message, /line \d+, column \d+/);
  t.same(error.details?.[0]?.pointer, '');
});

t.test('broken YAML says where', async (t) => {
  const error = failure('openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\n');
  t.ok(error instanceof SpecUnreadable);
  t.match(error.message, /not valid YAML/);
  t.match(error.message, /line \d+, column \d+/);
  t.equal(error.details?.length, 1);
});

t.test('top levels other than an object are rejected', async (t) => {
  for (const text of ['just some words', '[1, 2]', '42', 'null', '', '   \n']) {
    const error = failure(text);
    t.ok(error instanceof SpecUnreadable, JSON.stringify(text));
  }
  t.match(failure('- a\n- b\n').message, /list/);
});

t.test('self-referencing YAML anchors are rejected, shared ones are fine', async (t) => {
  t.same(parseSpecText('a: &x { v: 1 }\nb: *x\nc: *x\n'), { a: { v: 1 }, b: { v: 1 }, c: { v: 1 } });
  const error = failure('a: &x\n  b: *x\n');
  t.ok(error instanceof SpecUnreadable);
});
