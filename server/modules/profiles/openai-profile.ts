// The `openai` profile: OpenAI's strict mode (Structured Outputs, "Supported schemas"). Every
// object closes (`additionalProperties: false`) and requires all its properties; an optional one
// becomes nullable, and null from the model means "left out". Only the keywords strict mode
// supports stay; the root is an object; at most 10 levels of objects, 5,000 properties, 1,000
// enum values and 120,000 characters of names and enum values per schema. A shape strict mode
// cannot express (a free-form object, a value of any type) is offered as JSON text.
import type { JsonSchema } from '../specs/types.js';
import { isObject, setEntry } from '../specs/json-utils.js';
import { mergeSchemas } from '../specs/schema-merge.js';
import { mergePlans, type ArgumentPlan } from './argument-plan.js';
import {
  asJsonText,
  branches,
  describe,
  droppedNotes,
  fittingEnum,
  withDescription,
  isShapeless,
  mergedAllOf,
  omit,
  type Converted,
} from './profile-common.js';
import { typeList } from '../specs/schema-keywords.js';

export const OPENAI_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
export const OPENAI_LIMITS = { depth: 10, properties: 5_000, enumValues: 1_000, chars: 120_000, largeEnum: 250, largeEnumChars: 15_000 };

const STRING_KEYWORDS = ['pattern'];
const NUMBER_KEYWORDS = ['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'];
/** Dropped, but worth a note in the description. */
const NOTED = ['default', 'minLength', 'maxLength', 'examples', 'uniqueItems'];
/** Keys that give a node its shape; a node with none of them accepts any value. */

interface Budget {
  properties: number;
  enumValues: number;
  chars: number;
}

