// A parsed document in, an ImportedSpec out: version check, validation, Swagger 2 conversion,
// base URL, security schemes and one tool per operation. Nothing is fetched: refs to other
// documents are reported, and operations that depend on one are skipped with a warning.
import { IMPORT_OUTPUT_BUDGET, outputBudgetPerTool } from './output-schema.js';
import { createRequire } from 'node:module';
import { SpecInvalid, SpecNoOperations, SpecNoUsableOperations } from '../../errors.js';
import type { HttpMethod, ImportedSpec, SpecWarning, ToolDefinition } from './types.js';
import { isObject, stringOrUndefined, withDetails, type JsonObject } from './json-utils.js';
import { followRefs, pointerOf } from './json-pointer.js';
import { validateLeniently } from './validate-spec.js';
import { documentBaseUrl, firstServer } from './servers.js';
import { summariseSecuritySchemes } from './security-schemes.js';
import { createSchemaSource } from './schema-portable.js';
import {
  annotationsFor,
  buildTool,
  IMPORT_SCHEMA_BUDGET,
  MAX_IMPORT_SCHEMA_BUDGET,
  SCHEMA_BUDGET,
  type UnnamedTool,
} from './build-tool.js';
import { assignToolNames } from './tool-names.js';
import { SkipOperation } from './skip-operation.js';
import { specDescription, specIcon } from './spec-identity.js';

// swagger2openapi is CommonJS without type declarations: this is the one call we use.
const require = createRequire(import.meta.url);
const { convertObj } = require('swagger2openapi') as {
  convertObj(document: unknown, options: Record<string, unknown>): Promise<{ openapi: JsonObject }>;
};

const MAX_SUMMARY_WARNINGS = 20;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

