// Tool arguments are checked against the tool's inputSchema before any request is built, so the
// model gets one message naming every bad argument instead of an upstream 400 it cannot read.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ToolDefinition } from '../specs/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';

/** Returns undefined when the arguments are valid, else a message for the model. */
export type ArgumentValidator = ((args: unknown) => string | undefined) & {
  /** Set when the schema could not be compiled: the validator then accepts anything. */
  compileError?: string;
};

const MAX_LISTED_ERRORS = 10;

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose `.default` is the plugin.
const addFormats = ajvFormats.default;

// One instance for every workspace: compiling is the expensive part and Ajv keeps its own caches.
// ownProperties: an argument named `constructor` or `toString` that was left out must not be
// found on Object.prototype.
const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: false, logger: false, ownProperties: true });
addFormats(ajv);

export function compileArgumentValidator(tool: ToolDefinition): ArgumentValidator {
  // A top-level $id would be registered on the shared instance and clash with the next tool's;
  // a $schema naming another draft would fail to resolve. Tool schemas are 2020-12 by contract.
  const { $id: _id, $schema: _schema, ...schema } = tool.inputSchema;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    const accept: ArgumentValidator = () => undefined;
    accept.compileError = `The input schema of tool "${tool.name}" does not compile: ${(err as Error).message}`;
    return accept;
  } finally {
    // The compiled function keeps what it needs; dropping the cache entry keeps schemas of
    // replaced workspace versions from piling up in the shared instance.
    ajv.removeSchema(schema);
  }
  const accepted = acceptedNames(schema);
  return (args) => {
    // Many unknown names are answered before Ajv sees them: with allErrors it builds an error
    // object per name (200,000 names once held the event loop for minutes).
    const unknown = accepted && isPlainObject(args) ? unknownNames(args, accepted) : undefined;
    if (unknown && unknown.count > MAX_LISTED_ERRORS) return listMessages(unknown.first, unknown.count);
    return validate(args) ? undefined : describeErrors(validate.errors ?? []);
  };
}

/** The top level's declared names, when it accepts no others (tool schemas do: build-tool.ts). */
function acceptedNames(schema: Record<string, unknown>): Record<string, unknown> | undefined {
  if (schema.additionalProperties !== false || schema.patternProperties !== undefined || !isPlainObject(schema.properties)) return undefined;
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
