// Everything a workspace's tool calls need, built once per configuration version and kept in
// memory: the tool list answer, compiled validators (lazily, once per tool), the opened
// credentials. The hot path reads only this, never the database.
import type { ListToolsResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from '../specs/types.js';
import { compileArgumentValidator, secretValues } from '../upstream/index.js';
import type { UpstreamCredentials } from '../upstream/types.js';

export interface RuntimeTool {
  definition: ToolDefinition;
  /** Compiled on the first call of this tool, then reused. */
  validate(args: unknown): string | undefined;
}

export interface WorkspaceRuntime {
  workspaceId: string;
  name: string;
  /** Undefined when neither the spec nor the user gave one. */
  baseUrl?: string;
  credentials: UpstreamCredentials;
  /** Every secret string, for redacting anything that is logged. */
  secrets: string[];
  /** Enabled tools only. */
  tools: Map<string, RuntimeTool>;
  /** Every tool of the spec, enabled or not, to tell "disabled" from "unknown". */
  allToolNames: Set<string>;
  listResult: ListToolsResult;
}

export interface RuntimeInput {
  workspaceId: string;
  name: string;
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
  return {
    workspaceId: input.workspaceId,
    name: input.name,
    baseUrl: input.baseUrl,
    credentials: input.credentials,
    secrets: secretValues(input.credentials),
    tools,
    allToolNames: new Set(input.tools.map((t) => t.definition.name)),
    listResult: { tools: entries },
  };
}
