// Everything a workspace's tool calls need, built once per configuration version and kept in
// memory: the tool list answer, compiled validators (lazily, once per tool), the opened
// credentials. The hot path reads only this, never the database.
import type { ListToolsResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from '../specs/types.js';
import { compileArgumentValidator, secretValues } from '../upstream/index.js';
import type { OAuthConnection } from '../credentials/oauth-connection.js';
import type { UpstreamCredentials } from '../upstream/types.js';

export interface RuntimeTool {
  definition: ToolDefinition;
  /** Compiled on the first call of this tool, then reused. */
  validate(args: unknown): string | undefined;
}

/** One environment of a workspace, as its tool calls need it. */
export interface WorkspaceRuntime {
  workspaceId: string;
  name: string;
  environment: string;
  /** Undefined when neither the spec nor the user gave one. */
  baseUrl?: string;
  credentials: UpstreamCredentials;
  /** The caller's own headers are forwarded on each call (stored ones win). */
  passthrough: boolean;
  /** OAuth: a fresh access token per call, sent as a bearer token. */
  tokenSource?: OAuthConnection;
  /** Every secret string, for redacting anything that is logged. */
  secrets: string[];
  /** Enabled tools only. */
  tools: Map<string, RuntimeTool>;
  listResult: ListToolsResult;
  /** Why a tool that is not in `tools` cannot be called, in words for the model and the user. */
  refusal(name: string): string;
}

export interface RuntimeInput {
  workspaceId: string;
  name: string;
  environment: string;
  passthrough?: boolean;
  tokenSource?: OAuthConnection;
  baseUrl?: string;
  credentials: UpstreamCredentials;
  tools: { definition: ToolDefinition; enabled: boolean }[];
}

function listEntry(definition: ToolDefinition): Tool {
  return {
    name: definition.name,
    title: definition.annotations.title,
    description: definition.description,
    inputSchema: definition.inputSchema as Tool['inputSchema'],
    annotations: definition.annotations,
  };
}

function lazyValidator(definition: ToolDefinition): RuntimeTool['validate'] {
  let compiled: ((args: unknown) => string | undefined) | undefined;
  return (args) => {
    compiled ??= compileArgumentValidator(definition);
    return compiled(args);
  };
}

export function buildWorkspaceRuntime(input: RuntimeInput): WorkspaceRuntime {
  const tools = new Map<string, RuntimeTool>();
  const entries: Tool[] = [];
  for (const { definition, enabled } of input.tools) {
    if (!enabled) continue;
    tools.set(definition.name, { definition, validate: lazyValidator(definition) });
    entries.push(listEntry(definition));
  }
  const known = new Set(input.tools.map((t) => t.definition.name));
  return {
    workspaceId: input.workspaceId,
    name: input.name,
    environment: input.environment,
    baseUrl: input.baseUrl,
    credentials: input.credentials,
    passthrough: input.passthrough ?? false,
    tokenSource: input.tokenSource,
    secrets: secretValues(input.credentials),
    tools,
    listResult: { tools: entries },
    refusal: (name) =>
      known.has(name)
        ? `Tool "${name}" is disabled in this workspace; enable it in the console or with PATCH /api/workspaces/:id/tools/${name}.`
        : `Unknown tool "${name}".`,
  };
}
