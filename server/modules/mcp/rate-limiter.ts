// Calls per minute, as token buckets kept in memory: a burst up to the limit, then a steady
// refill. Per process: what a single node (SQLite) uses. Nodes sharing PostgreSQL count together
// with shared-rate-limiter.ts, which falls back to this one while the database is away.
export interface RateDecision {
  ok: boolean;
  /** Whole seconds until the refused count would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface RateLimiter {
  /**
   * Takes `count` calls from every bucket named, or from none: a request that one bucket refuses
   * costs the others nothing. A count above `perMinute` can never be allowed; the caller says so
   * (the decision is a refusal with a minute's Retry-After). A shared limiter may answer a promise
   * when it has to ask the database; most calls are decided at once.
   */
  take(keys: string | readonly string[], perMinute: number, count?: number, now?: number): RateDecision | Promise<RateDecision>;
  reset(key: string): void;
}

/** The in-memory limiter never waits. */
export interface MemoryRateLimiter extends RateLimiter {
  take(keys: string | readonly string[], perMinute: number, count?: number, now?: number): RateDecision;
}

export interface RateLimiterOptions {
  maxBuckets?: number;
  /** The clock refills follow when a call passes no `now`: Date.now unless a test moves its own. */
  clock?(): number;
}

export function createRateLimiter(opts: RateLimiterOptions = {}): MemoryRateLimiter {
  const maxBuckets = opts.maxBuckets ?? 100_000;
  const clock = opts.clock ?? Date.now;
  const buckets = new Map<string, Bucket>();

  function refilled(key: string, perMinute: number, now: number): Bucket {
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value!);
      bucket = { tokens: perMinute, updatedAt: now };
      buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.updatedAt) * (perMinute / 60_000));
      bucket.updatedAt = now;
    }
    return bucket;
  }

  return {
    take(keys, perMinute, count = 1, now = clock()) {
      if (perMinute <= 0 || count <= 0) return { ok: true, retryAfterSeconds: 0 };
      if (count > perMinute) return { ok: false, retryAfterSeconds: 60 };
      const bucketsTaken = (typeof keys === 'string' ? [keys] : keys).map((key) => refilled(key, perMinute, now));
      const short = Math.max(0, ...bucketsTaken.map((b) => count - b.tokens));
      if (short > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((short * 60_000) / perMinute / 1000)) };
      for (const bucket of bucketsTaken) bucket.tokens -= count;
      return { ok: true, retryAfterSeconds: 0 };
    },
    reset(key) {
      buckets.delete(key);
    },
  };
}
