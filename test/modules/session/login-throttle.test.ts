import t from 'tap';
import { createLoginThrottle } from '../../../server/modules/session/login-throttle.js';

function clock() {
  const c = { value: 1_000_000, now: () => c.value };
  return c;
}

t.test('free attempts, then lock-outs that double up to the cap', async (t) => {
  const c = clock();
  const throttle = createLoginThrottle({ freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, now: c.now });
  for (let i = 0; i < 3; i++) {
    t.equal(throttle.waitMs('a'), 0, `attempt ${i + 1} is free`);
    throttle.recordFailure('a');
  }
  t.equal(throttle.waitMs('a'), 0, 'the fourth try is allowed');
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    throttle.recordFailure('a');
    waits.push(throttle.waitMs('a'));
    c.value += throttle.waitMs('a');
  }
  t.same(waits, [1000, 2000, 4000, 8000, 8000]);
  t.equal(throttle.waitMs('b'), 0, 'another address is not affected');
});

t.test('a success or a quiet while starts afresh', async (t) => {
  const c = clock();
  const throttle = createLoginThrottle({ freeAttempts: 1, forgetAfterMs: 60_000, now: c.now });
  throttle.recordFailure('a');
  throttle.recordFailure('a');
  t.ok(throttle.waitMs('a') > 0);
  c.value += 61_000;
  t.equal(throttle.waitMs('a'), 0, 'forgotten');
  throttle.recordFailure('a');
  t.equal(throttle.waitMs('a'), 0, 'counting from one again');
  throttle.recordFailure('a');
  t.ok(throttle.waitMs('a') > 0);
  c.value += 5_000;
  throttle.recordSuccess('a');
  throttle.recordFailure('a');
  t.equal(throttle.waitMs('a'), 0, 'a success resets the count');
});

t.test('memory stays bounded under many addresses', async (t) => {
  const c = clock();
  const throttle = createLoginThrottle({ freeAttempts: 0, maxEntries: 100, now: c.now });
  for (let i = 0; i < 1000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`);
  t.equal(throttle.waitMs('10.0.0.0'), 0, 'the oldest were dropped');
  t.ok(throttle.waitMs('10.0.3.231') > 0, 'the newest are kept');
});
