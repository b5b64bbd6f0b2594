// A tool's outputSchema: the operation's 2xx JSON response, where it is an object, in the same
// portable form as input schemas but *lenient*. A response schema describes what the API means to
// send, and APIs send more (new enum values, nulls where a field is "required", integers past a
// declared maximum): a client validates structuredContent against the outputSchema and fails the
// whole call on a mismatch, so the schema keeps the structure (types, properties, items) and drops
// the promises (required, enum, formats, bounds, closed objects). It is held to a small budget of
// its own: every listed tool carries it on every turn.
import type { JsonSchema } from './types.js';
import { isObject, setEntry, stableStringify, type JsonObject } from './json-utils.js';
import { followRefs } from './json-pointer.js';
import { SchemaBudgetExceeded, SchemaConverter, type SchemaSource } from './schema-portable.js';
import { typeList } from './schema-keywords.js';

/**
 * structuredContent holds a call's value under this key instead of the API's own fields when it
 * is not the declared object: a response_filter's result, or an answer the API sent in another
 * shape. Declared in every outputSchema, so the wrapped form conforms too.
 */
export const RESULT_KEY = '_result';

/** About 6 KB of JSON per output schema: the top-level fields and a level or two below. */
export const OUTPUT_SCHEMA_BUDGET = 6_000;
/**
 * About 12 MB of output schemas per import, shared fairly: a spec of many thousand operations
 * (Microsoft Graph beta: 22,000) gives each a smaller share, so its last tools are typed like its
 * first (top-level fields at least). Past it, tools declare their object answers without fields.
 */
export const IMPORT_OUTPUT_BUDGET = 12_000_000;
const MIN_SHARE = 400;

/** What one tool's output schema may take in an import of this many operations. */
export function outputBudgetPerTool(operations: number): number {
  return Math.max(MIN_SHARE, Math.min(OUTPUT_SCHEMA_BUDGET, Math.floor(IMPORT_OUTPUT_BUDGET / Math.max(1, operations))));
}

const DEPTHS = [3, 2, 1, 0];
const SUCCESS = /^2(\d\d|XX)$/i;

const RESULT_PROPERTY: JsonSchema = {
  description:
    'Set instead of the fields above when the call gave a response_filter (its result) or the API answered in another shape (that answer).',
};

/** Keywords a lenient schema keeps; everything else (required, enum, const, format, bounds, not…) goes. */
const KEPT = new Set(['title', 'description', 'deprecated']);
/**
 * Words are kept for the answer's own fields; below them the structure alone is what a client
 * checks, and descriptions there doubled the size of a rich API's tools/list.
 */
const DESCRIBED_DEPTH = 1;

function jsonContentSchema(content: unknown): unknown {
  if (!isObject(content)) return undefined;
  const types = Object.keys(content);
  const rank = (type: string) => {
    const t = type.toLowerCase().split(';')[0].trim();
    if (t === 'application/json') return 0;
    if (t.endsWith('+json') || t.endsWith('/json')) return 1;
    if (t === '*/*') return 2;
    return undefined;
  };
  const best = types
    .filter((t) => rank(t) !== undefined)
    .sort((a, b) => rank(a)! - rank(b)!)
    .at(0);
  const media = best === undefined ? undefined : content[best];
  return isObject(media) ? media.schema : undefined;
}

/** The schema of the first 2xx response that has a JSON body, in status order; undefined when none has. */
export function successResponseSchema(doc: JsonObject, operation: JsonObject): unknown {
  if (!isObject(operation.responses)) return undefined;
  const statuses = Object.keys(operation.responses)
    .filter((s) => SUCCESS.test(s))
    .sort();
  for (const status of statuses) {
    const response = followRefs(doc, operation.responses[status]).value;
    if (!isObject(response)) continue;
    const schema = jsonContentSchema(response.content);
    if (schema !== undefined) return schema;
  }
  return undefined;
}

/** Null joins every declared type, and integer widens to number (APIs send 1.0, and large ids as floats). */
function lenientTypes(schema: JsonSchema): string[] | undefined {
  const types = typeList(schema);
  if (types.length === 0) return undefined;
  const widened = new Set(types.map((t) => (t === 'integer' ? 'number' : t)));
  widened.add('null');
  return [...widened];
}

