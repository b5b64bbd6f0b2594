// The call log's arguments excerpt is the start of JSON.stringify's text, written only as far as needed.
import t from 'tap';
import { jsonPrefix } from '../../../server/modules/mcp/json-prefix.js';

t.test('short values: exactly JSON.stringify', async (t) => {
  const values: unknown[] = [
    {},
    [],
    { a: 1, b: 'two', c: [true, null, 1.5], d: { e: {} } },
    { skipped: undefined, fn: () => 1, kept: 0 },
    [undefined, () => 1, 'x'],
    { date: new Date(0), nested: [[[]]] },
    'text with "quotes" and \\ and é and \u2028',
    42,
    null,
    { 'odd "key"': 1, __proto__: 'data' },
    JSON.parse('{"__proto__":{"x":1},"constructor":2}'),
    { n: NaN, inf: -Infinity },
  ];
  values.forEach((value, i) => t.equal(jsonPrefix(value, 4096), JSON.stringify(value) ?? '', `value ${i}`));
});

t.test('long values: a prefix of JSON.stringify, longer than the budget, far shorter than the whole', async (t) => {
  const names: Record<string, unknown> = {};
  for (let i = 0; i < 15_000; i++) names[`u${i}`] = { i, tags: ['a', 'b'] };
  const cases: unknown[] = [names, { q: Array.from({ length: 19_000 }, (_, i) => i) }, [names], { body: { text: 'x'.repeat(10_000) } }];
  for (const value of cases) {
    const whole = JSON.stringify(value);
    const prefix = jsonPrefix(value, 100);
    t.ok(prefix.length > 100, `longer than the budget (${prefix.length})`);
    t.ok(whole.startsWith(prefix), 'a prefix of the whole text');
    t.ok(prefix.length < 10_100, 'stopped soon after the budget (one leaf may run over)');
  }
});
