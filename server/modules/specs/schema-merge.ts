// Flattens `allOf` where that keeps the meaning: parts are merged keyword by keyword, which is
// what allOf means for disjoint keywords. Properties and required lists are unioned; a keyword
// that two parts set differently makes the merge give up and the allOf is kept as is.
import type { JsonSchema } from './types.js';
import { isObject, ownEntry, setEntry, stableStringify } from './json-utils.js';
import { setTypes, typeList } from './schema-keywords.js';

// Annotations never conflict: the later part (the schema's own keywords come last) wins.
const LATER_WINS = new Set(['title', 'description', 'deprecated']);
const FIRST_WINS = new Set(['examples', 'default']);

function intersectTypes(a: string[], b: string[]): string[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = a.filter((t) => b.includes(t));
  // integer is a kind of number
  if (a.includes('integer') && b.includes('number') && !out.includes('integer')) out.push('integer');
  if (b.includes('integer') && a.includes('number') && !out.includes('integer')) out.push('integer');
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || stableStringify(a) === stableStringify(b);
}

/** The parts merged into one schema, or undefined when they cannot be merged faithfully. */
export function mergeSchemas(parts: JsonSchema[]): JsonSchema | undefined {
  const out: JsonSchema = {};
  let types: string[] = [];
  let typed = false;
  const required: string[] = [];
  let properties: Record<string, JsonSchema> | undefined;

  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === 'type') {
        types = typed ? intersectTypes(types, typeList(part)) : typeList(part);
        typed = true;
        if (types.length === 0) return undefined; // e.g. string and object: nothing satisfies both
      } else if (key === 'required' && Array.isArray(value)) {
        for (const name of value) if (typeof name === 'string' && !required.includes(name)) required.push(name);
      } else if (key === 'properties' && isObject(value)) {
        properties ??= {};
        // Property names are data: `constructor` must not find Object.prototype's, `__proto__` must stay a key.
        for (const [name, schema] of Object.entries(value)) {
          const existing = ownEntry(properties, name);
          setEntry(
            properties,
            name,
            existing === undefined || sameJson(existing, schema) ? (schema as JsonSchema) : { allOf: [existing, schema] },
          );
        }
      } else if (LATER_WINS.has(key)) {
        setEntry(out, key, value);
      } else if (FIRST_WINS.has(key)) {
        if (!Object.hasOwn(out, key)) out[key] = value;
      } else if (!Object.hasOwn(out, key)) {
        setEntry(out, key, value);
      } else if (!sameJson(out[key], value)) {
        return undefined;
      }
    }
  }
  if (typed) setTypes(out, types);
  if (properties) out.properties = properties;
  if (required.length > 0) out.required = required;
  return out;
}
