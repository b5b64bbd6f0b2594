// What both strict profiles share: a shape they cannot express is offered as JSON text (the
// real schema quoted for the model), and constraints they drop are kept as words in the
// description, so the model still knows them and the real schema's validator still enforces them.
import type { JsonSchema } from '../specs/types.js';
import { isObject, truncateText } from '../specs/json-utils.js';
import { mergeSchemas } from '../specs/schema-merge.js';
import { typeList } from '../specs/schema-keywords.js';
import type { ArgumentPlan } from './argument-plan.js';

export interface Converted {
  schema: JsonSchema;
  /** Undefined: the value passes through as written. */
  plan?: ArgumentPlan;
}

/** The real schema quoted in a JSON-text property's description at most this long. */
const QUOTED_SCHEMA_CHARS = 600;
/** A description the profiles write stays within the portable bound the importer uses. */
const MAX_DESCRIPTION = 1000;

export function withDescription(schema: JsonSchema, description: string | undefined): JsonSchema {
  if (!description) return schema;
  return { ...schema, description: truncateText(description, MAX_DESCRIPTION) };
}

/** The node's own description with notes about what the profile left out. */
export function describe(node: JsonSchema, notes: string[]): string | undefined {
  const own = typeof node.description === 'string' ? node.description : undefined;
  if (notes.length === 0) return own;
  const said = notes.join('; ');
  return own ? `${own} (${said})` : `${said[0].toUpperCase()}${said.slice(1)}.`;
}

/** Compact JSON of the node without descriptions, for quoting. */
function shapeOf(node: JsonSchema): string {
  const text = JSON.stringify(node, (key, value: unknown) => (key === 'description' || key === 'title' ? undefined : value));
  return text.length <= QUOTED_SCHEMA_CHARS ? text : `${text.slice(0, QUOTED_SCHEMA_CHARS)}…`;
}

/** A node the profile cannot express, offered as a string holding the value as JSON. */
export function asJsonText(node: JsonSchema, why: string): Converted {
  const own = typeof node.description === 'string' ? `${node.description} ` : '';
  const schema: JsonSchema = {
    type: 'string',
    description: truncateText(
      `${own}Write the value as JSON text (${why}); it must match this JSON Schema: ${shapeOf(node)}`,
      MAX_DESCRIPTION,
    ),
  };
  return { schema, plan: { kind: 'json' } };
}

/** Notes for the keywords a profile drops that say something a model can use. */
export function droppedNotes(node: JsonSchema, dropped: readonly string[]): string[] {
  const notes: string[] = [];
  for (const key of dropped) {
    if (!(key in node)) continue;
    const value = node[key];
    if (key === 'default') notes.push(`default: ${JSON.stringify(value)}`);
    else if (key === 'minLength' || key === 'maxLength' || key === 'minItems' || key === 'maxItems') notes.push(`${key} ${String(value)}`);
    else if (key === 'minimum' || key === 'maximum' || key === 'exclusiveMinimum' || key === 'exclusiveMaximum' || key === 'multipleOf')
      notes.push(`${key} ${String(value)}`);
    else if (key === 'format' && typeof value === 'string') notes.push(`format: ${value}`);
    else if (key === 'pattern' && typeof value === 'string') notes.push(`pattern: ${value}`);
    else if (key === 'uniqueItems' && value === true) notes.push('items must be unique');
    else if (key === 'examples' && Array.isArray(value) && value.length > 0) notes.push(`e.g. ${JSON.stringify(value[0]).slice(0, 80)}`);
  }
  return notes;
}

/** The node's subschemas in a list keyword, objects only. */
export function branches(node: JsonSchema, key: 'anyOf' | 'oneOf' | 'allOf'): JsonSchema[] | undefined {
  const list = node[key];
  return Array.isArray(list) ? list.filter(isObject) : undefined;
}

export function isNullSchema(node: JsonSchema): boolean {
  const types = typeList(node);
  return types.length === 1 && types[0] === 'null';
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The node's enum values that its declared types allow (all of them when it declares none). A
 * spec that lists strings for an array parameter means the array's items: such an enum says
 * nothing the profile can keep, and the real schema's validator still has it.
 */
export function fittingEnum(node: JsonSchema): unknown[] {
  const values = Array.isArray(node.enum) ? node.enum : [];
  const types = typeList(node);
  if (types.length === 0) return values;
  return values.filter((v) => {
    const type = jsonTypeOf(v);
    return types.includes(type) || (type === 'number' && types.includes('integer') && Number.isInteger(v));
  });
}

/** The node without the named keywords. */
export function omit(node: JsonSchema, ...keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(node).filter(([k]) => !keys.includes(k)));
}

const SHAPING = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'properties', 'items'];

/** A node with none of the keywords that give a shape accepts any value (or only constrains its siblings'). */
export function isShapeless(node: JsonSchema): boolean {
  return !SHAPING.some((key) => key in node);
}

/** The node with its `allOf` parts merged in, or undefined when they do not combine faithfully. */
export function mergedAllOf(node: JsonSchema, parts: JsonSchema[]): JsonSchema | undefined {
  const merged = mergeSchemas([...parts, omit(node, 'allOf')]);
  return merged && !('allOf' in merged) ? merged : undefined;
}