/** The node made to accept null as well: how strict mode says a property may be left out. */
function nullable(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.anyOf)) {
    return schema.anyOf.some((b) => isObject(b) && b.type === 'null') ? schema : { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  }
  const types = typeList(schema);
  if (types.length === 0 || 'const' in schema) return { anyOf: [schema, { type: 'null' }] };
  const out: JsonSchema = { ...schema, type: types.includes('null') ? types : [...types, 'null'] };
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
  return out;
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function typed(types: string[], nonNull: string): string | string[] {
  return types.includes('null') ? [nonNull, 'null'] : nonNull;
}

function convertEnum(node: JsonSchema, budget: Budget): Converted {
  const values = node.enum as unknown[];
  if (!values.every(isPrimitive)) return asJsonText(node, 'its allowed values are not plain values');
  const chars = values.reduce<number>((n, v) => n + String(v).length, 0);
  const tooLarge = values.length > OPENAI_LIMITS.largeEnum && chars > OPENAI_LIMITS.largeEnumChars;
  // One more value each: an optional property's enum gains null (see nullable).
  if (tooLarge || budget.enumValues + values.length + 1 > OPENAI_LIMITS.enumValues || budget.chars + chars > OPENAI_LIMITS.chars) {
    // Past strict mode's enum limits: the type stays, the list is left to the real schema's validator.
    const types = typeList(node);
    if (types.length === 0) return asJsonText(node, 'its list of allowed values is too long for this profile');
    return {
      schema: withDescription(
        { type: types.length === 1 ? types[0] : types },
        describe(node, ['one of a fixed list of values too long to show']),
      ),
    };
  }
  budget.enumValues += values.length + 1;
  budget.chars += chars;
  const types = typeList(node);
  const schema: JsonSchema = { ...(types.length > 0 && { type: types.length === 1 ? types[0] : types }), enum: values };
  return { schema: withDescription(schema, describe(node, droppedNotes(node, ['default']))) };
}

function convertUnion(node: JsonSchema, list: JsonSchema[], depth: number, budget: Budget): Converted {
  const siblings = omit(node, 'anyOf', 'oneOf', 'description');
  // Branches that only add constraints (`required`, `not`) to the node's own shape: left to the real validator.
  if (list.every(isShapeless)) return convert(siblings, depth, budget, describe(node, []));
  const parts: Converted[] = [];
  for (const branch of list) {
    const merged = Object.keys(siblings).length > 0 ? mergeSchemas([siblings, branch]) : branch;
    if (!merged) return asJsonText(node, 'its alternatives do not combine');
    parts.push(convert(merged, depth, budget));
  }
  const plan = mergePlans(parts.map((p) => p.plan));
  if (!plan) return asJsonText(node, 'its alternatives are not told apart by shape');
  return { schema: withDescription({ anyOf: parts.map((p) => p.schema) }, describe(node, [])), plan: plan.plan };
}

function convertObject(node: JsonSchema, types: string[], depth: number, budget: Budget): Converted {
  const properties = isObject(node.properties) ? node.properties : {};
  const names = Object.keys(properties);
  const open = node.additionalProperties !== false;
  if (names.length === 0 && (open || 'patternProperties' in node)) return asJsonText(node, 'a free-form object');
  if (depth > OPENAI_LIMITS.depth) return asJsonText(node, 'nested deeper than this profile allows');
  const chars = names.reduce((n, name) => n + name.length, 0);
  if (budget.properties + names.length > OPENAI_LIMITS.properties || budget.chars + chars > OPENAI_LIMITS.chars)
    return asJsonText(node, 'larger than this profile allows');
  budget.properties += names.length;
  budget.chars += chars;
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  const outProperties: Record<string, JsonSchema> = {};
  const plans = new Map<string, ArgumentPlan>();
  const absentWhenNull = new Set<string>();
  for (const name of names) {
    const inner = properties[name];
    const converted = convert(isObject(inner) ? inner : {}, depth + 1, budget);
    if (converted.plan) plans.set(name, converted.plan);
    if (required.has(name)) {
      setEntry(outProperties, name, converted.schema);
    } else {
      setEntry(outProperties, name, nullable(converted.schema));
      absentWhenNull.add(name);
    }
  }
  const notes = open && names.length > 0 ? ['only the properties listed here can be sent in this profile'] : [];
  const schema: JsonSchema = { type: typed(types, 'object'), properties: outProperties, required: names, additionalProperties: false };
  const plan: ArgumentPlan | undefined =
    plans.size > 0 || absentWhenNull.size > 0 ? { kind: 'object', properties: plans, absentWhenNull } : undefined;
  return { schema: withDescription(schema, describe(node, notes)), plan };
}

function convertArray(node: JsonSchema, types: string[], depth: number, budget: Budget): Converted {
  if (!isObject(node.items) || 'prefixItems' in node || isShapeless(node.items))
    return asJsonText(node, 'an array of mixed or free-form items');
  const items = convert(node.items, depth + 1, budget);
  const schema: JsonSchema = { type: typed(types, 'array'), items: items.schema };
  if (typeof node.minItems === 'number') schema.minItems = node.minItems;
  if (typeof node.maxItems === 'number') schema.maxItems = node.maxItems;
  return {
    schema: withDescription(schema, describe(node, droppedNotes(node, ['uniqueItems', 'default']))),
    plan: items.plan && { kind: 'array', items: items.plan },
  };
}

function convertPrimitive(node: JsonSchema, types: string[]): Converted {
  const schema: JsonSchema = { type: types.length === 1 ? types[0] : types };
  const kept = types.includes('string') ? STRING_KEYWORDS : types.some((t) => t === 'number' || t === 'integer') ? NUMBER_KEYWORDS : [];
  for (const key of kept) if (key in node) schema[key] = node[key];
  const dropped = [...NOTED];
  if (typeof node.format === 'string') {
    if (OPENAI_FORMATS.has(node.format)) schema.format = node.format;
    else dropped.push('format');
  }
  for (const key of [...STRING_KEYWORDS, ...NUMBER_KEYWORDS]) if (!kept.includes(key)) dropped.push(key);
  return { schema: withDescription(schema, describe(node, droppedNotes(node, dropped))) };
}

function convert(node: JsonSchema, depth: number, budget: Budget, description?: string): Converted {
  if (description !== undefined) node = { ...node, description };
  const allOf = branches(node, 'allOf');
  if (allOf) {
    const merged = mergedAllOf(node, allOf);
    return merged ? convert(merged, depth, budget) : asJsonText(node, 'its parts do not combine');
  }
  const union = branches(node, 'anyOf') ?? branches(node, 'oneOf');
  if (union) return convertUnion(node, union, depth, budget);
  if (Array.isArray(node.enum)) {
    const values = fittingEnum(node);
    if (values.length > 0) return convertEnum({ ...node, enum: values }, budget);
    node = omit(node, 'enum');
  }
  if ('const' in node) {
    if (!isPrimitive(node.const)) return asJsonText(node, 'its only allowed value is not a plain value');
    budget.chars += String(node.const).length;
    return { schema: withDescription({ const: node.const }, describe(node, [])) };
  }
  const types = typeList(node);
  const nonNull = types.filter((t) => t !== 'null');
  if (nonNull.length === 0) return types.includes('null') ? { schema: { type: 'null' } } : asJsonText(node, 'any JSON value');
  const structured = nonNull.filter((t) => t === 'object' || t === 'array');
  if (structured.length > 0 && nonNull.length > 1) return asJsonText(node, `one of ${nonNull.join(', ')}`);
  if (nonNull[0] === 'object') return convertObject(node, types, depth, budget);
  if (nonNull[0] === 'array') return convertArray(node, types, depth, budget);
  return convertPrimitive(node, types);
}

/** A tool's input schema in OpenAI's strict form, with the plan that maps arguments back. */
export function toOpenAiSchema(inputSchema: JsonSchema): Converted {
  const budget: Budget = { properties: 0, enumValues: 0, chars: 0 };
  // The root is always an object: a tool's arguments are named.
  const root = typeList(inputSchema).includes('object') ? inputSchema : { ...inputSchema, type: 'object' };
  const converted = convertObject(root, ['object'], 1, budget);
  if (converted.schema.type === 'object') return converted;
  // Only a root too large for the profile ends up as JSON text: offer it as one property.
  return wrapRoot(converted);
}

/** A root that could not stay an object: one required property `arguments` holding it as JSON text. */
export function wrapRoot(converted: Converted): Converted {
  return {
    schema: { type: 'object', properties: { arguments: converted.schema }, required: ['arguments'], additionalProperties: false },
    plan: { kind: 'unwrap', property: 'arguments' },
  };
}
