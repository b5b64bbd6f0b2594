// The result thread (see tool-result-off-thread.ts): builds and serialises tool results of large
// upstream answers, so parsing, masking and printing them never holds the main event loop.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { serializeToolResult, type SerializedToolResult, type ToolResultOptions } from './tool-result.js';
import type { UpstreamResponse } from './types.js';

export interface ResultJob {
  id: number;
  response: UpstreamResponse;
  options: ToolResultOptions;
  excerptChars: number;
}

export type ResultAnswer = { id: number; result: SerializedToolResult } | { id: number; error: string };

/**
 * This thread yields the CPU to the event loop: when cores are short (the measured case: a burst
 * of large answers on 2 cores), the main thread, which answers every /mcp and /healthz, runs
 * first. Linux keeps a nice value per thread, reached by the thread's own id; elsewhere, or if
 * refused, the thread keeps the default priority.
 */
function yieldToTheEventLoop(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: the default priority
  }
}

yieldToTheEventLoop();

parentPort?.on('message', (job: ResultJob) => {
  let answer: ResultAnswer;
  try {
    // A Buffer arrives as a plain Uint8Array; the result code reads it as a Buffer.
    const body = Buffer.from(job.response.body.buffer, job.response.body.byteOffset, job.response.body.byteLength);
    answer = { id: job.id, result: serializeToolResult({ ...job.response, body }, job.options, job.excerptChars) };
  } catch (err) {
    answer = { id: job.id, error: (err as Error).message };
  }
  // The bytes are handed over, not copied: this thread has no further use for them.
  parentPort!.postMessage(answer, 'result' in answer ? [answer.result.json.buffer as ArrayBuffer] : []);
});
