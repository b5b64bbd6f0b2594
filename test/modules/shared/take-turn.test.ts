// takeTurn hands out one turn per event-loop iteration, so I/O waiting between two heavy pieces
// of work is served in between (the availability test shows it on a real gateway).
import t from 'tap';
import { takeTurn } from '../../../server/modules/shared/take-turn.js';

t.test('turns taken together run in separate event-loop iterations, in order', async (t) => {
  // A ticker that re-arms itself runs once per iteration: its count names the iteration.
  let iteration = 0;
  let ticking = true;
  const tick = () => {
    iteration++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const seen: { who: number; iteration: number }[] = [];
  await Promise.all(Array.from({ length: 5 }, (_, who) => takeTurn().then(() => seen.push({ who, iteration }))));
  ticking = false;
  t.same(
    seen.map((s) => s.who),
    [0, 1, 2, 3, 4],
    'in the order asked for',
  );
  const iterations = seen.map((s) => s.iteration);
  t.equal(new Set(iterations).size, 5, `one turn per iteration (${iterations.join(', ')})`);
});

t.test('a timer due between two turns fires between them', async (t) => {
  const order: string[] = [];
  const first = takeTurn().then(() => {
    order.push('first');
    // Due at once: the timers phase of the next iteration comes before the next turn.
    setTimeout(() => order.push('timer'), 0);
    const until = Date.now() + 5;
    while (Date.now() < until); // a heavy piece, long enough for the timer to be due
  });
  const second = takeTurn().then(() => order.push('second'));
  await Promise.all([first, second]);
  t.same(order, ['first', 'timer', 'second']);
});

t.test('a turn asked for later, after the queue drained, still comes', async (t) => {
  await takeTurn();
  // The next iteration's check phase: the queue's own setImmediate, scheduled first, finds it empty.
  await new Promise((resolve) => setImmediate(resolve));
  await takeTurn();
  t.pass('both turns came');
});
