// Call records are queued in memory and written in batches, so a tool call never waits on the
// database. A bounded queue protects memory if the disk stalls: beyond it the oldest are dropped
// and counted.
import type { CallRecord } from './call-tool.js';

export interface CallLogWriter {
  push(entry: CallRecord): void;
  /** Writes everything queued now (readers call it so they see the latest calls). */
  flush(): void;
  close(): void;
  readonly dropped: number;
}

export interface CallLogWriterOptions {
  flushMs?: number;
  maxQueue?: number;
  onError?(err: unknown): void;
}

export function createCallLogWriter(sink: (entries: CallRecord[]) => void, opts: CallLogWriterOptions = {}): CallLogWriter {
  const flushMs = opts.flushMs ?? 250;
  const maxQueue = opts.maxQueue ?? 10_000;
  let queue: CallRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let dropped = 0;

  function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      sink(batch);
    } catch (err) {
      opts.onError?.(err);
    }
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
  };
}
