// Slows down guessing the admin token: per client address, the first few wrong tokens cost
// nothing, then each one locks the address out for twice as long as the last (capped). While
// locked out every attempt is refused unchecked, even a right one, or the lock-out would still
// answer guesses. An address is forgotten a while after its last wrong token.

export interface ThrottleOptions {
  /** Wrong tokens allowed before lock-outs start. */
  freeAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** An address with no wrong token for this long starts afresh. */
  forgetAfterMs?: number;
  /** Bounds memory under a flood of addresses: the oldest entries go first. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export interface LoginThrottle {
  /** 0 when the address may try now, else how many milliseconds it must wait. */
  waitMs(address: string): number;
  recordFailure(address: string): void;
  recordSuccess(address: string): void;
}

export function createLoginThrottle(opts: ThrottleOptions = {}): LoginThrottle {
  const freeAttempts = opts.freeAttempts ?? 5;
  const baseDelayMs = opts.baseDelayMs ?? 1000;
  const maxDelayMs = opts.maxDelayMs ?? 5 * 60_000;
  const forgetAfterMs = opts.forgetAfterMs ?? 15 * 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  // A Map iterates in insertion order; re-inserting on each failure keeps the oldest first.
  const entries = new Map<string, Entry>();

  function current(address: string): Entry | undefined {
    const entry = entries.get(address);
    if (entry && now() - entry.lastFailure > forgetAfterMs && now() >= entry.lockedUntil) {
      entries.delete(address);
      return undefined;
    }
    return entry;
  }

  return {
    waitMs(address) {
      const entry = current(address);
      return entry ? Math.max(0, entry.lockedUntil - now()) : 0;
    },
    recordFailure(address) {
      const entry = current(address) ?? { failures: 0, lockedUntil: 0, lastFailure: 0 };
      entry.failures += 1;
      entry.lastFailure = now();
      const over = entry.failures - freeAttempts;
      if (over > 0) entry.lockedUntil = now() + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over - 1, 30));
      entries.delete(address);
      entries.set(address, entry);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    recordSuccess(address) {
      entries.delete(address);
    },
  };
}
