// One tools/call, from arguments to a tool result. Upstream failures become `isError` results the
// model can read; only protocol faults (an unknown or disabled tool) are JSON-RPC errors.
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { buildUpstreamRequest, maskUrl, redactSecrets, toToolResult, type UpstreamClient } from '../upstream/index.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';

export interface CallRecord {
  workspaceId: string;
  at: string;
  tool: string;
  method?: string;
  url?: string;
  status?: number;
  ok: boolean;
  durationMs: number;
  error?: string;
  caller: string;
  userAgent?: string;
  arguments?: string;
  responseExcerpt?: string;
}

export interface CallDeps {
  upstream: UpstreamClient;
  maxResponseBytes: number;
  /** Receives every call, refused ones included; must not block (the log writer batches). */
  record(entry: CallRecord): void;
}

export interface CallerInfo {
  caller: string;
  userAgent?: string;
}

const ARGUMENTS_BUDGET = 4096;
const EXCERPT_BUDGET = 2048;

function cut(text: string, budget: number): string {
  return text.length <= budget ? text : `${text.slice(0, budget)}…`;
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function firstText(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === 'text' ? first.text : first ? `[${first.type} content]` : '';
}

export async function callTool(
  runtime: WorkspaceRuntime,
  deps: CallDeps,
  name: string,
  args: Record<string, unknown> | undefined,
  caller: CallerInfo,
): Promise<CallToolResult> {
  const started = performance.now();
  const at = new Date().toISOString();
  const redact = (text: string) => redactSecrets(text, runtime.secrets);
  const argumentsText = args === undefined ? undefined : redact(cut(JSON.stringify(args), ARGUMENTS_BUDGET));
  const base = { workspaceId: runtime.workspaceId, at, tool: name, caller: caller.caller, userAgent: caller.userAgent, arguments: argumentsText };
  const elapsed = () => Math.round(performance.now() - started);

  const tool = runtime.tools.get(name);
  if (!tool) {
    const message = runtime.allToolNames.has(name)
      ? `Tool "${name}" is disabled in this workspace; enable it in the console or with PATCH /api/workspaces/:id/tools/${name}.`
      : `Unknown tool "${name}".`;
    deps.record({ ...base, ok: false, durationMs: elapsed(), error: message });
    throw new McpError(ErrorCode.InvalidParams, message);
  }
  const definition = tool.definition;
  const refuse = (message: string, extra: Partial<CallRecord> = {}): CallToolResult => {
    deps.record({ ...base, method: definition.method, ok: false, durationMs: elapsed(), error: message, ...extra });
    return errorResult(message);
  };

  const invalid = tool.validate(args ?? {});
  if (invalid) return refuse(invalid);
  const baseUrl = definition.serverUrl ?? runtime.baseUrl;
  if (!baseUrl) return refuse('This workspace has no API base URL: set one in the console (Configure) or with PATCH /api/workspaces/:id {"baseUrl": "https://…"}.');

  let request;
  try {
    request = buildUpstreamRequest(definition, args ?? {}, { baseUrl, credentials: runtime.credentials });
  } catch (err) {
    return refuse(redact((err as Error).message));
  }
  const url = maskUrl(request.url, runtime.credentials);

  try {
    const response = await deps.upstream.send(request);
    const result = toToolResult(response, { maxResponseBytes: deps.maxResponseBytes });
    const ok = !result.isError;
    deps.record({
      ...base,
      method: request.method,
      url,
      status: response.status,
      ok,
      durationMs: elapsed(),
      error: ok ? undefined : `Upstream answered ${response.status}`,
      responseExcerpt: redact(cut(firstText(result), EXCERPT_BUDGET)),
    });
    return result;
  } catch (err) {
    // Upstream errors never carry the query string or header values, but redact anyway.
    return refuse(redact((err as Error).message), { method: request.method, url });
  }
}
