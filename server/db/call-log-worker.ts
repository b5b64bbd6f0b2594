// The call-log writer's thread: its own connection to the database (SQLite's, or two pooled
// PostgreSQL connections), on which it inserts the batches the gateway posts. Done on the main
// thread, SQLite's insert of a row with its response excerpt cost ~50 µs of the event loop's time
// per tool call, and PostgreSQL's ~9 % of the gateway's CPU per call; here it costs it nothing.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from './client.js';
import { createAccessKeysRepository } from './repositories/access-keys-repository.js';
import { createCallLogsRepository, type CallLogInsert } from './repositories/call-logs-repository.js';

export interface WriteBatch {
  seq: number;
  entries: CallLogInsert[];
  /** Access key id -> last-used time. */
  touched: [string, string][];
}

export type WriteAck = { seq: number; dropped: number } | { seq: number; error: string };

const where = workerData as { dataDir: string; databaseUrl?: string };
const store = await openStore(where, { migrate: false, poolSize: 2 });
// Not guarded: this thread's connection runs one batch at a time, and no transaction of another's.
const callLogs = createCallLogsRepository(store);
const accessKeys = createAccessKeysRepository(store);

// Batches are stored one after another, in the order posted. `null` asks for a clean end: the
// connection is closed (checkpointing SQLite's WAL) before the thread exits.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (batch: WriteBatch | null) => {
  queue = queue.then(() => handle(batch));
});

async function handle(batch: WriteBatch | null): Promise<void> {
  if (batch === null) {
    await store.close();
    parentPort!.close();
    return;
  }
  let ack: WriteAck;
  try {
    const dropped = await callLogs.insertMany(batch.entries);
    await accessKeys.touch(new Map(batch.touched));
    ack = { seq: batch.seq, dropped };
  } catch (err) {
    ack = { seq: batch.seq, error: (err as Error).message };
  }
  parentPort!.postMessage(ack);
}
