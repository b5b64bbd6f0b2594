// Calls per minute, as token buckets kept in memory: a burst up to the limit, then a steady
// refill. Per process: behind a load balancer each instance counts its own share.
export interface RateDecision {
  ok: boolean;
  /** Whole seconds until a call would be allowed again. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface RateLimiter {
  take(key: string, perMinute: number, now?: number): RateDecision;
  reset(key: string): void;
}

export function createRateLimiter(maxBuckets = 100_000): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    take(key, perMinute, now = Date.now()) {
      if (perMinute <= 0) return { ok: true, retryAfterSeconds: 0 };
      const perMs = perMinute / 60_000;
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value!);
        bucket = { tokens: perMinute, updatedAt: now };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * perMs);
        bucket.updatedAt = now;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true, retryAfterSeconds: 0 };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    reset(key) {
      buckets.delete(key);
    },
  };
}
