// Portable names: tool arguments and the property names at every depth of an input schema must
// match ^[a-zA-Z0-9_.-]{1,64}$ (issue #3). Names that do not are rewritten here, and a tree of
// sanitized -> real names is kept so the request can be built with the names the API expects.
import type { JsonSchema, NameMap } from './types.js';
import { isObject, type JsonObject } from './json-utils.js';

export const ARG_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Each character outside [a-zA-Z0-9_.-] becomes `_`: `filter[status]` -> `filter_status_`. */
export function sanitizeArgName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 64);
  return cleaned === '' ? '_' : cleaned;
}

/** A free argument name derived from `name`: as is, then prefixed with `prefix`, then numbered. */
export function uniqueArgName(name: string, prefix: string, taken: Set<string>): string {
  const base = sanitizeArgName(name);
  const candidates = [base, sanitizeArgName(`${prefix}_${base}`)];
  let chosen = candidates.find((c) => !taken.has(c));
  for (let n = 2; chosen === undefined; n++) {
    const suffix = `_${n}`;
    const numbered = `${candidates[1].slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken.has(numbered)) chosen = numbered;
  }
  taken.add(chosen);
  return chosen;
}

// The keywords below which one value is described again (alternatives, constraints on it) rather
// than a value inside it (`not` too, taken on its own). Converted schemas carry no if/then/else
// or dependentSchemas.
const SAME_VALUE = ['allOf', 'anyOf', 'oneOf'] as const;

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function valuesOf(value: unknown): unknown[] {
  return isObject(value) ? Object.values(value) : [];
}

// Converted subtrees are shared between tools of one import (memoised refs): whether one holds a
// name to rewrite is worked out once per object, so ordinary specs pay one walk per shared subtree.
const cleanCache = new WeakMap<object, boolean>();

/** True when no property name or required name anywhere in the schema needs rewriting. */
function isClean(schema: unknown): boolean {
  if (!isObject(schema)) return true;
  const cached = cleanCache.get(schema);
  if (cached !== undefined) return cached;
  const clean =
    (!isObject(schema.properties) || Object.keys(schema.properties).every((name) => ARG_NAME.test(name))) &&
    listOf(schema.required).every((name) => typeof name !== 'string' || ARG_NAME.test(name)) &&
    valuesOf(schema.properties).every(isClean) &&
    isClean(schema.items) &&
    listOf(schema.prefixItems).every(isClean) &&
    isClean(schema.additionalProperties) &&
    valuesOf(schema.patternProperties).every(isClean) &&
    SAME_VALUE.every((key) => listOf(schema[key]).every(isClean)) &&
    isClean(schema.not);
  cleanCache.set(schema, clean);
  return clean;
}

/** The schemas that describe one value: the given ones and, through allOf/anyOf/oneOf/not, their alternatives. */
function sameValue(roots: unknown[]): JsonSchema[] {
  const nodes: JsonSchema[] = [];
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (!isObject(node) || seen.has(node)) return;
    seen.add(node);
    nodes.push(node);
    for (const key of SAME_VALUE) listOf(node[key]).forEach(visit);
    visit(node.not);
  };
  roots.forEach(visit);
  return nodes;
}

/**
 * One portable name per real name for a whole level, shared by every alternative at it: a name
 * means the same in each oneOf branch, so the map back never has to choose between branches.
 * Valid names are claimed first, so a name that is already portable is never the one renamed.
 */
function allocate(nodes: JsonSchema[]): Map<string, string> {
  const reals = new Set<string>();
  for (const node of nodes) {
    if (isObject(node.properties)) for (const name of Object.keys(node.properties)) reals.add(name);
    for (const name of listOf(node.required)) if (typeof name === 'string') reals.add(name);
  }
  const portable = new Map<string, string>();
  const taken = new Set<string>();
  for (const real of reals) {
    if (ARG_NAME.test(real)) {
      portable.set(real, real);
      taken.add(real);
    }
  }
  for (const real of reals) if (!portable.has(real)) portable.set(real, uniqueArgName(real, 'field', taken));
  return portable;
}

interface Level {
  /** Each schema of the level that changed -> its rewritten copy; schemas not in it stay as they are. */
  rebuilt: Map<JsonSchema, JsonSchema>;
  names?: NameMap;
}

const UNCHANGED: Level = { rebuilt: new Map() };

function rebuiltOf(level: Level, schema: unknown): unknown {
  return isObject(schema) ? (level.rebuilt.get(schema) ?? schema) : schema;
}

/** A list with each item replaced, the same list when nothing was. */
function mapList(list: unknown[], each: (item: unknown) => unknown): unknown[] {
  const out = list.map(each);
  return out.some((item, i) => item !== list[i]) ? out : list;
}

/** A record with each entry replaced, the same record when nothing was. */
function mapEntries(record: JsonObject, each: (key: string, value: unknown) => [string, unknown]): JsonObject {
  const entries = Object.entries(record);
  const out = entries.map(([key, value]) => each(key, value));
  // fromEntries, not assignment: a property named __proto__ stays a property.
  return out.some(([key, value], i) => key !== entries[i][0] || value !== entries[i][1]) ? Object.fromEntries(out) : record;
}

/** Rewrites one level (the schemas describing one value) and, recursively, the levels inside it. */
function renameLevel(roots: unknown[]): Level {
  if (roots.every(isClean)) return UNCHANGED;
  const nodes = sameValue(roots);
  const portable = allocate(nodes);

  const byProperty = new Map<string, unknown[]>();
  for (const node of nodes) {
    if (!isObject(node.properties)) continue;
    for (const [real, schema] of Object.entries(node.properties)) {
      const schemas = byProperty.get(real);
      if (schemas) schemas.push(schema);
      else byProperty.set(real, [schema]);
    }
  }
  const children = new Map([...byProperty].map(([real, schemas]) => [real, renameLevel(schemas)]));
  // Tuple positions share one map: the map back applies it to every element alike.
  const items = renameLevel(nodes.flatMap((node) => [node.items, ...listOf(node.prefixItems)]));
  // Values under names not declared in `properties`: additionalProperties and patternProperties alike.
  const others = renameLevel(nodes.flatMap((node) => [node.additionalProperties, ...valuesOf(node.patternProperties)]));

  const rebuilt = new Map<JsonSchema, JsonSchema>();
  const rebuild = (node: JsonSchema): JsonSchema => {
    const done = rebuilt.get(node);
    if (done) return done;
    const changes: JsonSchema = {};
    if (isObject(node.properties))
      changes.properties = mapEntries(node.properties, (real, schema) => [portable.get(real)!, rebuiltOf(children.get(real)!, schema)]);
    if (Array.isArray(node.required))
      changes.required = mapList(node.required, (name) => (typeof name === 'string' ? portable.get(name) : name));
    if (node.items !== undefined) changes.items = rebuiltOf(items, node.items);
    if (Array.isArray(node.prefixItems)) changes.prefixItems = mapList(node.prefixItems, (schema) => rebuiltOf(items, schema));
    if (node.additionalProperties !== undefined) changes.additionalProperties = rebuiltOf(others, node.additionalProperties);
    if (isObject(node.patternProperties))
      changes.patternProperties = mapEntries(node.patternProperties, (pattern, schema) => [pattern, rebuiltOf(others, schema)]);
    for (const key of SAME_VALUE) {
      if (Array.isArray(node[key])) changes[key] = mapList(node[key] as unknown[], (part) => (isObject(part) ? rebuild(part) : part));
    }
    if (isObject(node.not)) changes.not = rebuild(node.not);
    const changed = Object.entries(changes).filter(([key, value]) => value !== node[key]);
    // A copy, never an edit: the schema may be shared with other tools of the import.
    const result = changed.length > 0 ? { ...node, ...Object.fromEntries(changed) } : node;
    rebuilt.set(node, result);
    return result;
  };
  nodes.forEach(rebuild);
  return { rebuilt, names: nameMap(portable, children, items, others) };
}

/** The level's map back, undefined when nothing at or below it was renamed. */
function nameMap(portable: Map<string, string>, children: Map<string, Level>, items: Level, others: Level): NameMap | undefined {
  const map: NameMap = {};
  const renamed = [...portable].filter(([real, name]) => real !== name);
  if (renamed.length > 0) map.names = Object.fromEntries(renamed.map(([real, name]) => [name, real]));
  // A Map, then fromEntries: a property named __proto__ must stay a key.
  const properties = new Map<string, NameMap>();
  for (const [real, level] of children) if (level.names) properties.set(portable.get(real)!, level.names);
  if (others.names) {
    map.additionalProperties = others.names;
    // The map back tells declared properties from the rest by `properties`: list every declared
    // one, so the additionalProperties map is never applied to a declared property's value.
    for (const real of children.keys()) if (!properties.has(portable.get(real)!)) properties.set(portable.get(real)!, {});
  }
  if (properties.size > 0) map.properties = Object.fromEntries(properties);
  if (items.names) map.items = items.names;
  return Object.keys(map).length > 0 ? map : undefined;
}

export interface PortableSchema {
  schema: JsonSchema;
  /** Sanitized -> real names, level by level; undefined when every name was portable already. */
  names?: NameMap;
}

/** The schema with every property name portable, at every depth, and the names to map back. */
export function portableNames(schema: JsonSchema): PortableSchema {
  const level = renameLevel([schema]);
  const out = level.rebuilt.get(schema) ?? schema;
  return level.names ? { schema: out, names: level.names } : { schema: out };
}
