// Calls per minute counted across every gateway node that shares one database, without a database
// round trip on each call: per key, a node leases a few calls at a time ("tokens") for the current
// minute and spends them locally; only when its lease runs low does it ask for more, in the
// background while it still holds some.
//
// The limit is a sliding window: the calls counted in this minute plus the previous minute's count
// weighted by how much of it is still inside the last 60 s. A fixed window would let 2× the limit
// through around a minute boundary (the limit at 0:59, again at 1:00); this one does not. Unlike the
// single-node token bucket (rate-limiter.ts), a burst of the whole limit is not refilled until the
// minute it was spent in starts sliding out of view.
//
// What a node holds but has not spent when its minute ends is lost: it was counted, and nobody
// calls with it. That under-admits by at most what the nodes hold unspent (up to one and a half
// batches each, about 1.5 % of the limit per node) and only when traffic is uneven: nodes that
// keep getting calls spend what they hold before they are refused.
//
// Plain module: the database is reached through the `lease` function it is given.
import { createRateLimiter, type MemoryRateLimiter, type RateDecision, type RateLimiter } from './rate-limiter.js';

export const WINDOW_MS = 60_000;

export interface LeaseRequest {
  key: string;
  /** The minute the tokens count in, as epoch ms at its start. */
  windowStart: number;
  /** Granted whole or not at all. */
  tokens: number;
  limit: number;
  /** How much of the previous minute is still inside the last 60 s, in ms (60,000 at a minute's start, 1 at its end). */
  overlapMs: number;
}

export interface LeaseAnswer {
  granted: boolean;
  /** Calls counted in this minute by every node: after the grant, or (refused) as last committed. */
  used: number;
  /** Calls counted in the previous minute. */
  previous: number;
}

/** One database statement: grants `tokens` if they fit under the sliding limit. */
export type Lease = (request: LeaseRequest) => Promise<LeaseAnswer>;

export interface SharedRateLimiterOptions {
  lease: Lease;
  /** Tokens asked for at once: more means fewer statements and more left unspent at a minute's end. */
  batchFor?(limit: number): number;
  /** A lease slower than this counts as the database being unreachable. */
  leaseTimeoutMs?: number;
  /** After a failed lease, how long the node counts alone before it tries the database again. */
  retryDatabaseMs?: number;
  /** Once per outage: the node now limits on its own, each node to the full limit. */
  onDegraded?(err: unknown): void;
  /** The database answered again: counting is shared again. */
  onRestored?(): void;
  maxKeys?: number;
  clock?(): number;
}

export interface SharedRateStats {
  /** Lease statements sent to the database (granted, refused or failed). */
  leaseStatements: number;
  tokensLeased: number;
  /** Leased tokens whose minute ended before this node spent them. */
  tokensLost: number;
  /** Calls allowed, and refused, by this node. */
  admitted: number;
  refused: number;
  leaseFailures: number;
  /** Counting alone because the database could not be reached. */
  degraded: boolean;
}

export interface SharedRateLimiter extends RateLimiter {
  stats(): SharedRateStats;
}

type Outcome = 'granted' | 'refused' | 'retry' | 'failed';

interface KeyState {
  key: string;
  windowStart: number;
  /** Leased for this minute, not yet spent. */
  local: number;
  /** Every node's count in this minute, at least (counts only grow). */
  used: number;
  /** The previous minute's count: exact once the database has answered in this minute, a lower bound before. */
  previous: number;
  inFlight?: Promise<Outcome>;
  /** Tokens wanted by callers that joined the lease in flight: the next lease asks for them all at once. */
  queued: number;
}

class LeaseTimeout extends Error {
  constructor(ms: number) {
    super(`the database did not grant rate-limit tokens within ${ms} ms`);
  }
}

/** ceil(a / b) for non-negative integers, exactly as the SQL computes it. */
const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);

/** What the previous minute still weighs at `now`, in calls: the same rounding as the lease statement. */
function previousWeight(s: KeyState, now: number): number {
  return ceilDiv(s.previous * (WINDOW_MS - (now - s.windowStart)), WINDOW_MS);
}

/** True when even the counts known here leave no room for `need` more: the database would refuse too. */
function knownFull(s: KeyState, need: number, limit: number, now: number): boolean {
  return s.used + need > limit - previousWeight(s, now);
}

/**
 * When `need` more calls would fit if nobody else called meanwhile: later this minute as the
 * previous one slides out of view, or in the next minute as this one does.
 */