export interface ImportOptions {
  /** Where the spec was fetched from: relative server URLs resolve against it. */
  sourceUrl?: string;
  /** The workspace's tools before this upload: names they hold are kept where still valid. */
  previous?: ToolDefinition[];
  /** The workspace's tool name budget (tool-names.ts); 64 when not given. */
  nameBudget?: number;
  /** The size of the spec's text: the import's schema budget grows with it (see IMPORT_SCHEMA_BUDGET). */
  sourceBytes?: number;
  /** Overrides the import's schema budget (tests). */
  schemaBudget?: number;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 100_000) / 10} MB`;
}

function invalid(message: string, pointer: string): Error {
  return withDetails(new SpecInvalid(message), [{ message, pointer }]);
}

/** `2.0`, `3.0.x` or `3.1.x`, as written in the document. */
function documentVersion(doc: JsonObject): string {
  if (doc.swagger !== undefined) {
    if (doc.swagger === '2.0') return '2.0';
    // Messages name the field, never its value: a fetched document's content must not come back in an error.
    throw invalid('The "swagger" field names a version that is not supported: only 2.0 is.', '/swagger');
  }
  if (doc.openapi === undefined) throw invalid('This is not an OpenAPI document: it has neither an "openapi" nor a "swagger" field.', '');
  if (typeof doc.openapi === 'string' && /^3\.[01]\.\d+/.test(doc.openapi)) return doc.openapi;
  throw invalid('The "openapi" field names a version that is not supported: 2.0, 3.0.x and 3.1.x are.', '/openapi');
}

async function convertSwagger(doc: JsonObject): Promise<JsonObject> {
  try {
    // `text` is only kept for error reports; without it the converter YAML-dumps the whole spec.
    // `anchors`: a YAML alias arrives as a subtree shared by two places (structuredClone keeps the
    // sharing); the converter refuses those unless told to copy them.
    const converted = await convertObj(structuredClone(doc), { patch: true, warnOnly: true, resolve: false, anchors: true, text: '-' });
    return converted.openapi;
  } catch (error) {
    throw invalid(`The Swagger 2.0 document could not be converted: ${error instanceof Error ? error.message : String(error)}`, '');
  }
}

interface Skipped {
  message: string;
  pointer: string;
}

/** Operations the document declares (refs left unfollowed): what the output schemas' budget is shared by. */
function countOperations(doc: JsonObject): number {
  let count = 0;
  for (const item of Object.values(isObject(doc.paths) ? doc.paths : {}))
    if (isObject(item)) for (const key of Object.keys(item)) if (METHODS.has(key)) count++;
  return count;
}

function collectTools(
  doc: JsonObject,
  sourceUrl: string | undefined,
  baseUrl: string | undefined,
  warnings: SpecWarning[],
  importBudget: number,
) {
  const source = createSchemaSource(doc, importBudget, IMPORT_OUTPUT_BUDGET);
  source.outputPerTool = outputBudgetPerTool(countOperations(doc));
  const spent: { site: string; pointer: string }[] = [];
  const tools: UnnamedTool[] = [];
  const skipped: Skipped[] = [];
  const summarised: { site: string; pointer: string; depth: number; lean: boolean }[] = [];
  let operations = 0;
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    if (!path.startsWith('/')) continue; // `x-` extensions
    const itemPointer = pointerOf('paths', path);
    const resolvedItem = followRefs(doc, rawItem);
    if (resolvedItem.unresolved) {
      operations++;
      skipped.push({
        message: `The operations of ${path} were skipped: the path item uses the unresolved reference "${resolvedItem.unresolved}".`,
        pointer: itemPointer,
      });
      continue;
    }
    const pathItem = resolvedItem.value;
    if (!isObject(pathItem)) continue;
    for (const [key, operation] of Object.entries(pathItem)) {
      if (!METHODS.has(key) || !isObject(operation)) continue;
      operations++;
      const method = key.toUpperCase() as HttpMethod;
      const pointer = `${itemPointer}/${key}`;
      try {
        // An empty list at operation level means "no override", like an absent one.
        const servers = Array.isArray(operation.servers) && operation.servers.length > 0 ? operation.servers : pathItem.servers;
        const server = firstServer(servers, sourceUrl, baseUrl);
        if (server?.warning) warnings.push({ message: server.warning, pointer: `${pointer}/servers` });
        const serverUrl = server?.url !== baseUrl ? server?.url : undefined;
        const built = buildTool(source, { method, path, pathItem, operation, pointer, serverUrl }, warnings);
        tools.push(built.tool);
        if (built.spent) spent.push({ site: `${method} ${path}`, pointer });
        if (built.summarisedBelow !== undefined || built.lean)
          summarised.push({ site: `${method} ${path}`, pointer, depth: built.summarisedBelow ?? 0, lean: built.lean === true });
      } catch (error) {
        // Whatever goes wrong with one operation, the others still become tools; this one is listed.
        const reason =
          error instanceof SkipOperation
            ? error.reason
            : `it could not be converted (${error instanceof Error ? error.message : String(error)})`;
        skipped.push({
          message: `${method} ${path} was skipped: ${reason}.`,
          pointer: error instanceof SkipOperation ? error.pointer : pointer,
        });
      }
    }
  }
  // One warning per tool reads well for a few; a huge spec gets the first few and a count.
  for (const { site, pointer, depth, lean } of summarised.slice(0, MAX_SUMMARY_WARNINGS)) {
    const what = lean
      ? `nesting below level ${depth} is summarised and descriptions below the top level are left out`
      : `nesting below level ${depth} is summarised`;
    warnings.push({ message: `The input schema of ${site} is larger than ${SCHEMA_BUDGET / 1000} KB, so ${what}.`, pointer });
  }
  if (summarised.length > MAX_SUMMARY_WARNINGS) {
    warnings.push({
      message: `${summarised.length - MAX_SUMMARY_WARNINGS} more tools have input schemas larger than ${SCHEMA_BUDGET / 1000} KB, summarised below some nesting level.`,
    });
  }
  if (spent.length > 0) {
    const which =
      spent.length === 1
        ? `the tool for ${spent[0].site} describes`
        : `${spent.length} tools (${spent[0].site} and those after it) describe`;
    warnings.push({
      message: `The input schemas of this spec add up to more than ${megabytes(importBudget)} (a large schema is shared by many operations), so ${which} only their top-level fields; nested values are accepted as they are.`,
      pointer: spent[0].pointer,
    });
  }
  return { tools, skipped, operations };
}

/** Where the missing operations would be, and what the document has instead. */
function noOperationsDetail(oas: JsonObject): { message: string; pointer: string } {
  if (!isObject(oas.paths))
    return { message: 'The document has no "paths" object: there are no operations to turn into tools.', pointer: '' };
  const count = Object.keys(oas.paths).length;
  if (count === 0) {
    const webhooks =
      isObject(oas.webhooks) && Object.keys(oas.webhooks).length > 0
        ? ' (it declares only webhooks, which the API calls, not clients)'
        : '';
    return { message: `"paths" is empty${webhooks}: there are no operations to turn into tools.`, pointer: '/paths' };
  }
  return {
    message: `None of the ${count} path${count === 1 ? '' : 's'} has an operation (get, put, post, delete, options, head, patch or trace).`,
    pointer: '/paths',
  };
}

export async function importSpec(document: unknown, opts: ImportOptions = {}): Promise<ImportedSpec> {
  if (!isObject(document)) throw invalid('The document is not an object.', '');
  const openapi = documentVersion(document);
  let doc = document;
  const warnings: SpecWarning[] = [];
  if (isObject(doc.info) && typeof doc.info.version === 'number') {
    // `version: 1.0` in YAML is a number; it is meant as text, and only that trips validation.
    doc = { ...doc, info: { ...doc.info, version: String(doc.info.version) } };
    warnings.push({ message: 'info.version is a number; it was read as the string it was meant to be.', pointer: '/info/version' });
  }
  const validated = await validateLeniently(doc);
  doc = validated.document as JsonObject;
  warnings.push(...validated.warnings);

  const oas = openapi === '2.0' ? await convertSwagger(doc) : doc;
  const baseUrl = documentBaseUrl(doc, oas, opts.sourceUrl, warnings);
  const importBudget = opts.schemaBudget ?? Math.min(Math.max(IMPORT_SCHEMA_BUDGET, 2 * (opts.sourceBytes ?? 0)), MAX_IMPORT_SCHEMA_BUDGET);
  const { tools, skipped, operations } = collectTools(oas, opts.sourceUrl, baseUrl, warnings, importBudget);
  if (operations === 0) throw withDetails(new SpecNoOperations(), [noOperationsDetail(oas)]);
  if (tools.length === 0) {
    const summary = skipped.length === 1 ? skipped[0].message : `${skipped[0].message} (and ${skipped.length - 1} more)`;
    throw withDetails(new SpecNoUsableOperations(summary), skipped);
  }
  warnings.push(...skipped);

  const names = assignToolNames(tools, opts.previous, opts.nameBudget);
  const info = isObject(doc.info) ? doc.info : {};
  return {
    title: stringOrUndefined(info.title) ?? 'Untitled API',
    version: typeof info.version === 'string' ? info.version : '',
    description: specDescription(info),
    iconUrl: specIcon(info, opts.sourceUrl, warnings),
    openapi,
    baseUrl,
    securitySchemes: summariseSecuritySchemes(oas),
    tools: tools.map((tool, i) => ({ name: names[i], ...tool, annotations: annotationsFor(tool.method, tool.summary ?? names[i]) })),
    warnings,
  };
}