/** `depth`: 1 for the answer's own fields, 2 for theirs, and so on. */
export function lenient(schema: unknown, depth = 1): JsonSchema {
  if (!isObject(schema)) return {};
  const out: JsonSchema = {};
  if (depth <= DESCRIBED_DEPTH) for (const key of KEPT) if (schema[key] !== undefined) out[key] = schema[key];
  const below = (sub: unknown) => lenient(sub, depth + 1);
  const beside = (sub: unknown) => lenient(sub, depth);
  const types = lenientTypes(schema);
  if (types) out.type = types;
  if (isObject(schema.properties)) {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, sub] of Object.entries(schema.properties)) setEntry(properties, name, below(sub));
    out.properties = properties;
  }
  if (isObject(schema.additionalProperties)) out.additionalProperties = below(schema.additionalProperties);
  if (schema.items !== undefined) out.items = below(schema.items);
  // Tuples stay open: items past the declared ones are allowed (no `items: false`).
  if (Array.isArray(schema.prefixItems)) out.prefixItems = schema.prefixItems.map(below);
  // One of several shapes: exclusivity is a promise like the others (two lenient branches may both match).
  const branches = [...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.oneOf) ? schema.oneOf : [])].map(beside);
  if (branches.length > 0) out.anyOf = branches;
  if (Array.isArray(schema.allOf)) out.allOf = schema.allOf.map(beside);
  return out;
}

/**
 * The lenient root as a plain object schema: its own properties and those of its allOf, anyOf and
 * oneOf parts side by side (a name two parts give different schemas accepts anything), so `{}`
 * and `{"_result": …}` always conform whatever the parts said.
 */
function objectRoot(converted: JsonSchema): JsonSchema | undefined {
  const properties: Record<string, JsonSchema> = {};
  const conflicted = new Set<string>();
  const parts = [
    converted,
    ...['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(converted[k]) ? (converted[k] as unknown[]) : [])),
  ];
  for (const part of parts) {
    if (!isObject(part) || !isObject(part.properties)) continue;
    for (const [name, sub] of Object.entries(part.properties)) {
      const schema = lenient(sub);
      const seen = properties[name];
      if (seen === undefined) setEntry(properties, name, schema);
      else if (stableStringify(seen) !== stableStringify(schema)) conflicted.add(name);
    }
  }
  for (const name of conflicted) setEntry(properties, name, {});
  if (Object.hasOwn(properties, RESULT_KEY)) return undefined;
  const root: JsonSchema = { type: 'object' };
  for (const key of KEPT) if (converted[key] !== undefined) root[key] = converted[key];
  setEntry(properties, RESULT_KEY, RESULT_PROPERTY);
  root.properties = properties;
  if (isObject(converted.additionalProperties)) root.additionalProperties = lenient(converted.additionalProperties);
  return root;
}

/** True when the converted response schema describes objects only (not "an object or an array"). */
function describesObjects(converted: JsonSchema): boolean {
  const types = typeList(converted).filter((t) => t !== 'null');
  if (types.length > 0) return types.every((t) => t === 'object');
  const parts = Array.isArray(converted.allOf) ? converted.allOf : [];
  return parts.length > 0 && parts.every((p) => isObject(p) && typeList(p).includes('object'));
}

function convertWithin(source: SchemaSource, schema: unknown): JsonSchema | undefined {
  const budget = Math.min(OUTPUT_SCHEMA_BUDGET, source.outputPerTool);
  // The import's budget spent: the object is declared, its fields are not.
  if (source.outputRemaining < budget)
    return new SchemaConverter(source, -1, Number.POSITIVE_INFINITY, true, undefined, true).convert(schema);
  for (const depth of DEPTHS) {
    try {
      return new SchemaConverter(source, depth, budget, false, undefined, true).convert(schema);
    } catch (error) {
      if (!(error instanceof SchemaBudgetExceeded)) throw error;
    }
  }
  try {
    return new SchemaConverter(source, 0, budget, true, undefined, true).convert(schema);
  } catch (error) {
    if (!(error instanceof SchemaBudgetExceeded)) throw error;
    // Hundreds of documented top-level fields: the object is declared, its fields are not.
    return new SchemaConverter(source, -1, Number.POSITIVE_INFINITY, true, undefined, true).convert(schema);
  }
}

/**
 * The outputSchema for an operation, or undefined: no 2xx JSON response, one that is not an
 * object (an array, a string), or one whose fields include RESULT_KEY itself.
 */
export function buildOutputSchema(source: SchemaSource, operation: JsonObject): JsonSchema | undefined {
  const schema = successResponseSchema(source.doc, operation);
  if (schema === undefined || !isObject(schema)) return undefined;
  const converted = convertWithin(source, schema);
  if (!converted || !describesObjects(converted)) return undefined;
  const root = objectRoot(converted);
  if (root) source.outputRemaining -= JSON.stringify(root).length;
  return root;
}
