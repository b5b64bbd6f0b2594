// Calls in flight per workspace: a request takes a slot per tools/call, all or none, and gives
// them back once, however often its release is called.
import t from 'tap';
import { createCallSlots } from '../../../server/modules/mcp/call-slots.js';

t.test('all or none, per key, released once', async (t) => {
  const slots = createCallSlots(4);
  const a = slots.acquire('w1', 3);
  t.ok(a);
  t.equal(slots.acquire('w1', 2), undefined, 'two more do not fit in the one left');
  t.equal(slots.inUse('w1'), 3, 'the refused request took nothing');
  const b = slots.acquire('w1', 1);
  t.ok(b, 'one still fits');
  t.ok(slots.acquire('w2', 4), 'another workspace has its own');
  a!();
  a!();
  t.equal(slots.inUse('w1'), 1, 'a second release gives nothing back');
  b!();
  t.equal(slots.inUse('w1'), 0);
  t.ok(slots.acquire('w1', 0), 'a request without tools/call takes nothing');
  t.equal(slots.acquire('w1', 5), undefined, 'more than the most never fits');
});
