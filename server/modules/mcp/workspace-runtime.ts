// Everything a workspace's tool calls need, built once per configuration version and kept in
// memory: the tool list answer, compiled validators (lazily, once per tool), the opened
// credentials. The hot path reads only this, never the database.
import type { Icon, ListToolsResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from '../specs/types.js';
import { compileArgumentValidator, DEFAULT_PASSTHROUGH_HEADERS, secretValues, type ArgumentValidator } from '../upstream/index.js';
import type { OAuthConnection } from '../credentials/oauth-connection.js';
import { originOf, originRefusal } from '../credentials/credential-origin.js';
import { suppliedByCredentials, withoutSuppliedParameters } from './credential-parameters.js';
import type { UpstreamCredentials } from '../upstream/types.js';
import type { MetaAnswer } from '../discovery/meta-tools.js';
import type { OutputShape } from '../upstream/output-conformance.js';
import { CHARS_PER_TOKEN } from '../shared/tokens.js';
import { MAX_FILTER_CHARS, pagingArguments, RESPONSE_FILTER_ARG } from '../upstream/response-shape.js';

export interface RuntimeTool {
  definition: ToolDefinition;
  /** Where this tool's calls go: the admin's base URL, else the tool's own server, else the spec's. */
  baseUrl?: string;
  /** `baseUrl`'s origin, looked up in the runtime's `allowedOrigins` on every call. */
  origin?: string;
  /** Compiled on the first call of this tool, then reused. `values`: see ArgumentValidator. */
  validate(args: unknown, values?: number): string | undefined;
  /** The list entry offers `response_filter` (the API has no argument of that name). */
  filterable: boolean;
  /** The tool's paging arguments, named when a cut answer says how to see the rest. */
  pagingArgs: readonly string[];
  /** The outputSchema structuredContent must conform to; undefined when the tool declares none. */
  output?: OutputShape;
  /** A schema profile's view: the client's arguments as the real schema has them (profiles/). */
  toRealArguments?: (args: Record<string, unknown>) => Record<string, unknown>;
}

/** One environment of a workspace, as its tool calls need it. */
export interface WorkspaceRuntime {
  workspaceId: string;
  name: string;
  environment: string;
  /** The spec's info.description: quoted in the MCP instructions. */
  description?: string;
  /** The spec's x-logo: the server's icon (and each tool's, when it is an https URL). */
  icons?: Icon[];
  /** Undefined when neither the spec nor the user gave one. */
  baseUrl?: string;
  /** The base URL's origin and those the admin allowed: the only ones a call (and its credentials) may go to. */
  allowedOrigins: Set<string>;
  /** Set when the credentials are held back (the API moved since they were saved): every call answers it. */
  held?: string;
  credentials: UpstreamCredentials;
  /** The caller's own headers are forwarded on each call (stored ones win). */
  passthrough: boolean;
  /** Passthrough: the header names (lower case) a caller's headers are narrowed to. */
  passthroughHeaders: ReadonlySet<string>;
  /** OAuth: a fresh access token per call, sent as a bearer token. */
  tokenSource?: OAuthConnection;
  /** Every secret string, for redacting anything that is logged. */
  secrets: string[];
  /** Estimated tokens (as characters of compact JSON) a tool's answer may hold; 0: no budget. */
  responseBudgetChars: number;
  /** Enabled tools only. */
  tools: Map<string, RuntimeTool>;
  listResult: ListToolsResult;
  /** Why a tool that is not in `tools` cannot be called, in words for the model and the user. */
  refusal(name: string): string;
  /** Why a tool whose origin is not in `allowedOrigins` was not called. */
  originRefusal(name: string, origin: string): string;
  /** Dynamic mode: the meta-tools, answered before any real tool of the same name (mode-view.ts). */
  discovery?: {
    handles(name: string): boolean;
    answer(name: string, args: Record<string, unknown> | undefined): MetaAnswer;
  };
}

export interface RuntimeInput {
  workspaceId: string;
  name: string;
  environment: string;
  passthrough?: boolean;
  /** Default: Authorization and X-API-Key (see passthroughHeaderNames). */
  passthroughHeaders?: ReadonlySet<string>;
  tokenSource?: OAuthConnection;
  baseUrl?: string;
  /** The admin set `baseUrl` (workspace or environment): it wins over every tool's own server. */
  baseUrlOverridden?: boolean;
  /** Origins the admin allowed besides the base URL's. */
  allowedOrigins?: string[];
  held?: string;
  credentials: UpstreamCredentials;
  tools: { definition: ToolDefinition; enabled: boolean }[];
  description?: string | null;
  iconUrl?: string | null;
  /** Tokens a tool's answer may hold; undefined: DEFAULT_RESPONSE_BUDGET; 0: no budget. */
  responseBudget?: number | null;
}

/** Tokens of one tool answer, unless the workspace says otherwise: a tenth of a large context window. */
export const DEFAULT_RESPONSE_BUDGET = 25_000;

const FILTER_PROPERTY = {
  type: 'string',
  maxLength: MAX_FILTER_CHARS,
  description:
    'Optional JMESPath expression applied to a JSON response before it is returned, to keep only what you need, ' +
    'e.g. "items[].{id: id, name: name}" or "length(@)".',
};

/** The input schema with `response_filter` added, unless the API has an argument of that name. */
function withFilter(inputSchema: ToolDefinition['inputSchema']): ToolDefinition['inputSchema'] | undefined {
  const properties = (inputSchema.properties ?? {}) as Record<string, unknown>;
  if (RESPONSE_FILTER_ARG in properties) return undefined;
  return { ...inputSchema, properties: { ...properties, [RESPONSE_FILTER_ARG]: FILTER_PROPERTY } };
}

function listEntry(definition: ToolDefinition, icons: Icon[] | undefined, inputSchema: ToolDefinition['inputSchema']): Tool {
  return {
    name: definition.name,
    title: definition.annotations.title,
    description: definition.description,
    inputSchema: inputSchema as Tool['inputSchema'],
    ...(definition.outputSchema && { outputSchema: definition.outputSchema as Tool['outputSchema'] }),
    annotations: definition.annotations,
    ...(icons && { icons }),
  };
}

function lazyValidator(definition: ToolDefinition): RuntimeTool['validate'] {
  let compiled: ArgumentValidator | undefined;
  return (args, values) => {
    compiled ??= compileArgumentValidator(definition);
    return compiled(args, values);
  };
}

/** Where one tool's calls go, decided once per runtime rather than per call. */
function runtimeTool(definition: ToolDefinition, input: RuntimeInput, filterable: boolean): RuntimeTool {
  const own = input.baseUrlOverridden ? undefined : definition.serverUrl;
  const baseUrl = own ?? input.baseUrl;
  return {
    definition,
    baseUrl,
    origin: originOf(baseUrl),
    validate: lazyValidator(definition),
    filterable,
    pagingArgs: pagingArguments(definition.params),
    ...(definition.outputSchema && { output: { schema: definition.outputSchema, id: definition.fingerprint } }),
  };
}

export function buildWorkspaceRuntime(input: RuntimeInput): WorkspaceRuntime {
  const tools = new Map<string, RuntimeTool>();
  const entries: Tool[] = [];
  const supplied = suppliedByCredentials(input.credentials, input.tokenSource !== undefined);
  const icons = input.iconUrl ? [{ src: input.iconUrl }] : undefined;
  // A data: icon can be kilobytes: shown on the server only, not repeated in every tool's entry.
  const toolIcons = input.iconUrl?.startsWith('https:') ? icons : undefined;
  for (const { definition: stored, enabled } of input.tools) {
    if (!enabled) continue;
    const definition = withoutSuppliedParameters(stored, supplied);
    const offered = withFilter(definition.inputSchema);
    tools.set(definition.name, runtimeTool(definition, input, offered !== undefined));
    entries.push(listEntry(definition, toolIcons, offered ?? definition.inputSchema));
  }
  const baseOrigin = originOf(input.baseUrl);
  const allowedOrigins = new Set(input.allowedOrigins ?? []);
  if (baseOrigin) allowedOrigins.add(baseOrigin);
  const known = new Set(input.tools.map((t) => t.definition.name));
  return {
    workspaceId: input.workspaceId,
    name: input.name,
    environment: input.environment,
    description: input.description ?? undefined,
    icons,
    baseUrl: input.baseUrl,
    allowedOrigins,
    held: input.held,
    credentials: input.credentials,
    passthrough: input.passthrough ?? false,
    passthroughHeaders: input.passthroughHeaders ?? DEFAULT_PASSTHROUGH_HEADERS,
    tokenSource: input.tokenSource,
    secrets: secretValues(input.credentials),
    responseBudgetChars: CHARS_PER_TOKEN * (input.responseBudget ?? DEFAULT_RESPONSE_BUDGET),
    tools,
    listResult: { tools: entries },
    refusal: (name) =>
      known.has(name)
        ? `Tool "${name}" is disabled in this workspace; enable it in the console or with PATCH /api/workspaces/:id/tools/${name}.`
        : `Unknown tool "${name}".`,
    originRefusal: (name, origin) => originRefusal(name, origin, baseOrigin),
  };
}
