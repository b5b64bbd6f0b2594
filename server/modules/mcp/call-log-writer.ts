// Call records are queued in memory and handed to the sink in batches, so a tool call never waits
// on the database. A bounded queue protects memory if the sink stalls: beyond it the oldest are
// dropped and counted.
import type { CallRecord } from './call-tool.js';

export interface CallLogWriter {
  push(entry: CallRecord): void;
  /** Hands over everything queued now; resolves once it, and every batch before it, is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly dropped: number;
  /** Records waiting in the queue. */
  readonly queued: number;
}

export interface CallLogWriterOptions {
  flushMs?: number;
  maxQueue?: number;
  onError?(err: unknown): void;
}

export function createCallLogWriter(sink: (entries: CallRecord[]) => Promise<void> | void, opts: CallLogWriterOptions = {}): CallLogWriter {
  // Short: queued records are young garbage only while they wait, and readers see calls soon.
  const flushMs = opts.flushMs ?? 50;
  const maxQueue = opts.maxQueue ?? 10_000;
  let queue: CallRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let dropped = 0;
  let last: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return last;
    const batch = queue;
    queue = [];
    try {
      last = Promise.resolve(sink(batch)).catch((err: unknown) => opts.onError?.(err));
    } catch (err) {
      opts.onError?.(err);
    }
    return last;
  }

  return {
    push(entry) {
      if (queue.length >= maxQueue) {
        queue.shift();
        dropped++;
      }
      queue.push(entry);
      // unref: a pending flush must not keep the process alive; close() flushes what is left.
      timer ??= setTimeout(flush, flushMs).unref();
    },
    flush,
    close: flush,
    get dropped() {
      return dropped;
    },
    get queued() {
      return queue.length;
    },
  };
}
