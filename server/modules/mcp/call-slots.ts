// Upstream calls in flight, counted per workspace. Each tools/call may buffer a response of up to
// LATCHKEY_MAX_RESPONSE_BYTES and build a result several times that size, and a request's answer
// is held until its last call ends: without a bound, a few concurrent batches took the process
// from 161 MB to over 5 GB. A request takes a slot per tools/call it holds and gives them back
// when its answer is written, so what one workspace's callers hold at once is bounded.
export interface CallSlots {
  /** Takes `count` slots under `key`, all or none; the function returned gives them back (once). */
  acquire(key: string, count: number): (() => void) | undefined;
  inUse(key: string): number;
}

export function createCallSlots(max: number): CallSlots {
  const used = new Map<string, number>();
  return {
    acquire(key, count) {
      if (count <= 0) return () => {};
      const now = used.get(key) ?? 0;
      if (now + count > max) return undefined;
      used.set(key, now + count);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (used.get(key) ?? count) - count;
        if (left > 0) used.set(key, left);
        else used.delete(key);
      };
    },
    inUse: (key) => used.get(key) ?? 0,
  };
}
