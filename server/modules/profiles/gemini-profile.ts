// The `gemini` profile: the OpenAPI 3.0 subset Gemini's function declarations take (the Gemini
// API's `Schema` object). One `type` per node and `nullable` for null; no $ref or $defs, no
// anyOf/oneOf/allOf, no const, additionalProperties, patternProperties, default or title; enums
// on strings only; an object lists its properties and an array its items. Unions of objects merge
// into one object; other unions, free-form objects and values of any type are offered as JSON
// text; non-string enums are offered as strings and mapped back.
import type { JsonSchema } from '../specs/types.js';
import { isObject, setEntry, stableStringify } from '../specs/json-utils.js';
import { mergeSchemas } from '../specs/schema-merge.js';
import type { ArgumentPlan } from './argument-plan.js';
import {
  asJsonText,
  branches,
  describe,
  droppedNotes,
  fittingEnum,
  isNullSchema,
  withDescription,
  isShapeless,
  mergedAllOf,
  omit,
  type Converted,
} from './profile-common.js';
import { typeList } from '../specs/schema-keywords.js';

/** The formats Gemini's Schema documents, per type. */
export const GEMINI_FORMATS: Record<string, readonly string[]> = {
  string: ['date-time', 'enum'],
  number: ['float', 'double'],
  integer: ['int32', 'int64'],
};
export const GEMINI_TOOL_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;

const KEPT: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'pattern'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
  boolean: [],
};
const NOTED = [
  'default',
  'examples',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
];

function withNullable(converted: Converted, nullable: boolean): Converted {
  return nullable && converted.schema.type !== undefined ? { ...converted, schema: { ...converted.schema, nullable: true } } : converted;
}

/** Enum values as the strings Gemini takes, each label mapped back to its real value. */
function convertEnum(node: JsonSchema, values: unknown[]): Converted {
  const nullable = values.includes(null);
  const real = values.filter((v) => v !== null);
  if (real.length === 0) return asJsonText(node, 'its only allowed value is null');
  const description = describe(node, droppedNotes(node, ['default']));
  if (real.every((v) => typeof v === 'string')) {
    return withNullable({ schema: withDescription({ type: 'string', enum: real }, description) }, nullable);
  }
  // Strings stand for themselves; any other value by its text, or by its JSON where that text is
  // taken (1 and "1" both allowed: the number is offered as `1`… unless a string already is).
  const labels = new Map<string, unknown>(real.filter((v) => typeof v === 'string').map((v) => [v, v]));
  for (const value of real) {
    if (typeof value === 'string') continue;
    const plain = typeof value === 'object' ? JSON.stringify(value) : String(value);
    const label = labels.has(plain) ? `${JSON.stringify(value)} (${typeof value})` : plain;
    if (labels.has(label)) return asJsonText(node, 'its allowed values cannot all be written as distinct strings');
    labels.set(label, value);
  }
  const plan: ArgumentPlan = { kind: 'enum', values: labels };
  return withNullable({ schema: withDescription({ type: 'string', enum: [...labels.keys()] }, description), plan }, nullable);
}

/** Object alternatives as one object: the properties of all, required only where all require. */
function mergeObjects(list: JsonSchema[]): JsonSchema | undefined {
  const properties: Record<string, JsonSchema> = {};
  let required: string[] | undefined;
  for (const branch of list) {
    const own = isObject(branch.properties) ? branch.properties : {};
    for (const [name, schema] of Object.entries(own)) {
      if (!isObject(schema)) continue;
      const seen = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (seen && stableStringify(seen) !== stableStringify(schema)) return undefined;
      setEntry(properties, name, schema);
    }
    const ownRequired = Array.isArray(branch.required) ? branch.required.filter((n): n is string => typeof n === 'string') : [];
    required = required === undefined ? ownRequired : required.filter((n) => ownRequired.includes(n));
  }
  return { type: 'object', properties, required: required ?? [] };
}

function convertUnion(node: JsonSchema, list: JsonSchema[]): Converted {
  const siblings = omit(node, 'anyOf', 'oneOf', 'description');
  if (list.every(isShapeless)) return convert({ ...siblings, ...(node.description !== undefined && { description: node.description }) });
  const nullable = list.some(isNullSchema);
  const alternatives: JsonSchema[] = [];
  for (const branch of list.filter((b) => !isNullSchema(b))) {
    const merged = Object.keys(siblings).length > 0 ? mergeSchemas([siblings, branch]) : branch;
    if (!merged) return asJsonText(node, 'its alternatives do not combine');
    alternatives.push(merged);
  }
  const own = node.description;
  const described = (schema: JsonSchema) => (typeof own === 'string' ? { ...schema, description: own } : schema);
  if (alternatives.length === 1) return withNullable(convert(described(alternatives[0])), nullable);
  if (alternatives.every((a) => typeList(a).join() === 'object' && !('anyOf' in a) && !('oneOf' in a) && !('allOf' in a))) {
    const merged = mergeObjects(alternatives);
    if (merged) return withNullable(convert(described(merged), ['one of several forms: send the properties of one']), nullable);
  }
  return asJsonText(node, 'one of several alternatives');
}

