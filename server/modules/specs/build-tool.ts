// One operation -> one tool definition (everything but the name, which needs the whole document).
// The input schema is built within a size budget: when it does not fit, deeper levels are
// summarised, trying shallower depths until it does.
import type { HttpMethod, JsonSchema, SpecWarning, ToolAnnotations, ToolDefinition } from './types.js';
import { setEntry, shortHash, stableStringify, stringOrUndefined, truncateText, type JsonObject } from './json-utils.js';
import { buildParameters } from './parameters.js';
import { buildRequestBody } from './request-body.js';
import { buildOutputSchema } from './output-schema.js';
import { MAX_DESCRIPTION } from './schema-keywords.js';
import { SchemaBudgetExceeded, SchemaConverter, type SchemaSource } from './schema-portable.js';

/** About 60 KB of JSON per tool input schema. */
export const SCHEMA_BUDGET = 60_000;
/**
 * About 8 MB of input schemas per import (or twice the spec's text, if more, up to 24 MB): one
 * large schema shared by many operations (a `$ref`, a YAML alias) must not expand into copies that
 * cost far more than the spec itself. Past it, tools get their top-level fields and nothing nested.
 * The ceiling is for the largest specs (Microsoft Graph beta: 47 MB, 22,000 operations), whose
 * tools would otherwise hold over 100 MB of schemas, copied from the import thread, stored and
 * loaded again, for an API agents reach through search anyway.
 */
export const IMPORT_SCHEMA_BUDGET = 8_000_000;
export const MAX_IMPORT_SCHEMA_BUDGET = 24_000_000;
const SPENT = "nested structure not expanded: the spec's input schemas are too large in total";
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

function attempt(
  source: SchemaSource,
  site: OperationSite,
  maxDepth: number,
  budget: number,
  warnings: SpecWarning[],
  lean = false,
  spent = false,
) {
  const converter = new SchemaConverter(source, maxDepth, budget, lean, ...(spent ? [SPENT] : []));
  const taken = new Set<string>();
  const params = buildParameters(source.doc, site.path, site.pathItem, site.operation, site.pointer, converter, warnings, taken);
  const body = buildRequestBody(source.doc, site.operation, site.pointer, converter, taken);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const { binding, schema } of params) {
    setEntry(properties, binding.arg, schema); // `__proto__` is a parameter name like any other
    if (binding.required) required.push(binding.arg);
  }
  if (body) {
    setEntry(properties, body.binding.arg, body.schema);
    if (body.binding.required) required.push(body.binding.arg);
  }
  const inputSchema: JsonSchema = { type: 'object', properties };
  if (required.length > 0) inputSchema.required = required;
  inputSchema.additionalProperties = false;
  return { params: params.map((p) => p.binding), body: body?.binding, inputSchema, truncated: converter.truncated, used: converter.used };
}

export interface BuiltTool {
  tool: UnnamedTool;
  /** Set when the input schema only fit the budget with nesting below this level summarised. */
  summarisedBelow?: number;
  /** Set when it did not fit even so: descriptions and examples below the top level were left out. */
  lean?: true;
  /** Set when the import's budget was spent: only top-level fields (and plain values) are described. */
  spent?: true;
}

/**
 * Subtrees of input schemas may be shared between tools (converted refs are reused): treat a
 * built definition as immutable, or copy it first.
 */
export function buildTool(source: SchemaSource, site: OperationSite, warnings: SpecWarning[]): BuiltTool {
  let built: ReturnType<typeof attempt> | undefined;
  let depth = DEPTHS[0];
  // Within the import's budget this is SCHEMA_BUDGET, for every tool of an ordinary spec.
  const budget = Math.min(SCHEMA_BUDGET, source.remaining);
  const tryDepth = (maxDepth: number, limit: number, lean: boolean) => {
    // Warnings from a failed attempt would repeat: each attempt collects its own.
    const attemptWarnings: SpecWarning[] = [];
    try {
      const result = attempt(source, site, maxDepth, limit, attemptWarnings, lean);
      warnings.push(...attemptWarnings);
      return result;
    } catch (error) {
      if (!(error instanceof SchemaBudgetExceeded)) throw error;
      return undefined;
    }
  };
  for (const maxDepth of DEPTHS) {
    built = tryDepth(maxDepth, budget, false);
    if (built) {
      depth = maxDepth;
      break;
    }
  }
  const lean = built === undefined;
  let spent = false;
  if (!built) {
    depth = 0;
    if (budget === SCHEMA_BUDGET) built = attempt(source, site, 0, Number.POSITIVE_INFINITY, warnings, true);
    else built = tryDepth(0, budget, true);
  }
  if (!built) {
    // The import's budget is what ran out: nothing below the top level is expanded.
    spent = true;
    built = attempt(source, site, -1, Number.POSITIVE_INFINITY, warnings, true, true);
  }
  source.remaining -= built.used;

  const summary = stringOrUndefined(site.operation.summary)?.trim();
  const operationId = stringOrUndefined(site.operation.operationId);
  const tags = Array.isArray(site.operation.tags) ? site.operation.tags.filter((t): t is string => typeof t === 'string') : [];
  const { params, body, inputSchema } = built;
  const outputSchema = buildOutputSchema(source, site.operation);
  const fingerprint = shortHash(
    stableStringify({ method: site.method, path: site.path, serverUrl: site.serverUrl, params, body, inputSchema, outputSchema }),
    16,
  );
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
    ...(outputSchema !== undefined && { outputSchema }),
    params,
    ...(body !== undefined && { body }),
    fingerprint,
  };
  if (spent) return { tool, spent: true };
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
