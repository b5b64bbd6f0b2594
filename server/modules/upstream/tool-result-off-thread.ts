// Large upstream answers become tool results on a thread of their own (tool-result-worker.ts).
// Parsing ~1 MiB of JSON, masking it and printing it twice costs the CPU tens of ms and leaves
// tens of thousands of objects for the collector: done on the main thread, a burst of such answers
// held /healthz and every other workspace's calls for over 100 ms. The main thread now only moves
// bytes: the body is handed to the thread and the serialised result handed back, neither copied
// (on the 2-core VM a fresh 1 MB copy cost ~3 ms in page faults alone). Should the thread fail to
// start, results are built here, one per event-loop turn.
import type { Worker } from 'node:worker_threads';
import { takeTurn } from '../shared/take-turn.js';
import { idleStopper, startSiblingWorker } from '../shared/worker-thread.js';
import { ResultThreadStopped } from './errors.js';
import { serializeToolResult, type SerializedToolResult, type ToolResultOptions } from './tool-result.js';
import type { ResultAnswer, ResultJob } from './tool-result-worker.js';
import type { UpstreamResponse } from './types.js';

const IDLE_MS = 60_000;

/** What the answer takes: the JSON as a Buffer. */
export type BuiltToolResult = SerializedToolResult & { json: Buffer };

interface Pending {
  resolve(result: BuiltToolResult): void;
  reject(err: unknown): void;
}

let worker: Worker | undefined;
/** Set when the thread could not start or stopped unasked: every result is built here from then on. */
let failed = false;
const idle = idleStopper(IDLE_MS);
let seq = 0;
const pending = new Map<number, Pending>();

function asBuffer(result: SerializedToolResult): BuiltToolResult {
  return { ...result, json: Buffer.from(result.json.buffer, result.json.byteOffset, result.json.byteLength) };
}

/** On this thread, one result per event-loop turn, so a burst still lets waiting I/O through. */
async function buildHere(response: UpstreamResponse, options: ToolResultOptions, excerptChars: number): Promise<BuiltToolResult> {
  await takeTurn();
  return asBuffer(serializeToolResult(response, options, excerptChars));
}

/** The thread stopped unasked: its jobs' bodies went with it, so they fail; later ones are built here. */
function fail(target: Worker): void {
  if (worker === target) worker = undefined;
  failed = true;
  void target.terminate();
  for (const [id, entry] of pending) {
    pending.delete(id);
    entry.reject(new ResultThreadStopped());
  }
}

function ensureWorker(): Worker | undefined {
  if (worker || failed) return worker;
  let started: Worker;
  try {
    started = startSiblingWorker(import.meta.url, 'tool-result-worker');
  } catch {
    failed = true;
    return undefined;
  }
  started.on('message', (answer: ResultAnswer) => {
    const entry = pending.get(answer.id);
    if (!entry) return;
    pending.delete(answer.id);
    if ('error' in answer) entry.reject(new Error(answer.error));
    else entry.resolve(asBuffer(answer.result));
    if (pending.size === 0) {
      // Idle, it keeps nothing alive; a result under way does (ref'd below).
      started.unref();
      scheduleIdleStop(started);
    }
  });
  started.on('error', () => fail(started));
  started.on('exit', () => {
    if (worker === started) fail(started);
  });
  started.unref();
  worker = started;
  return started;
}

function scheduleIdleStop(target: Worker): void {
  idle.schedule(() => {
    if (worker !== target || pending.size > 0) return;
    worker = undefined;
    void target.terminate();
  });
}

/**
 * serializeToolResult on the result thread. The response's body is handed over (transferred):
 * afterwards `response.body` is empty. A body that shares its memory with other data is copied
 * first, since only a whole allocation can change threads.
 */
export function serializeToolResultOffThread(
  response: UpstreamResponse,
  options: ToolResultOptions,
  excerptChars: number,
): Promise<BuiltToolResult> {
  idle.cancel();
  const target = ensureWorker();
  if (!target) return buildHere(response, options, excerptChars);
  const { body } = response;
  const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
  const job: ResultJob = { id: ++seq, response: { ...response, body: whole as Buffer }, options, excerptChars };
  return new Promise((resolve, reject) => {
    pending.set(job.id, { resolve, reject });
    target.ref();
    target.postMessage(job, [whole.buffer as ArrayBuffer]);
  });
}
