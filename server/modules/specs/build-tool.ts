// One operation -> one tool definition (everything but the name, which needs the whole document).
// The input schema is built within a size budget: when it does not fit, deeper levels are
// summarised, trying shallower depths until it does.
import type { HttpMethod, JsonSchema, SpecWarning, ToolAnnotations, ToolDefinition } from './types.js';
import { shortHash, stableStringify, stringOrUndefined, truncateText, type JsonObject } from './json-utils.js';
import { buildParameters } from './parameters.js';
import { buildRequestBody } from './request-body.js';
import { MAX_DESCRIPTION } from './schema-keywords.js';
import { SchemaBudgetExceeded, SchemaConverter, type SchemaSource } from './schema-portable.js';

/** About 60 KB of JSON per tool input schema. */
export const SCHEMA_BUDGET = 60_000;
// Nesting depths tried in turn, each held to the budget. A schema that does not fit even at 0
// (hundreds of documented fields side by side) is then built lean, and not held to it any more.
const DEPTHS = [32, 12, 8, 6, 4, 3, 2, 1, 0];

export interface OperationSite {
  method: HttpMethod;
  path: string;
  pathItem: JsonObject;
  operation: JsonObject;
  /** JSON pointer of the operation, e.g. `/paths/~1items/get`. */
  pointer: string;
  serverUrl?: string;
}

export type UnnamedTool = Omit<ToolDefinition, 'name' | 'annotations'>;

function describe(site: OperationSite, summary: string | undefined): string {
  const parts: string[] = [];
  if (summary) parts.push(summary);
  const description = stringOrUndefined(site.operation.description);
  if (description && description.trim() !== summary) parts.push(truncateText(description, MAX_DESCRIPTION));
  if (site.operation.deprecated === true) parts.push('Deprecated.');
  parts.push(`${site.method} ${site.path}`);
  return parts.join('\n\n');
}

function attempt(source: SchemaSource, site: OperationSite, maxDepth: number, budget: number, warnings: SpecWarning[], lean = false) {
  const converter = new SchemaConverter(source, maxDepth, budget, lean);
  const taken = new Set<string>();
  const params = buildParameters(source.doc, site.path, site.pathItem, site.operation, site.pointer, converter, warnings, taken);
  const body = buildRequestBody(source.doc, site.operation, site.pointer, converter, taken);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const { binding, schema } of params) {
    properties[binding.arg] = schema;
    if (binding.required) required.push(binding.arg);
  }
  if (body) {
    properties[body.binding.arg] = body.schema;
    if (body.binding.required) required.push(body.binding.arg);
  }
  const inputSchema: JsonSchema = { type: 'object', properties };
  if (required.length > 0) inputSchema.required = required;
  inputSchema.additionalProperties = false;
  return { params: params.map((p) => p.binding), body: body?.binding, inputSchema, truncated: converter.truncated };
}

export interface BuiltTool {
  tool: UnnamedTool;
  /** Set when the input schema only fit the budget with nesting below this level summarised. */
  summarisedBelow?: number;
  /** Set when it did not fit even so: descriptions and examples below the top level were left out. */
  lean?: true;
}

/**
 * Subtrees of input schemas may be shared between tools (converted refs are reused): treat a
 * built definition as immutable, or copy it first.
 */
export function buildTool(source: SchemaSource, site: OperationSite, warnings: SpecWarning[]): BuiltTool {
  let built: ReturnType<typeof attempt> | undefined;
  let depth = DEPTHS[0];
  for (const maxDepth of DEPTHS) {
    // Warnings from a failed attempt would repeat: each attempt collects its own.
    const attemptWarnings: SpecWarning[] = [];
    try {
      built = attempt(source, site, maxDepth, SCHEMA_BUDGET, attemptWarnings);
      depth = maxDepth;
      warnings.push(...attemptWarnings);
      break;
    } catch (error) {
      if (!(error instanceof SchemaBudgetExceeded)) throw error;
    }
  }
  const lean = built === undefined;
  if (!built) {
    depth = 0;
    built = attempt(source, site, 0, Number.POSITIVE_INFINITY, warnings, true);
  }

  const summary = stringOrUndefined(site.operation.summary)?.trim();
  const operationId = stringOrUndefined(site.operation.operationId);
  const tags = Array.isArray(site.operation.tags) ? site.operation.tags.filter((t): t is string => typeof t === 'string') : [];
  const { params, body, inputSchema } = built;
  const fingerprint = shortHash(stableStringify({ method: site.method, path: site.path, serverUrl: site.serverUrl, params, body, inputSchema }), 16);
  // Optional fields are only present when set: definitions are stored and compared as JSON.
  const tool: UnnamedTool = {
    ...(operationId !== undefined && { operationId }),
    method: site.method,
    path: site.path,
    ...(site.serverUrl !== undefined && { serverUrl: site.serverUrl }),
    ...(summary !== undefined && { summary }),
    description: describe(site, summary),
    tags,
    deprecated: site.operation.deprecated === true,
    inputSchema,
    params,
    ...(body !== undefined && { body }),
    fingerprint,
  };
  return { tool, summarisedBelow: depth < DEPTHS[0] && built.truncated > 0 ? depth : undefined, ...(lean && { lean: true as const }) };
}

export function annotationsFor(method: HttpMethod, title: string): ToolAnnotations {
  const readOnly = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  return {
    title,
    readOnlyHint: readOnly,
    destructiveHint: method === 'DELETE',
    idempotentHint: readOnly || method === 'PUT' || method === 'DELETE' || method === 'TRACE',
    openWorldHint: true,
  };
}