export function secondsUntilRoom(s: Pick<KeyState, 'windowStart' | 'used' | 'previous'>, need: number, limit: number, now: number): number {
  const room = limit - s.used - need;
  let at: number;
  if (room >= 0) at = s.previous <= room ? now : s.windowStart + ceilDiv(WINDOW_MS * (s.previous - room), s.previous);
  else {
    const nextRoom = limit - need;
    at = s.windowStart + WINDOW_MS + (s.used <= nextRoom ? 0 : ceilDiv(WINDOW_MS * (s.used - nextRoom), s.used));
  }
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export function createSharedRateLimiter(opts: SharedRateLimiterOptions): SharedRateLimiter {
  const clock = opts.clock ?? Date.now;
  const batchFor = opts.batchFor ?? ((limit: number) => Math.max(1, Math.ceil(limit / 100)));
  const leaseTimeoutMs = opts.leaseTimeoutMs ?? 2000;
  const retryDatabaseMs = opts.retryDatabaseMs ?? 5000;
  const maxKeys = opts.maxKeys ?? 100_000;
  const states = new Map<string, KeyState>();
  const stats: SharedRateStats = {
    leaseStatements: 0,
    tokensLeased: 0,
    tokensLost: 0,
    admitted: 0,
    refused: 0,
    leaseFailures: 0,
    degraded: false,
  };
  let fallback: MemoryRateLimiter = createRateLimiter({ clock });
  let retryDatabaseAt = 0;
  let probing = false;

  function stateOf(key: string, now: number): KeyState {
    const windowStart = now - (now % WINDOW_MS);
    let s = states.get(key);
    if (!s) {
      if (states.size >= maxKeys) states.delete(states.keys().next().value!);
      s = { key, windowStart, local: 0, used: 0, previous: 0, queued: 0 };
      states.set(key, s);
    } else if (s.windowStart !== windowStart) {
      // A new minute: what was held is lost; the minute just ended is at least what was seen of it.
      stats.tokensLost += s.local;
      s.previous = windowStart === s.windowStart + WINDOW_MS ? s.used : 0;
      s.used = 0;
      s.local = 0;
      s.windowStart = windowStart;
      s.inFlight = undefined;
      s.queued = 0;
    }
    return s;
  }

  function failed(err: unknown): void {
    stats.leaseFailures++;
    retryDatabaseAt = clock() + retryDatabaseMs;
    if (!stats.degraded) {
      stats.degraded = true;
      opts.onDegraded?.(err);
    }
  }

  function answered(): void {
    if (!stats.degraded) return;
    stats.degraded = false;
    // Buckets counted alone during the outage say nothing about the shared count.
    fallback = createRateLimiter({ clock });
    opts.onRestored?.();
  }

  function credit(s: KeyState, windowStart: number, tokens: number, answer: LeaseAnswer, limit: number, overlapMs: number): void {
    // Tokens of a minute that has ended count for nobody.
    if (s.windowStart !== windowStart || states.get(s.key) !== s) return;
    s.previous = answer.previous;
    if (answer.granted) {
      stats.tokensLeased += tokens;
      s.local += tokens;
      s.used = Math.max(s.used, answer.used);
    } else {
      // Refused: the count is above what the statement allowed, whatever the snapshot said.
      const cap = limit - ceilDiv(answer.previous * overlapMs, WINDOW_MS);
      s.used = Math.max(s.used, answer.used, cap - tokens + 1);
    }
  }

  async function leaseOnce(s: KeyState, tokens: number, limit: number): Promise<LeaseAnswer | 'retry'> {
    const now = clock();
    const windowStart = s.windowStart;
    if (now - (now % WINDOW_MS) !== windowStart) return 'retry';
    const overlapMs = WINDOW_MS - (now - windowStart);
    stats.leaseStatements++;
    const pending = opts.lease({ key: s.key, windowStart, tokens, limit, overlapMs });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LeaseTimeout(leaseTimeoutMs)), leaseTimeoutMs);
    });
    try {
      const answer = await Promise.race([pending, late]);
      answered();
      credit(s, windowStart, tokens, answer, limit, overlapMs);
      return answer;
    } catch (err) {
      // A grant that arrives after the timeout is still spendable this minute (an answer that late
      // does not end the outage: only a timely one does, or the logs would flap).
      if (err instanceof LeaseTimeout)
        pending.then(
          (answer) => credit(s, windowStart, tokens, answer, limit, overlapMs),
          () => {},
        );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A batch if it fits; if not, what the caller needs; never a rejection. */
  async function leaseUntilDecided(s: KeyState, want: number, need: number, limit: number): Promise<Outcome> {
    try {
      let tokens = want;
      for (;;) {
        const answer = await leaseOnce(s, tokens, limit);
        if (answer === 'retry') return 'retry';
        if (answer.granted) return 'granted';
        if (tokens <= need) return 'refused';
        tokens = need;
      }
    } catch (err) {
      failed(err);
      return 'failed';
    }
  }

  /** One lease in flight per key on this node; callers that arrive meanwhile wait for it. */
  function requestTokens(s: KeyState, need: number, limit: number, now: number): Promise<Outcome> {
    if (s.inFlight) {
      s.queued += need;
      return s.inFlight.then((outcome) => (outcome === 'failed' ? 'failed' : 'retry'));
    }
    // No more than the counts known here leave room for (at least one: a probe asks even when full).
    const room = limit - previousWeight(s, now) - s.used;
    const want = Math.max(1, Math.min(Math.max(batchFor(limit), need, s.queued), room));
    s.queued = 0;
    const inFlight: Promise<Outcome> = leaseUntilDecided(s, want, need, limit).finally(() => {
      if (s.inFlight === inFlight) s.inFlight = undefined;
    });
    s.inFlight = inFlight;
    return inFlight;
  }

  /** Tops up a key's lease in the background when it runs low, so the next calls find tokens here. */
  function topUp(s: KeyState, limit: number, now: number): void {
    if (s.inFlight || s.local >= Math.ceil(batchFor(limit) / 2) || knownFull(s, 1, limit, now)) return;
    void requestTokens(s, 1, limit, now);
  }

  function refusal(short: KeyState[], count: number, limit: number, now: number): RateDecision {
    stats.refused += count;
    return { ok: false, retryAfterSeconds: Math.max(...short.map((s) => secondsUntilRoom(s, count - s.local, limit, now))) };
  }

  /** While the database is away: this node's own count, and a probe now and then off every call's path. */
  function countingAlone(key: string, limit: number, now: number): boolean {
    if (!stats.degraded) return false;
    if (now >= retryDatabaseAt && !probing) {
      probing = true;
      void requestTokens(stateOf(key, now), 1, limit, now).finally(() => {
        probing = false;
      });
    }
    return true;
  }

  /** Spends from every key if all hold enough; otherwise the keys that do not. */
  function trySpend(states: KeyState[], count: number, limit: number, now: number): KeyState[] {
    const short = states.filter((s) => s.local < count);
    if (short.length > 0) return short;
    for (const s of states) s.local -= count;
    stats.admitted += count;
    for (const s of states) topUp(s, limit, now);
    return [];
  }

  async function takeSlowly(keys: readonly string[], limit: number, count: number): Promise<RateDecision> {
    // Each round either gets tokens (someone spends them) or finds the limit reached: it ends.
    // The bound only guards against a pathological race; its refusal asks for a quick retry.
    for (let round = 0; round < 20; round++) {
      const now = clock();
      if (countingAlone(keys[0], limit, now)) return fallback.take(keys, limit, count, now);
      const held = keys.map((key) => stateOf(key, now));
      const short = trySpend(held, count, limit, now);
      if (short.length === 0) return { ok: true, retryAfterSeconds: 0 };
      const full = short.filter((s) => knownFull(s, count - s.local, limit, now));
      if (full.length > 0) return refusal(full, count, limit, now);
      const outcomes = await Promise.all(short.map((s) => requestTokens(s, count - s.local, limit, now)));
      if (outcomes.includes('failed')) return fallback.take(keys, limit, count, clock());
      const refused = short.filter((_, i) => outcomes[i] === 'refused');
      if (refused.length > 0) return refusal(refused, count, limit, clock());
    }
    stats.refused += count;
    return { ok: false, retryAfterSeconds: 1 };
  }

  return {
    take(keys, perMinute, count = 1, now = clock()) {
      if (perMinute <= 0 || count <= 0) return { ok: true, retryAfterSeconds: 0 };
      if (count > perMinute) return { ok: false, retryAfterSeconds: 60 };
      const list = typeof keys === 'string' ? [keys] : keys;
      if (countingAlone(list[0], perMinute, now)) return fallback.take(list, perMinute, count, now);
      // The common case: every key holds enough here, decided without a promise.
      const held = list.map((key) => stateOf(key, now));
      const short = trySpend(held, count, perMinute, now);
      if (short.length === 0) return { ok: true, retryAfterSeconds: 0 };
      const full = short.filter((s) => knownFull(s, count - s.local, perMinute, now));
      if (full.length > 0) return refusal(full, count, perMinute, now);
      return takeSlowly(list, perMinute, count);
    },
    reset(key) {
      states.delete(key);
      fallback.reset(key);
    },
    stats: () => ({ ...stats }),
  };
}
