// The schema profiles' rules as checks, written from the providers' documentation and not from
// the code that is meant to satisfy them (server/modules/profiles). Each answers a list of
// problems, empty when the schema is fine.
//
// openai: OpenAI's Structured Outputs, "Supported schemas" (platform.openai.com/docs/guides/
//   structured-outputs#supported-schemas), which strict function calling uses.
// gemini: the Gemini API's `Schema` object for function declarations (ai.google.dev/api/caching#Schema),
//   narrowed as issue #16 sets it: one type, no $ref/$defs, anyOf/oneOf/allOf, const,
//   additionalProperties, patternProperties, default or title; enums on strings only.

type Node = Record<string, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const OPENAI_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'description',
  'title',
  'pattern',
  'format',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
]);
const OPENAI_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

export const TOOL_NAME_OPENAI = /^[a-zA-Z0-9_-]{1,64}$/;
export const TOOL_NAME_GEMINI = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;

/** OpenAI strict mode: the whole tool schema. */
export function openAiProblems(schema: unknown): string[] {
  const problems: string[] = [];
  if (!isNode(schema) || schema.type !== 'object') problems.push('#: the root is not {"type": "object"}');
  if (isNode(schema) && 'anyOf' in schema) problems.push('#: the root is anyOf');
  let properties = 0;
  let enumValues = 0;
  let chars = 0;
  let deepest = 0;
  const visit = (node: unknown, at: string, objectDepth: number): void => {
    if (!isNode(node)) {
      problems.push(`${at}: not a schema object`);
      return;
    }
    for (const key of Object.keys(node)) if (!OPENAI_KEYWORDS.has(key)) problems.push(`${at}: unsupported keyword ${key}`);
    const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
    for (const t of types) if (!JSON_TYPES.has(t as string)) problems.push(`${at}: type ${String(t)}`);
    if (types.length === 0 && !('anyOf' in node) && !('enum' in node) && !('const' in node)) problems.push(`${at}: no type`);
    if (typeof node.format === 'string' && !OPENAI_FORMATS.has(node.format)) problems.push(`${at}: format ${node.format}`);
    if (Array.isArray(node.enum)) {
      enumValues += node.enum.length;
      for (const v of node.enum) {
        if (v !== null && typeof v === 'object') problems.push(`${at}: enum value that is not plain`);
        chars += String(v).length;
      }
    }
    if ('const' in node) chars += String(node.const).length;
    if (types.includes('object')) {
      const depth = objectDepth + 1;
      deepest = Math.max(deepest, depth);
      if (node.additionalProperties !== false) problems.push(`${at}: additionalProperties is not false`);
      if (!isNode(node.properties)) problems.push(`${at}: an object without properties`);
      const names = isNode(node.properties) ? Object.keys(node.properties) : [];
      const required = Array.isArray(node.required) ? node.required : [];
      for (const name of names) if (!required.includes(name)) problems.push(`${at}: property ${name} is not required`);
      if (required.length !== names.length) problems.push(`${at}: required lists names that are not properties`);
      properties += names.length;
      for (const name of names) {
        chars += name.length;
        visit((node.properties as Node)[name], `${at}/properties/${name}`, depth);
      }
    } else if ('properties' in node || 'required' in node || 'additionalProperties' in node) {
      problems.push(`${at}: object keywords on a non-object`);
    }
    if (types.includes('array')) {
      if (!('items' in node)) problems.push(`${at}: an array without items`);
      else visit(node.items, `${at}/items`, objectDepth);
    }
    if ('anyOf' in node) {
      if (!Array.isArray(node.anyOf) || node.anyOf.length === 0) problems.push(`${at}: anyOf is not a list`);
      else node.anyOf.forEach((branch, i) => visit(branch, `${at}/anyOf/${i}`, objectDepth));
    }
  };
  visit(schema, '#', 0);
  if (deepest > 10) problems.push(`#: ${deepest} levels of objects (at most 10)`);
  if (properties > 5000) problems.push(`#: ${properties} properties (at most 5,000)`);
  if (enumValues > 1000) problems.push(`#: ${enumValues} enum values (at most 1,000)`);
  if (chars > 120_000) problems.push(`#: ${chars} characters of names and values (at most 120,000)`);
  return problems;
}

const GEMINI_KEYWORDS = new Set([
  'type',
  'format',
  'description',
  'nullable',
  'enum',
  'items',
  'properties',
  'required',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
]);
const GEMINI_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);
const GEMINI_FORMATS: Record<string, string[]> = {
  string: ['date-time', 'enum'],
  number: ['float', 'double'],
  integer: ['int32', 'int64'],
};

/** Gemini's subset: the whole tool schema. */
export function geminiProblems(schema: unknown): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, at: string, root: boolean): void => {
    if (!isNode(node)) {
      problems.push(`${at}: not a schema object`);
      return;
    }
    for (const key of Object.keys(node)) if (!GEMINI_KEYWORDS.has(key)) problems.push(`${at}: unsupported keyword ${key}`);
    const type = node.type;
    if (typeof type !== 'string' || !GEMINI_TYPES.has(type)) {
      problems.push(`${at}: type must be one of ${[...GEMINI_TYPES].join(', ')}, got ${JSON.stringify(type)}`);
      return;
    }
    if ('nullable' in node && typeof node.nullable !== 'boolean') problems.push(`${at}: nullable is not a boolean`);
    if (typeof node.format === 'string' && !(GEMINI_FORMATS[type] ?? []).includes(node.format))
      problems.push(`${at}: format ${node.format} on ${type}`);
    if ('enum' in node) {
      if (type !== 'string') problems.push(`${at}: enum on ${type}`);
      if (!Array.isArray(node.enum) || !node.enum.every((v) => typeof v === 'string'))
        problems.push(`${at}: enum values that are not strings`);
    }
    if (type === 'object') {
      const names = isNode(node.properties) ? Object.keys(node.properties) : [];
      if (names.length === 0 && !root) problems.push(`${at}: an object without properties`);
      if ('required' in node && (!Array.isArray(node.required) || node.required.some((n) => !names.includes(n as string))))
        problems.push(`${at}: required lists names that are not properties`);
      for (const name of names) visit((node.properties as Node)[name], `${at}/properties/${name}`, false);
    } else if ('properties' in node || 'required' in node) {
      problems.push(`${at}: object keywords on ${type}`);
    }
    if (type === 'array') {
      if (!('items' in node)) problems.push(`${at}: an array without items`);
      else visit(node.items, `${at}/items`, false);
    } else if ('items' in node) {
      problems.push(`${at}: items on ${type}`);
    }
  };
  visit(schema, '#', true);
  if (isNode(schema) && schema.type !== 'object') problems.push('#: the root is not an object');
  return problems;
}
