// The widest object or array of a JSON body, found by scanning the text before JSON.parse builds
// it: strings (quotes, escapes, commas and brackets inside them) are skipped.
import t from 'tap';
import { createBodyShapeScanner } from '../../../server/modules/mcp/body-width.js';

/** True when some object or array in `text` holds more than `max` members (the scanner on one chunk). */
const hasContainerWiderThan = (text: string, max: number) =>
  createBodyShapeScanner({ maxWidth: max, maxValues: Infinity }).push(Buffer.from(text)) === 'too-wide';

t.test('counts members per object or array, at every level', async (t) => {
  t.equal(hasContainerWiderThan('{"a":1,"b":2,"c":3}', 3), false, 'three members, three allowed');
  t.equal(hasContainerWiderThan('{"a":1,"b":2,"c":3}', 2), true);
  t.equal(hasContainerWiderThan('[1,2,[3,4,5,6],7]', 3), true, 'a nested array of four');
  t.equal(hasContainerWiderThan('[1,2,[3,4,5],7]', 4), false, 'levels are counted apart');
  t.equal(hasContainerWiderThan('{"x":{"a":1,"b":2},"y":{"c":3,"d":4}}', 2), false, 'siblings are counted apart');
  t.equal(hasContainerWiderThan('[]', 0), false);
  t.equal(hasContainerWiderThan('"a,b,c"', 1), false, 'a top-level string');
});

t.test('commas and brackets inside strings do not count', async (t) => {
  t.equal(hasContainerWiderThan('{"a,b,c,d":"x,y,z,{[","e":"\\"],,,"}', 2), false);
  t.equal(hasContainerWiderThan('["\\\\",1,2]', 2), true, 'an escaped backslash ends before the quote');
});

t.test('200,000 names are found in a few ms; the same body under the bound passes', async (t) => {
  const args: Record<string, number> = {};
  for (let i = 0; i < 200_000; i++) args[`u${i}`] = 1;
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: args } });
  const started = performance.now();
  t.equal(hasContainerWiderThan(body, 20_000), true);
  t.comment(`${(body.length / 1024).toFixed(0)} KB scanned in ${(performance.now() - started).toFixed(1)} ms`);
  t.equal(hasContainerWiderThan(body, 200_000), false);
});

t.test('fed in chunks split anywhere (inside a string, an escape, a UTF-8 character), the scan agrees with the whole text', async (t) => {
  const texts = ['{"a,b":"x\\",","c":"é,ü","d":[1,2,3]}', '["\\\\",1,2]', '{"k":"\\"],,,","m":{"n":1,"o":2,"p":3}}'];
  for (const text of texts) {
    const bytes = Buffer.from(text);
    for (const max of [1, 2, 3, 4]) {
      const whole = hasContainerWiderThan(text, max);
      for (let cut = 1; cut < bytes.length; cut++) {
        const scanner = createBodyShapeScanner({ maxWidth: max, maxValues: Infinity });
        const seen = (scanner.push(bytes.subarray(0, cut)) ?? scanner.push(bytes.subarray(cut))) === 'too-wide';
        if (seen !== whole) t.fail(`${text} cut at ${cut}, max ${max}: ${seen} vs ${whole}`);
      }
    }
  }
  t.pass('every split agreed');
});

t.test('once refused, a scanner stays refused', async (t) => {
  const scanner = createBodyShapeScanner({ maxWidth: 2, maxValues: 100 });
  t.equal(scanner.push(Buffer.from('[1,2,')), 'too-wide');
  t.equal(scanner.push(Buffer.from(']')), 'too-wide');
});

t.test('values are counted across the whole text: narrow objects add up', async (t) => {
  const scan = (text: string, maxValues: number) => createBodyShapeScanner({ maxWidth: 10_000, maxValues }).push(Buffer.from(text));
  const text = JSON.stringify([
    { a: 1, b: 2 },
    { c: 3, d: 4 },
    { e: 5, f: 6 },
  ]);
  t.equal(scan(text, 10), undefined, '10 values: the array, 3 objects, 6 scalars');
  t.equal(scan(text, 9), 'too-many-values');
  t.equal(scan('{"a":"x,y,z,[,{"}', 2), undefined, 'commas and brackets in strings are not values');
  const narrow = JSON.stringify({
    q: Array.from({ length: 30 }, () => Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`u${i}`, 1]))),
  });
  t.equal(scan(narrow, 21_000), 'too-many-values', '30 objects of 1,000 names');
  t.equal(createBodyShapeScanner({ maxWidth: 20_000, maxValues: 40_000 }).push(Buffer.from(narrow)), undefined, 'under a larger bound');
});
