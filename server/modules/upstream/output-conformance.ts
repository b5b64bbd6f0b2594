// Whether a value is what a tool's outputSchema declares. A client validates structuredContent
// against the schema and fails the whole call when it does not match, even though the call took
// effect upstream: the gateway checks first and, on a mismatch, hands the value over in the form
// every outputSchema also declares ({"_result": value}, output-schema.ts). Validators are compiled
// once per schema and kept, on each thread that builds results.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../specs/types.js';

export interface OutputShape {
  schema: JsonSchema;
  /** Names the schema for the cache: the tool's fingerprint, which changes with it. */
  id: string;
}

/** Past this many compiled schemas the oldest are dropped (a gateway of many large workspaces). */
const MAX_CACHED = 2_000;
// Lenient schemas hold no formats or bounds: the plain instance, stopping at the first mismatch.
const ajv = new Ajv2020({ strict: false, allErrors: false, logger: false, ownProperties: true });
const cache = new Map<string, ValidateFunction | null>();

function validatorFor(output: OutputShape): ValidateFunction | null {
  let validate = cache.get(output.id);
  if (validate !== undefined) return validate;
  try {
    validate = ajv.compile(output.schema);
  } catch {
    // A schema Ajv cannot compile cannot be checked by a client either: nothing is held against it.
    validate = null;
  } finally {
    ajv.removeSchema(output.schema);
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(output.id, validate);
  return validate;
}

export function conformsToOutput(output: OutputShape, value: unknown): boolean {
  const validate = validatorFor(output);
  return validate === null || validate(value) === true;
}
