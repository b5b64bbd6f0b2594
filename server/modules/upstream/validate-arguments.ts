// Tool arguments are checked against the tool's inputSchema before any request is built, so the
// model gets one message naming every bad argument instead of an upstream 400 it cannot read.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ToolDefinition } from '../specs/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';

/**
 * Returns undefined when the arguments are valid, else a message for the model. `values`: how
 * many values the arguments hold, when the caller has counted them (else counted here, up to the bound).
 */
export type ArgumentValidator = ((args: unknown, values?: number) => string | undefined) & {
  /** Set when the schema could not be compiled: the validator then accepts anything. */
  compileError?: string;
};

const MAX_LISTED_ERRORS = 10;
/**
 * Above this many values the arguments are checked by a validator that stops at the first
 * error: with allErrors Ajv builds an error object per bad value, and 19,000 wrong items (or
 * nested unknown names) held the event loop for 50-150 ms. Below it, the full list costs a few ms.
 */
export const FULL_ERROR_LIST_MAX_VALUES = 1_000;

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose `.default` is the plugin.
const addFormats = ajvFormats.default;

// One instance for every workspace: compiling is the expensive part and Ajv keeps its own caches.
// ownProperties: an argument named `constructor` or `toString` that was left out must not be
// found on Object.prototype.
const AJV_OPTIONS = { strict: false, coerceTypes: false, logger: false, ownProperties: true } as const;
const ajv = new Ajv2020({ ...AJV_OPTIONS, allErrors: true });
addFormats(ajv);
// Made on the first large arguments: most gateways never need it.
let failFastAjv: Ajv2020 | undefined;

function failFastInstance(): Ajv2020 {
  if (!failFastAjv) {
    failFastAjv = new Ajv2020({ ...AJV_OPTIONS, allErrors: false });
    addFormats(failFastAjv);
  }
  return failFastAjv;
}

/** Compiled on a shared instance without leaving the schema registered there (see below). */
function compileOn(instance: Ajv2020, schema: Record<string, unknown>): ValidateFunction {
  try {
    return instance.compile(schema);
  } finally {
    // The compiled function keeps what it needs; dropping the cache entry keeps schemas of
    // replaced workspace versions from piling up in the shared instance.
    instance.removeSchema(schema);
  }
}

/** A validator that stops at the first mismatch, on the shared fail-fast instance; throws if the schema does not compile. */
export function compileFailFast(schema: Record<string, unknown>): ValidateFunction {
  return compileOn(failFastInstance(), schema);
}

export function compileArgumentValidator(tool: ToolDefinition): ArgumentValidator {
  // A top-level $id would be registered on the shared instance and clash with the next tool's;
  // a $schema naming another draft would fail to resolve. Tool schemas are 2020-12 by contract.
  const { $id: _id, $schema: _schema, ...schema } = tool.inputSchema;
  let validate: ValidateFunction;
  try {
    validate = compileOn(ajv, schema);
  } catch (err) {
    const accept: ArgumentValidator = () => undefined;
    accept.compileError = `The input schema of tool "${tool.name}" does not compile: ${(err as Error).message}`;
    return accept;
  }
  let failFast: ValidateFunction | undefined;
  const accepted = acceptedNames(schema);
  return (args, values) => {
    // Many unknown names are answered before Ajv sees them: with allErrors it builds an error
    // object per name (200,000 names once held the event loop for minutes).
    const unknown = accepted && isPlainObject(args) ? unknownNames(args, accepted) : undefined;
    if (unknown && unknown.count > MAX_LISTED_ERRORS) return listMessages(unknown.first, unknown.count);
    const large = values === undefined ? hasMoreValuesThan(args, FULL_ERROR_LIST_MAX_VALUES) : values > FULL_ERROR_LIST_MAX_VALUES;
    if (!large) return validate(args) ? undefined : describeErrors(validate.errors ?? []);
    // The same schema compiled once already, so this compiles too.
    failFast ??= compileFailFast(schema);
    if (failFast(args)) return undefined;
    const first = (failFast.errors ?? []).map(describeError).find((m) => m !== undefined) ?? 'the arguments are invalid';
    return `Invalid arguments: ${first} (arguments this large are checked up to their first error)`;
  };
}

/** Counts objects, arrays and scalars alike, and stops as soon as there are more than `max`. */
function hasMoreValuesThan(args: unknown, max: number): boolean {
  if (args === null || typeof args !== 'object') return false;
  const pending: object[] = [args];
  let values = 1;
  const visit = (item: unknown) => {
    if (item !== null && typeof item === 'object') pending.push(item);
    return ++values > max;
  };
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) if (visit(item)) return true;
    } else {
      // for-in, not Object.values: it stops at the bound instead of copying every value first.
      for (const key in value) if (Object.hasOwn(value, key) && visit((value as Record<string, unknown>)[key])) return true;
    }
  }
  return false;
}

/** The top level's declared names, when it accepts no others (tool schemas do: build-tool.ts). */
function acceptedNames(schema: Record<string, unknown>): Record<string, unknown> | undefined {
  if (schema.additionalProperties !== false || schema.patternProperties !== undefined || !isPlainObject(schema.properties))
    return undefined;
  return schema.properties;
}

function unknownNames(args: Record<string, unknown>, accepted: Record<string, unknown>): { first: string[]; count: number } {
  const first: string[] = [];
  let count = 0;
  for (const name in args) {
    if (!Object.hasOwn(args, name) || Object.hasOwn(accepted, name)) continue;
    if (count++ < MAX_LISTED_ERRORS) first.push(`${quote(name)} is not an accepted argument`);
  }
  return { first, count };
}

function describeErrors(errors: ErrorObject[]): string {
  // A Set keeps this linear in the number of errors: a list's includes() made it quadratic.
  const messages = new Set<string>();
  for (const error of errors) {
    const message = describeError(error);
    if (message) messages.add(message);
  }
  const listed: string[] = [];
  for (const message of messages) {
    if (listed.length === MAX_LISTED_ERRORS) break;
    listed.push(message);
  }
  return listMessages(listed, messages.size);
}

function listMessages(listed: string[], total: number): string {
  const more = total > listed.length ? `; and ${(total - listed.length).toLocaleString('en-US')} more` : '';
  return `Invalid arguments: ${listed.join('; ')}${more}`;
}

function describeError(error: ErrorObject): string | undefined {
  const path = argumentPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${quote(join(path, String(params.missingProperty)))} is required`;
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(params.additionalProperty ?? params.unevaluatedProperty);
      return `${quote(join(path, name))} is not an accepted argument`;
    }
    case 'enum':
      return `${subject(path)} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${subject(path)} must be ${JSON.stringify(params.allowedValue)}`;
    case 'if':
      // Always accompanied by the error of the failing branch, which says more.
      return undefined;
    default:
      return `${subject(path)} ${error.message ?? 'is invalid'}`;
  }
}

/** `/body/items/0/name` -> `body.items[0].name`. */
function argumentPath(instancePath: string): string {
  if (!instancePath) return '';
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : join(path, part)), '');
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function quote(path: string): string {
  return `"${path}"`;
}

function subject(path: string): string {
  return path ? quote(path) : 'the arguments';
}
