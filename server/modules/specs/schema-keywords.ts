// Keyword-level translation of an OpenAPI schema object into portable JSON Schema 2020-12:
// only keywords every MCP client understands are kept, OpenAPI-only ones are translated.
import type { JsonSchema } from './types.js';
import { isObject, truncateText } from './json-utils.js';

export const MAX_DESCRIPTION = 1000;
const MAX_EXAMPLE_JSON = 300;

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

// Formats Ajv knows once ajv-formats is added: anything else makes strict validators throw.
const KNOWN_FORMATS = new Set([
  'date',
  'time',
  'date-time',
  'iso-time',
  'iso-date-time',
  'duration',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'regex',
  'uuid',
  'json-pointer',
  'json-pointer-uri-fragment',
  'relative-json-pointer',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'binary',
]);

const NUMBER_KEYWORDS = ['multipleOf', 'maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const;

const patternCache = new Map<string, boolean>();

/** Ajv compiles patterns with the `u` flag; a pattern that does not compile is dropped, not fatal. */
function isPortablePattern(pattern: string): boolean {
  let ok = patternCache.get(pattern);
  if (ok === undefined) {
    try {
      new RegExp(pattern, 'u');
      ok = true;
    } catch {
      ok = false;
    }
    if (patternCache.size < 10_000) patternCache.set(pattern, ok);
  }
  return ok;
}

export { isPortablePattern };

/** `type` as a list of JSON types; Swagger 2's `file` is a string. Undefined when not declared. */
export function normaliseType(type: unknown): string[] | undefined {
  const list = (Array.isArray(type) ? type : [type]).map((t) => (t === 'file' ? 'string' : t));
  const valid = [...new Set(list.filter((t): t is string => typeof t === 'string' && JSON_TYPES.has(t)))];
  return valid.length > 0 ? valid : undefined;
}

export function typeList(schema: JsonSchema): string[] {
  const type = schema.type;
  return Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
}

export function setTypes(schema: JsonSchema, types: string[]): void {
  if (types.length === 0) delete schema.type;
  else schema.type = types.length === 1 ? types[0] : types;
}

function smallExample(value: unknown): boolean {
  try {
    const json = JSON.stringify(value);
    return json !== undefined && json.length <= MAX_EXAMPLE_JSON;
  } catch {
    return false;
  }
}

/** Copies the leaf keywords (no subschemas) of `source` into `out`, translated. */
export function copyLeafKeywords(source: JsonSchema, out: JsonSchema): void {
  if (typeof source.title === 'string') out.title = source.title;
  if (typeof source.description === 'string' && source.description.trim() !== '')
    out.description = truncateText(source.description, MAX_DESCRIPTION);
  if (source.default !== undefined) out.default = source.default;
  if (Array.isArray(source.enum) && source.enum.length > 0) out.enum = source.enum;
  if (source.const !== undefined) out.const = source.const;
  if (source.deprecated === true) out.deprecated = true;
  for (const key of NUMBER_KEYWORDS) if (typeof source[key] === 'number') out[key] = source[key];
  if (typeof source.uniqueItems === 'boolean') out.uniqueItems = source.uniqueItems;
  if (typeof source.format === 'string' && KNOWN_FORMATS.has(source.format)) out.format = source.format;
  if (typeof source.pattern === 'string' && isPortablePattern(source.pattern)) out.pattern = source.pattern;
  if (typeof source.contentMediaType === 'string') out.contentMediaType = source.contentMediaType;
  if (typeof source.contentEncoding === 'string') out.contentEncoding = source.contentEncoding;

  // OpenAPI 3.0's boolean exclusiveMinimum/Maximum modify minimum/maximum; 2020-12 uses numbers.
  for (const [bound, exclusive] of [
    ['minimum', 'exclusiveMinimum'],
    ['maximum', 'exclusiveMaximum'],
  ] as const) {
    const value = source[bound];
    const flag = source[exclusive];
    if (typeof flag === 'number') out[exclusive] = flag;
    if (typeof value !== 'number') continue;
    if (flag === true) out[exclusive] = value;
    else out[bound] = value;
  }

  // OpenAPI's single `example` becomes `examples`; large examples cost context and are dropped.
  const examples = Array.isArray(source.examples) ? source.examples : source.example !== undefined ? [source.example] : [];
  const kept = examples.filter(smallExample).slice(0, 3);
  if (kept.length > 0) out.examples = kept;
}

const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', 'deprecated']);

/** OpenAPI 3.0 `nullable: true`: null joins the type (and enum), or the schema becomes anyOf [it, null]. */
export function applyNullable(out: JsonSchema): JsonSchema {
  const types = typeList(out);
  if (types.length > 0) {
    if (!types.includes('null')) setTypes(out, [...types, 'null']);
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  const constraints = Object.keys(out).filter((k) => !ANNOTATIONS.has(k));
  if (constraints.length === 0) return out; // already accepts anything, null included
  const inner: JsonSchema = {};
  const wrapped: JsonSchema = {};
  for (const [k, v] of Object.entries(out)) (ANNOTATIONS.has(k) ? wrapped : inner)[k] = v;
  wrapped.anyOf = [inner, { type: 'null' }];
  return wrapped;
}

const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

/** Rough size in characters of the keywords a node adds itself (subschemas are counted on their own). */
export function ownSize(schema: JsonSchema): number {
  let size = 2;
  for (const [key, value] of Object.entries(schema)) {
    size += key.length + 4;
    if (typeof value === 'string') size += value.length;
    else if (typeof value === 'number' || typeof value === 'boolean') size += 5;
    else if (Array.isArray(value)) size += SUBSCHEMA_LISTS.has(key) ? value.length : JSON.stringify(value).length;
    else if (isObject(value) && key !== 'items' && key !== 'additionalProperties' && key !== 'not')
      size += Object.keys(value).reduce((n, k) => n + k.length + 4, 0);
  }
  return size;
}

/** True for a schema with no subschemas: converting it costs little, so it is never summarised. */
export function isLeafSchema(schema: unknown): boolean {
  if (!isObject(schema)) return true;
  if (typeof schema.$ref === 'string') return false;
  const types = normaliseType(schema.type) ?? [];
  if (types.includes('object') || types.includes('array')) return false;
  return !['properties', 'additionalProperties', 'patternProperties', 'items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', 'not'].some(
    (k) => k in schema,
  );
}
