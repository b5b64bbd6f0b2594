import t from 'tap';
import { linePointers } from '../../../server/modules/specs/validation-problems.js';

t.test('linePointers matches JSON.stringify(value, null, 2) line by line', async (t) => {
  const value = { a: 1, 'b/c': { d: [1, { e: 'x' }, []], f: {} }, g: [] };
  const lines = JSON.stringify(value, null, 2).split('\n');
  const pointers = linePointers(value);
  t.equal(pointers.length, lines.length);
  const at = (needle: string) => pointers[lines.findIndex((line) => line.includes(needle))];
  t.equal(at('"a": 1'), '/a');
  t.equal(at('"b/c"'), '/b~1c');
  t.equal(at('"d"'), '/b~1c/d');
  t.equal(at('"e"'), '/b~1c/d/1/e');
  t.equal(at('"f": {}'), '/b~1c/f');
  t.equal(at('"g": []'), '/g');
  t.equal(pointers[0], '');
});
