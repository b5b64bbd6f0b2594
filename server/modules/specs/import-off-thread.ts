// Spec text in, ImportedSpec out, computed on a worker thread (import-worker.ts): parsing and
// building tools can take seconds of CPU, which on the main thread would stall every workspace's
// /mcp and /healthz. One thread is started on the first upload and stops after a quiet minute;
// errors thrown there (SpecInvalid with its details, …) are rebuilt here as the same errors.
import type { Worker } from 'node:worker_threads';
import * as errors from '../../errors.js';
import { idleStopper, startSiblingWorker } from '../shared/worker-thread.js';
import type { ImportAnswer, ImportJob, ThrownError } from './import-worker.js';
import type { ImportOptions } from './import-spec.js';
import type { ImportedSpec } from './types.js';

const IDLE_MS = 60_000;
// A spec whose import would need more than this much heap stops the thread, not the gateway.
const MAX_HEAP_MB = 2048;

function startWorker(): Worker {
  return startSiblingWorker(import.meta.url, 'import-worker', { resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB } });
}

type ErrorConstructor = new (...args: unknown[]) => Error;
let byCode: Map<string, ErrorConstructor> | undefined;

/** Our own error class for a code (LK_SPEC_INVALID -> SpecInvalid), found once from errors.ts. */
function errorClass(code: string): ErrorConstructor | undefined {
  if (!byCode) {
    byCode = new Map();
    for (const value of Object.values(errors)) {
      if (typeof value !== 'function') continue;
      const Class = value as unknown as ErrorConstructor;
      try {
        const sample = new Class() as Error & { code?: unknown };
        if (typeof sample.code === 'string') byCode.set(sample.code, Class);
      } catch {
        // not an error class
      }
    }
  }
  return byCode.get(code);
}

/** The error the worker threw, as the same class with the same message, status and details. */
function rebuildError(thrown: ThrownError): Error {
  const Class = thrown.code ? errorClass(thrown.code) : undefined;
  const error = Class ? new Class() : new Error();
  Object.assign(error, { message: thrown.message, ...(thrown.details && { details: thrown.details }) });
  if (!Class)
    Object.assign(error, {
      name: thrown.name,
      ...(thrown.code && { code: thrown.code }),
      ...(thrown.statusCode && { statusCode: thrown.statusCode }),
    });
  return error;
}

interface Pending {
  worker: Worker;
  resolve(spec: ImportedSpec): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
const idle = idleStopper(IDLE_MS);
let seq = 0;
const pending = new Map<number, Pending>();

function failAll(worker: Worker, error: Error): void {
  for (const [id, entry] of pending) {
    if (entry.worker !== worker) continue;
    pending.delete(id);
    entry.reject(error);
  }
  void worker.terminate();
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const started = startWorker();
  started.on('message', (answer: ImportAnswer) => {
    const entry = pending.get(answer.id);
    if (!entry) return;
    pending.delete(answer.id);
    if ('error' in answer) entry.reject(rebuildError(answer.error));
    else entry.resolve(answer.spec);
    if (pending.size === 0) {
      // Idle, it keeps nothing alive; an import under way does (ref'd in importSpecText).
      started.unref();
      scheduleIdleStop(started);
    }
  });
  const stopped = (error: Error) => {
    if (worker === started) worker = undefined;
    failAll(started, error);
  };
  started.on('error', (err: Error & { code?: string }) =>
    stopped(
      err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new errors.SpecTooComplex(`importing it needs more than ${MAX_HEAP_MB} MB of memory`) : err,
    ),
  );
  started.on('exit', (code) => stopped(new Error(`The spec import thread stopped (exit code ${code}).`)));
  // After the listeners, which would otherwise hold it referenced.
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

/** parseSpecText + importSpec, on the import thread. Rejects with the errors they throw. */
export function importSpecText(text: string, options: ImportOptions = {}): Promise<ImportedSpec> {
  idle.cancel();
  const target = ensureWorker();
  const job: ImportJob = { id: ++seq, text, options };
  return new Promise<ImportedSpec>((resolve, reject) => {
    pending.set(job.id, { worker: target, resolve, reject });
    target.ref();
    target.postMessage(job);
  });
}
