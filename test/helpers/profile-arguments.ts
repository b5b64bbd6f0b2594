// What a model would send under a schema profile, for tests: a sample of real arguments made
// from a tool's real input schema, and the same arguments written the profile's way (the inverse
// of server/modules/profiles/argument-plan.ts, written here so the tests check that one against it).
import type { ArgumentPlan } from '../../server/modules/profiles/index.js';
import { isNode } from './profile-rules.js';

type Node = Record<string, unknown>;

function setOwn(record: Node, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

const FORMAT_SAMPLES: Record<string, string> = {
  'date-time': '2026-12-05T10:00:00Z',
  date: '2026-12-05',
  time: '10:00:00Z',
  email: 'someone@example.com',
  uri: 'https://example.com/a',
  url: 'https://example.com/a',
  uuid: '4b0d1d8e-3f7a-4f7e-9a53-2f4a1c9b7e10',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  hostname: 'example.com',
  byte: 'aGVsbG8=',
};

/**
 * A value for the schema: every declared property (to `depth` levels), the first enum value, the
 * first alternative, one array item. Never null where something else is allowed.
 */
export function sampleValue(schema: unknown, depth = 6): unknown {
  if (!isNode(schema)) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null) ?? null;
  if ('const' in schema) return schema.const;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0) {
      const pick = (list.find((b) => isNode(b) && b.type !== 'null') ?? list[0]) as Node;
      const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== key));
      // The branch applies together with the node's own keywords: its properties add to the node's.
      const properties =
        isNode(rest.properties) || isNode(pick.properties) ? { ...(rest.properties as Node), ...(pick.properties as Node) } : undefined;
      return sampleValue({ ...rest, ...pick, ...(properties && { properties }) }, depth);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'allOf'));
    const parts = [...schema.allOf, rest].map((p) => sampleValue(p, depth));
    const objects = parts.filter(isNode);
    return objects.length > 0 ? Object.assign({}, ...objects) : parts.find((p) => p !== 'any');
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const type = types.find((t) => t !== 'null') ?? (isNode(schema.properties) ? 'object' : types[0]);
  switch (type) {
    case 'object': {
      const out: Node = {};
      if (depth <= 0) return out;
      const properties = isNode(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : [];
      for (const [name, inner] of Object.entries(properties)) {
        const value = sampleValue(inner, depth - 1);
        // An optional property that can only be null is left out: the openai profile cannot send
        // an explicit null for an optional property (null means "left out" there; see the README).
        if (value !== null || required.includes(name)) setOwn(out, name, value);
      }
      if (Object.keys(properties).length === 0 && schema.additionalProperties !== false) {
        setOwn(out, 'extra', sampleValue(isNode(schema.additionalProperties) ? schema.additionalProperties : 'any', depth - 1));
      }
      return out;
    }
    case 'array':
      if (Array.isArray(schema.prefixItems)) return schema.prefixItems.map((p) => sampleValue(p, depth - 1));
      return depth <= 0 ? [] : [sampleValue(schema.items, depth - 1)];
    case 'string': {
      if (typeof schema.format === 'string' && FORMAT_SAMPLES[schema.format]) return FORMAT_SAMPLES[schema.format];
      const min = typeof schema.minLength === 'number' ? schema.minLength : 4;
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 4;
      return 'text'.repeat(8).slice(0, Math.max(Math.min(min, 32), Math.min(max, 4)));
    }
    case 'integer':
    case 'number': {
      const bound = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.maximum === 'number' ? schema.maximum : undefined;
      return bound ?? (type === 'integer' ? 3 : 2.5);
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'any';
  }
}

/** The branch of a profile schema's anyOf that a value takes: for an object, one that declares all its keys. */
function branchFor(schema: unknown, value: unknown): unknown {
  if (!isNode(schema) || !Array.isArray(schema.anyOf)) return schema;
  const fits = (branch: unknown) => {
    if (!isNode(branch)) return false;
    const types = Array.isArray(branch.type) ? branch.type : [branch.type];
    if (value === null) return types.includes('null');
    if (isNode(value))
      return (
        types.includes('object') &&
        isNode(branch.properties) &&
        Object.keys(value).every((k) => Object.hasOwn(branch.properties as Node, k))
      );
    return !types.includes('object') && !types.includes('null');
  };
  return branchFor(schema.anyOf.find(fits) ?? schema.anyOf[0], value);
}

/**
 * The real arguments as a model writes them under a profile: `plan` and `schema` are the
 * profile's. Strict mode's model fills every property its object (the alternative it chose)
 * requires, with null for those it leaves out.
 */
export function toProfileArguments(plan: ArgumentPlan | undefined, value: unknown, schema?: unknown): unknown {
  const node = branchFor(schema, value);
  if (!plan) return value;
  switch (plan.kind) {
    case 'json':
      return JSON.stringify(value);
    case 'unwrap':
      return { [plan.property]: JSON.stringify(value) };
    case 'enum':
      for (const [label, real] of plan.values) if (JSON.stringify(real) === JSON.stringify(value)) return label;
      return value;
    case 'array':
      return Array.isArray(value)
        ? value.map((item) => toProfileArguments(plan.items, item, isNode(node) ? node.items : undefined))
        : value;
    case 'object': {
      if (!isNode(value)) return value;
      const properties = isNode(node) && isNode(node.properties) ? node.properties : {};
      const out: Node = {};
      for (const [key, item] of Object.entries(value)) {
        setOwn(out, key, toProfileArguments(plan.properties.get(key), item, Object.hasOwn(properties, key) ? properties[key] : undefined));
      }
      const required = isNode(node) && Array.isArray(node.required) ? node.required : [];
      for (const name of required) if (plan.absentWhenNull.has(name) && !Object.hasOwn(value, name)) setOwn(out, name, null);
      return out;
    }
  }
}

/** A Gemini schema as JSON Schema, so Ajv can say whether arguments fit it: nullable becomes a null type. */
export function geminiAsJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(geminiAsJsonSchema);
  if (!isNode(schema)) return schema;
  const out: Node = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    if (key === 'properties' && isNode(value)) {
      const properties: Node = {};
      for (const [name, inner] of Object.entries(value)) setOwn(properties, name, geminiAsJsonSchema(inner));
      out.properties = properties;
    } else if (key === 'items') out.items = geminiAsJsonSchema(value);
    else if (key === 'format')
      continue; // Gemini's `enum` format is not JSON Schema's
    else out[key] = value;
  }
  if (schema.nullable === true) {
    out.type = [schema.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}
