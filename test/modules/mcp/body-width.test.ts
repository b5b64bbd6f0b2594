// The widest object or array of a JSON body, found by scanning the text before JSON.parse builds
// it: strings (quotes, escapes, commas and brackets inside them) are skipped.
import t from 'tap';
import { hasContainerWiderThan } from '../../../server/modules/mcp/body-width.js';

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
