// The shared limiter against an in-memory stand-in for the lease statement (the same arithmetic as
// rate-windows-repository.ts; the real statement is exercised in
// test/integration/shared-rate-limit.test.ts). Several limiters on one stand-in are several nodes.
// Time is injected; only the lease timeout runs on real timers, with no assertion on how long.
import t from 'tap';
import {
  createSharedRateLimiter,
  secondsUntilRoom,
  WINDOW_MS,
  type Lease,
  type LeaseRequest,
  type SharedRateLimiterOptions,
} from '../../../server/modules/mcp/shared-rate-limiter.js';
import type { RateDecision } from '../../../server/modules/mcp/rate-limiter.js';

function fakeDatabase() {
  const rows = new Map<string, number>();
  const requests: LeaseRequest[] = [];
  let down: Error | undefined;
  let hold: Promise<void> | undefined;
  const lease: Lease = async (r) => {
    requests.push(r);
    if (hold) await hold;
    if (down) throw down;
    const previous = rows.get(`${r.key}@${r.windowStart - WINDOW_MS}`) ?? 0;
    const cap = r.limit - Math.floor((previous * r.overlapMs + WINDOW_MS - 1) / WINDOW_MS);
    const id = `${r.key}@${r.windowStart}`;
    const seen = rows.get(id);
    if ((seen ?? 0) + r.tokens <= cap) {
      rows.set(id, (seen ?? 0) + r.tokens);
      return { granted: true, used: rows.get(id)!, previous };
    }
    if (seen === undefined) rows.set(id, 0);
    return { granted: false, used: seen ?? 0, previous };
  };
  return {
    lease,
    rows,
    requests,
    fail(err: Error | undefined) {
      down = err;
    },
    /** Leases wait until the returned function is called. */
    pause(): () => void {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

function clockAt(start: number) {
  const clock = { now: start, tick: (ms: number) => (clock.now += ms) };
  return clock;
}

function node(db: ReturnType<typeof fakeDatabase>, clock: { now: number }, extra: Partial<SharedRateLimiterOptions> = {}) {
  return createSharedRateLimiter({ lease: db.lease, clock: () => clock.now, ...extra });
}

/** Lets background leases (top-ups) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const MINUTE = 1_000 * WINDOW_MS; // a round minute, far from 0

t.test('one node: a batch is leased, then calls are decided at once until the limit', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE + 5_000);
  const limiter = node(db, clock);
  const first = limiter.take('ws:a', 600, 1);
  t.ok(first instanceof Promise, 'the first call waits for a lease');
  t.same(await first, { ok: true, retryAfterSeconds: 0 });
  t.equal(db.requests[0].tokens, 6, 'a batch of limit/100');
  await settle();
  let immediate = 0;
  let admitted = 1;
  let refusal: RateDecision | undefined;
  for (let i = 0; i < 700 && !refusal; i++) {
    const decision = limiter.take('ws:a', 600, 1);
    const d = await decision;
    if (d.ok) admitted++;
    if (d.ok && !(decision instanceof Promise)) immediate++;
    else refusal = d;
    await settle();
  }
  t.equal(admitted, 600, 'exactly the limit in this minute');
  t.equal(db.rows.get(`ws:a@${MINUTE}`), 600, 'and the database counted what was leased');
  t.ok(immediate > 550, `almost every call decided without a promise (${immediate} of ${admitted})`);
  t.ok(db.requests.length <= 110, `${db.requests.length} lease statements for 600 calls`);
  t.same(refusal, { ok: false, retryAfterSeconds: 56 }, 'the minute is full: room again 100 ms into the next one, as this one slides out');
  const statements = db.requests.length;
  t.notOk((await limiter.take('ws:a', 600, 1)).ok, 'still refused');
  t.equal(db.requests.length, statements, 'a limit known to be reached is refused without asking the database');
});

t.test('three nodes on one database let through the limit, not three times it', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE + 1_000);
  const nodes = [node(db, clock), node(db, clock), node(db, clock)];
  let admitted = 0;
  let refused = 0;
  let withoutRetryAfter = 0;
  for (let i = 0; i < 1_000; i++) {
    const d = await nodes[i % 3].take('ws:a', 600, 1);
    if (d.ok) admitted++;
    else {
      refused++;
      if (!(d.retryAfterSeconds >= 1)) withoutRetryAfter++;
    }
    if (i % 7 === 0) await settle();
  }
  t.equal(withoutRetryAfter, 0, 'every refusal says when to retry');
  const lost = nodes.reduce((sum, n) => sum + n.stats().tokensLost, 0);
  t.ok(admitted <= 600 && admitted >= 600 - 3 * 6, `admitted ${admitted} of 1,000 (refused ${refused})`);
  t.ok((db.rows.get(`ws:a@${MINUTE}`) ?? 0) <= 600, 'the shared count never passes the limit');
  t.comment(`statements ${db.requests.length}, lost ${lost}`);
});

t.test('sliding window: no second burst at a minute boundary; the previous minute fades out', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE + 59_000);
  const limiter = node(db, clock);
  t.ok((await limiter.take('k', 600, 600)).ok, '600 calls at 0:59');
  clock.now = MINUTE + WINDOW_MS; // 1:00
  const atBoundary = await limiter.take('k', 600, 1);
  t.same(atBoundary, { ok: false, retryAfterSeconds: 1 }, 'at 1:00 the 600 are still inside the last 60 s');
  clock.now = MINUTE + WINDOW_MS + 30_000; // 1:30: half of 0:00–1:00 still counts
  t.notOk((await limiter.take('k', 600, 301)).ok, '301 do not fit at 1:30');
  t.ok((await limiter.take('k', 600, 300)).ok, '300 do');
  t.notOk((await limiter.take('k', 600, 1)).ok, 'and then nothing more');
});

t.test('concurrent callers on one node share one lease in flight, then lease for all of them', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE);
  const limiter = node(db, clock);
  const release = db.pause();
  const waiting = Array.from({ length: 50 }, () => limiter.take('ws:a', 600, 1));
  await settle();
  t.equal(db.requests.length, 1, 'fifty callers, one statement in flight');
  release();
  const decisions = await Promise.all(waiting);
  t.equal(decisions.filter((d) => d.ok).length, 50, 'every caller admitted');
  t.equal(db.requests[1].tokens, 49, 'the second lease asked for everyone still waiting at once');
  t.ok(db.requests.length <= 3, `${db.requests.length} statements`);
});

t.test('a batch is taken from every bucket or refused whole; the buckets it fitted keep their tokens', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE);
  const limiter = node(db, clock);
  t.ok((await limiter.take(['ws:w', 'key:1'], 10, 8)).ok);
  t.ok((await limiter.take(['ws:w', 'key:2'], 10, 2)).ok, 'the workspace had 2 left; key 2 had 10');
  const refused = await limiter.take(['ws:w', 'key:3'], 10, 5);
  t.notOk(refused.ok, 'the workspace is out');
  t.ok((await limiter.take('key:3', 10, 10)).ok, 'key 3 was not charged for the refused request');
  t.same(await limiter.take('x', 5, 6), { ok: false, retryAfterSeconds: 60 }, 'a batch above the limit never fits');
  t.same(limiter.take('x', 0, 1_000), { ok: true, retryAfterSeconds: 0 }, 'a limit of 0 means none, without asking');
  t.equal(db.rows.has(`x@${MINUTE}`), false, 'neither asked the database');
});

t.test('a batch near the limit: when a whole lease no longer fits, the caller gets exactly what it needs', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE);
  const a = node(db, clock);
  const b = node(db, clock, { batchFor: () => 50 });
  t.ok((await a.take('k', 100, 97)).ok, 'node A leases and spends 97');
  await settle();
  t.equal(db.rows.get(`k@${MINUTE}`), 98, 'and tops up its lease with one more');
  t.ok((await b.take('k', 100, 2)).ok, 'node B asks for 50, is refused, then gets the 2 that remain');
  t.same(
    db.requests.slice(-2).map((r) => r.tokens),
    [50, 2],
  );
  t.equal(db.rows.get(`k@${MINUTE}`), 100);
  t.notOk((await b.take('k', 100, 1)).ok, 'the limit is reached for B');
  t.ok((await a.take('k', 100, 1)).ok, 'A spends the token it holds');
  t.notOk((await a.take('k', 100, 1)).ok, 'and then A is refused too');
});

t.test('tokens held when a minute ends are lost, and counted as such', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE);
  const limiter = node(db, clock);
  t.ok((await limiter.take('k', 600, 1)).ok);
  await settle();
  const held = db.rows.get(`k@${MINUTE}`)! - 1;
  t.ok(held > 0, `${held} tokens held`);
  clock.now = MINUTE + WINDOW_MS;
  t.ok((await limiter.take('k', 600, 1)).ok, 'a new minute leases anew');
  t.equal(limiter.stats().tokensLost, held, 'what was held is counted lost');
});

t.test('an unreachable database: calls go on, limited by the node alone, logged once, shared again after', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE);
  const events: string[] = [];
  const limiter = node(db, clock, {
    retryDatabaseMs: 5_000,
    onDegraded: () => events.push('degraded'),
    onRestored: () => events.push('restored'),
  });
  db.fail(new Error('connect ECONNREFUSED'));
  let admitted = 0;
  for (let i = 0; i < 30; i++) if ((await limiter.take('k', 20, 1)).ok) admitted++;
  t.equal(admitted, 20, 'the full limit, counted here');
  t.same(events, ['degraded'], 'said once');
  const statements = db.requests.length;
  t.equal(statements, 1, 'no statement per call while the database is away');
  db.fail(undefined);
  clock.tick(5_000);
  await limiter.take('k', 20, 1);
  await settle();
  t.same(events, ['degraded', 'restored'], 'a probe off the call path finds the database back');
  t.equal(limiter.stats().degraded, false);
  t.ok((await limiter.take('k', 20, 1)).ok, 'shared counting resumes');
});

t.test('a lease that hangs counts as unreachable: the call is decided locally, the late grant still counts', async (t) => {
  const db = fakeDatabase();
  const clock = clockAt(MINUTE);
  const errors: unknown[] = [];
  const limiter = node(db, clock, { leaseTimeoutMs: 30, onDegraded: (err) => errors.push(err) });
  const release = db.pause();
  const decision = await limiter.take('k', 100, 1);
  t.ok(decision.ok, 'answered by the local count');
  t.match(String(errors[0]), /did not grant rate-limit tokens within 30 ms/);
  release();
  await settle();
  await settle();
  t.equal(db.rows.get(`k@${MINUTE}`), 1, 'the statement did grant in the end');
});

t.test('secondsUntilRoom', async (t) => {
  const w = MINUTE;
  t.equal(secondsUntilRoom({ windowStart: w, used: 10, previous: 0 }, 1, 100, w + 1_000), 1, 'room now: one second at least');
  t.equal(secondsUntilRoom({ windowStart: w, used: 100, previous: 0 }, 1, 100, w + 10_000), 51, 'full this minute: 600 ms into the next');
  t.equal(
    secondsUntilRoom({ windowStart: w, used: 50, previous: 100 }, 1, 100, w),
    31,
    'half the previous minute must slide out, and one call more',
  );
});
