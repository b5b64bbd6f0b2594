// Where the call log's batches go: a worker thread with its own connection (SQLite's, or a small
// PostgreSQL pool), so storing them never takes the event loop's time (see call-log-worker.ts):
// SQLite's insert cost ~50 µs of it per call, and building PostgreSQL's statement ~30 µs. Should
// the thread fail, batches are written on this thread instead: the log is never silently lost
// because of the thread.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WriteAck, WriteBatch } from './call-log-worker.js';
import type { CallLogInsert } from './repositories/call-logs-repository.js';

export interface CallLogStore {
  /** Resolves, once the batch is stored, with how many entries had to be dropped (deleted workspaces). */
  write(entries: CallLogInsert[], touched: Map<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface CallLogStoreOptions {
  /** The database, for the worker's connection; undefined: no worker. */
  database?: { dataDir: string; databaseUrl?: string };
  /** Writes a batch on this thread: used when there is no worker. Answers the number dropped. */
  writeHere(entries: CallLogInsert[], touched: Map<string, string>): Promise<number>;
  /** The worker failed; later batches are written here. */
  onWorkerError(err: Error): void;
}

function startWorker(database: { dataDir: string; databaseUrl?: string }): Worker {
  const here = fileURLToPath(import.meta.url);
  const url = new URL(`./call-log-worker${path.extname(here)}`, import.meta.url);
  if (url.pathname.endsWith('.ts')) {
    // From source under tsx: on Node 20 a worker does not inherit tsx's loader, so it registers it.
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
    return new Worker(boot, { eval: true, workerData: database });
  }
  return new Worker(url, { workerData: database });
}

interface Pending {
  batch: WriteBatch;
  resolve(dropped: number): void;
  reject(err: unknown): void;
}

/** Settles a pending write with what `store` answers, or with what it throws (never into an event handler). */
function settle(entry: Pending, store: () => number | Promise<number>): void {
  Promise.resolve().then(store).then(entry.resolve, entry.reject);
}

export function createCallLogStore(opts: CallLogStoreOptions): CallLogStore {
  let worker: Worker | undefined;
  let failed = false;
  let seq = 0;
  let lastWrite: Promise<unknown> = Promise.resolve();
  const pending = new Map<number, Pending>();

  const here = (batch: WriteBatch) => opts.writeHere(batch.entries, new Map(batch.touched));

  function fail(err: Error) {
    if (failed) return;
    failed = true;
    worker = undefined;
    opts.onWorkerError(err);
    // What the thread had not stored yet is stored here, in order.
    for (const [id, entry] of [...pending].sort(([a], [b]) => a - b)) {
      pending.delete(id);
      settle(entry, () => here(entry.batch));
    }
  }

  // Started on the first write: a gateway that serves no tool calls never starts a thread.
  function ensureWorker(): Worker | undefined {
    if (worker || failed || opts.database === undefined) return worker;
    const started = startWorker(opts.database);
    started.unref();
    started.on('message', (ack: WriteAck) => {
      const entry = pending.get(ack.seq);
      if (!entry) return;
      pending.delete(ack.seq);
      // A batch SQLite refused as a whole (a locked database past busy_timeout) gets a second try here.
      settle(entry, () => ('error' in ack ? here(entry.batch) : ack.dropped));
    });
    started.on('error', fail);
    started.on('exit', (code) => {
      if (worker === started) fail(new Error(`The call-log writer thread stopped (exit code ${code}).`));
    });
    worker = started;
    return worker;
  }

  return {
    write(entries, touched) {
      const batch: WriteBatch = { seq: ++seq, entries, touched: [...touched] };
      const target = ensureWorker();
      if (!target) {
        // In order, like the worker's: one batch after the other.
        const written = lastWrite.catch(() => {}).then(() => here(batch));
        lastWrite = written;
        return written;
      }
      const written = new Promise<number>((resolve, reject) => {
        pending.set(batch.seq, { batch, resolve, reject });
        target.postMessage(batch);
      });
      lastWrite = written;
      return written;
    },
    async close() {
      const closing = worker;
      if (!closing) return void (await lastWrite.catch(() => {}));
      // Referenced again, so that waiting for it keeps the process alive until it is done.
      closing.ref();
      // Batches are stored in order, so the last one's ack means all are.
      await lastWrite.catch(() => {});
      if (worker !== closing) return; // it failed meanwhile; what it held was written here
      worker = undefined;
      const exited = new Promise<void>((resolve) => closing.once('exit', () => resolve()));
      closing.postMessage(null);
      await exited;
    },
  };
}