function convertObject(node: JsonSchema, nullable: boolean, notes: string[]): Converted {
  const properties = isObject(node.properties) ? node.properties : {};
  const names = Object.keys(properties);
  if (names.length === 0) return asJsonText(node, 'a free-form object');
  const outProperties: Record<string, JsonSchema> = {};
  const plans = new Map<string, ArgumentPlan>();
  for (const name of names) {
    const inner = properties[name];
    const converted = convert(isObject(inner) ? inner : {});
    setEntry(outProperties, name, converted.schema);
    if (converted.plan) plans.set(name, converted.plan);
  }
  const required = Array.isArray(node.required) ? node.required.filter((n): n is string => typeof n === 'string' && names.includes(n)) : [];
  const schema: JsonSchema = { type: 'object', properties: outProperties, ...(required.length > 0 && { required }) };
  if (node.additionalProperties !== undefined && node.additionalProperties !== false)
    notes = [...notes, 'only the properties listed here can be sent in this profile'];
  return withNullable(
    {
      schema: withDescription(schema, describe(node, notes)),
      plan: plans.size > 0 ? { kind: 'object', properties: plans, absentWhenNull: new Set() } : undefined,
    },
    nullable,
  );
}

function convertArray(node: JsonSchema, nullable: boolean): Converted {
  if (!isObject(node.items) || 'prefixItems' in node || isShapeless(node.items))
    return asJsonText(node, 'an array of mixed or free-form items');
  const items = convert(node.items);
  const schema: JsonSchema = { type: 'array', items: items.schema };
  if (typeof node.minItems === 'number') schema.minItems = node.minItems;
  if (typeof node.maxItems === 'number') schema.maxItems = node.maxItems;
  return withNullable(
    {
      schema: withDescription(schema, describe(node, droppedNotes(node, ['uniqueItems', 'default']))),
      plan: items.plan && { kind: 'array', items: items.plan },
    },
    nullable,
  );
}

function convertPrimitive(node: JsonSchema, type: string, nullable: boolean): Converted {
  const schema: JsonSchema = { type };
  const kept = KEPT[type] ?? [];
  for (const key of kept) if (key in node) schema[key] = node[key];
  const dropped = NOTED.filter((key) => !kept.includes(key));
  if (typeof node.format === 'string') {
    if (GEMINI_FORMATS[type]?.includes(node.format)) schema.format = node.format;
    else dropped.push('format');
  }
  return withNullable({ schema: withDescription(schema, describe(node, droppedNotes(node, dropped))) }, nullable);
}

function convert(node: JsonSchema, notes: string[] = []): Converted {
  const allOf = branches(node, 'allOf');
  if (allOf) {
    const merged = mergedAllOf(node, allOf);
    return merged ? convert(merged, notes) : asJsonText(node, 'its parts do not combine');
  }
  const union = branches(node, 'anyOf') ?? branches(node, 'oneOf');
  if (union) return convertUnion(node, union);
  if (Array.isArray(node.enum)) {
    const values = fittingEnum(node);
    if (values.length > 0) return convertEnum(node, values);
    node = omit(node, 'enum');
  }
  if ('const' in node) return convertEnum(node, [node.const]);
  const types = typeList(node);
  const nullable = types.includes('null');
  let nonNull = types.filter((t) => t !== 'null');
  // An integer is a number: the union of the two is a number.
  if (nonNull.length === 2 && nonNull.includes('integer') && nonNull.includes('number')) nonNull = ['number'];
  if (nonNull.length === 0) return asJsonText(node, nullable ? 'its only allowed value is null' : 'any JSON value');
  if (nonNull.length > 1) return asJsonText(node, `one of ${nonNull.join(', ')}`);
  const [type] = nonNull;
  if (type === 'object') return convertObject(node, nullable, notes);
  if (type === 'array') return convertArray(node, nullable);
  return convertPrimitive(node, type, nullable);
}

/** A tool's input schema in Gemini's subset, with the plan that maps arguments back. */
export function toGeminiSchema(inputSchema: JsonSchema): Converted {
  const properties = isObject(inputSchema.properties) ? inputSchema.properties : {};
  // A tool without arguments has an object without properties, which Gemini takes at the root only.
  if (Object.keys(properties).length === 0)
    return { schema: withDescription({ type: 'object', properties: {} }, describe(inputSchema, [])) };
  return convertObject({ ...inputSchema, type: 'object', additionalProperties: false }, false, []);
}

/** A tool name as Gemini takes it: it must start with a letter or an underscore. */
export function geminiToolName(name: string): string {
  return GEMINI_TOOL_NAME.test(name) ? name : `_${name}`.slice(0, 64);
}
