// The rate limit counts calls, not HTTP requests: a batch takes one token per tools/call, from
// every bucket it is charged to or from none. Time is injected, never slept.
import t from 'tap';
import { createRateLimiter } from '../../../server/modules/mcp/rate-limiter.js';

t.test('a count takes that many calls at once; a batch larger than what is left is refused whole', async (t) => {
  const limiter = createRateLimiter();
  const now = 1_000_000;
  t.same(limiter.take('ws:a', 60, 50, now), { ok: true, retryAfterSeconds: 0 }, '50 of 60');
  const refused = limiter.take('ws:a', 60, 20, now);
  t.equal(refused.ok, false, '20 more do not fit in the 10 left');
  t.equal(refused.retryAfterSeconds, 10, 'ten more calls refill in 10 s at one per second');
  t.ok(limiter.take('ws:a', 60, 10, now).ok, 'the refused batch took nothing: 10 still fit');
  t.notOk(limiter.take('ws:a', 60, 1, now).ok, 'and now the bucket is empty');
});

t.test('refill follows the injected clock and stops at the limit', async (t) => {
  const limiter = createRateLimiter();
  const start = 5_000_000;
  t.ok(limiter.take('k', 120, 120, start).ok, 'the whole burst');
  t.notOk(limiter.take('k', 120, 1, start + 400).ok, 'less than one call refilled after 400 ms (2 per second)');
  t.ok(limiter.take('k', 120, 1, start + 500).ok, 'one call after 500 ms');
  t.notOk(limiter.take('k', 120, 11, start + 5_500).ok, '10 calls refilled in the next 5 s, not 11');
  t.ok(limiter.take('k', 120, 10, start + 5_500).ok);
  t.ok(limiter.take('k', 120, 120, start + 10 * 60_000).ok, 'after a long pause: a full burst');
  t.notOk(limiter.take('k', 120, 1, start + 10 * 60_000).ok, 'but never more than the limit');
});

t.test('several buckets: all charged, or none when one refuses', async (t) => {
  const limiter = createRateLimiter();
  const now = 0;
  t.ok(limiter.take(['ws:w', 'key:1'], 10, 8, now).ok);
  t.ok(limiter.take(['ws:w', 'key:2'], 10, 2, now).ok, 'the workspace had 2 left; key 2 had 10');
  const refused = limiter.take(['ws:w', 'key:3'], 10, 5, now);
  t.notOk(refused.ok, 'the workspace bucket is empty');
  t.ok(limiter.take('key:3', 10, 10, now).ok, 'key 3 was not charged for the refused request');
});

t.test('edge cases: no limit, a count above the limit, the default count', async (t) => {
  const limiter = createRateLimiter();
  t.ok(limiter.take('x', 0, 1_000).ok, 'a limit of 0 means none');
  t.same(limiter.take('y', 5, 6, 0), { ok: false, retryAfterSeconds: 60 }, 'six calls never fit a limit of 5');
  t.ok(limiter.take('y', 5, 5, 0).ok, 'the refused batch took nothing');
  t.notOk(limiter.take('y', 5, undefined, 0).ok, 'one call by default');
  t.equal(limiter.take('y', 5, undefined, 0).retryAfterSeconds, 12, '5 per minute: one call every 12 s');
  limiter.reset('y');
  t.ok(limiter.take('y', 5, 5, 0).ok, 'reset forgets the bucket');
});

t.test('a call that passes no time is measured by the clock the limiter was given', async (t) => {
  let now = 7_000_000;
  const limiter = createRateLimiter({ clock: () => now });
  t.ok(limiter.take('k', 60, 60).ok, 'the whole burst');
  t.same(limiter.take('k', 60, 1), { ok: false, retryAfterSeconds: 1 }, 'empty: one call a second');
  now += 1_000;
  t.ok(limiter.take('k', 60, 1).ok, 'one second later on that clock, one call fits');
});
