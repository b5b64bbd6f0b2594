// Whether a value is what a tool's outputSchema declares. A client validates structuredContent
// against the schema and fails the whole call when it does not match, even though the call took
// effect upstream: the gateway checks first and, on a mismatch, hands the value over in the form
// every outputSchema also declares ({"_result": value}, output-schema.ts). Validators are compiled
// once per schema and kept, on each thread that builds results.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../specs/types.js';
import { compileFailFast } from './validate-arguments.js';

export interface OutputShape {
  schema: JsonSchema;
  /** Names the schema for the cache: the tool's fingerprint, which changes with it. */
  id: string;
}

/** Past this many compiled schemas the oldest are dropped (a gateway of many large workspaces). */
const MAX_CACHED = 2_000;
const cache = new Map<string, ValidateFunction | null>();

function validatorFor(output: OutputShape): ValidateFunction | null {
  let validate = cache.get(output.id);
  if (validate !== undefined) return validate;
  try {
    // Yes or no is all that is asked: the instance that stops at the first mismatch.
    validate = compileFailFast(output.schema);
  } catch {
    // A schema Ajv cannot compile cannot be checked by a client either: nothing is held against it.
    validate = null;
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(output.id, validate);
  return validate;
}

export function conformsToOutput(output: OutputShape, value: unknown): boolean {
  const validate = validatorFor(output);
  return validate === null || validate(value) === true;
}
