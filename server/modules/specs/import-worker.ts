// The spec importer's thread: parses the text and builds the tools, so that a spec that takes
// seconds (one large schema shared by hundreds of operations, a 13 MB description) never holds
// the event loop that serves /mcp and /healthz. See import-off-thread.ts for the other side.
import { parentPort } from 'node:worker_threads';
import type { ErrorDetail } from '../../errors.js';
import { importSpec, type ImportOptions } from './import-spec.js';
import { parseSpecText } from './parse-spec-text.js';
import type { ImportedSpec } from './types.js';

export interface ImportJob {
  id: number;
  text: string;
  options: ImportOptions;
}

/** What an error thrown here carries back: everything the API's error handler reads. */
export interface ThrownError {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  details?: ErrorDetail[];
}

export type ImportAnswer = { id: number; spec: ImportedSpec } | { id: number; error: ThrownError };

function describeError(error: unknown): ThrownError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, statusCode, details } = error as Error & Partial<Pick<ThrownError, 'code' | 'statusCode' | 'details'>>;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' && { code }),
    ...(typeof statusCode === 'number' && { statusCode }),
    ...(Array.isArray(details) && { details }),
  };
}

parentPort!.on('message', (job: ImportJob) => {
  // Jobs run one after another as their awaits allow; each answers once, with its id.
  (async () => importSpec(parseSpecText(job.text), { ...job.options, sourceBytes: Buffer.byteLength(job.text, 'utf8') }))().then(
    (spec) => parentPort!.postMessage({ id: job.id, spec } satisfies ImportAnswer),
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: describeError(error) } satisfies ImportAnswer),
  );
});
