// One tools/call, from arguments to a tool result. Upstream failures become `isError` results the
// model can read; only protocol faults (an unknown or disabled tool) are JSON-RPC errors.
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Attributes } from '@opentelemetry/api';
import {
  UpstreamAborted,
  buildUpstreamRequest,
  compileFilter,
  maskUrl,
  passthroughHeaders,
  redactSecrets,
  resultExcerpt,
  RESPONSE_FILTER_ARG,
  serializeToolResultOffThread,
  toToolResult,
  withSecrets,
  type UpstreamClient,
} from '../upstream/index.js';
import { OAuthReconnectNeeded } from '../oauth/index.js';
import type { UpstreamCredentials, UpstreamRequest } from '../upstream/types.js';
import type { RuntimeTool, WorkspaceRuntime } from './workspace-runtime.js';
import type { RequestSpan, UpstreamSpan } from '../telemetry/tracing.js';
import { measureArguments } from './argument-limits.js';
import { jsonPrefix } from './json-prefix.js';
import { SerializedResult } from './exchange-transport.js';

export interface CallRecord {
  workspaceId: string;
  /** Milliseconds since the epoch: formatted where the record is stored, off the hot path. */
  at: number;
  tool: string;
  method?: string;
  url?: string;
  status?: number;
  ok: boolean;
  durationMs: number;
  /** Time spent waiting on the upstream (both requests when an OAuth retry was made); undefined when nothing was sent. For metrics; not stored. */
  upstreamMs?: number;
  error?: string;
  caller: string;
  callerLabel?: string;
  environment: string;
  userAgent?: string;
  arguments?: string;
  responseExcerpt?: string;
}

export interface CallDeps {
  upstream: UpstreamClient;
  maxResponseBytes: number;
  /** Receives every call, refused ones included; must not block (the log writer batches). */
  record(entry: CallRecord): void;
  /** Aborted when a shutdown's grace period runs out: calls still waiting on their upstream are answered (and logged) then. */
  stopping?: AbortSignal;
}

interface UpstreamSpanShape {
  name: string;
  attributes: Attributes;
}

// A tool's base URL is fixed for the tool object's life (a change builds a new runtime), so its
// span name and attributes are worked out on its first traced call only.
const upstreamSpanShapes = new WeakMap<RuntimeTool, UpstreamSpanShape>();

/**
 * What an upstream span says about the request: the tool, the server and the path template,
 * nothing the caller sent. Named by the template: the resolved URL may hold argument values and a
 * key in its query.
 */
function startUpstreamSpan(trace: RequestSpan, tool: RuntimeTool, name: string, req: UpstreamRequest): UpstreamSpan {
  let shape = upstreamSpanShapes.get(tool);
  if (!shape) {
    const url = new URL(req.url);
    const template = tool.definition.path;
    shape = {
      name: `${req.method} ${template}`,
      attributes: {
        'http.request.method': req.method,
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        'url.template': template,
        'gen_ai.tool.name': name,
      },
    };
    upstreamSpanShapes.set(tool, shape);
  }
  return trace.startUpstream(shape.name, shape.attributes);
}

export interface CallerInfo {
  /** `url`, or the access key's id. */
  caller: string;
  callerLabel?: string;
  userAgent?: string;
  /** Passthrough: the caller's headers for this one call. Never stored or logged. */
  forwarded?: Record<string, string>;
  /** The MCP request's span when tracing is on: each upstream call gets a child span. */
  trace?: RequestSpan;
}

/** What one call's record says about how it went; the rest is known when the call starts. */
type Outcome = Pick<CallRecord, 'method' | 'url' | 'status' | 'ok' | 'error' | 'responseExcerpt'>;

const ARGUMENTS_BUDGET = 4096;
/** Above this many values the logged arguments are written only as far as the budget (see json-prefix.ts). */
const WHOLE_ARGUMENTS_MAX_VALUES = 1_000;
const LARGE_BODY_BYTES = 64 * 1024;
const EXCERPT_BUDGET = 2048;

function cut(text: string, budget: number): string {
  return text.length <= budget ? text : `${text.slice(0, budget)}…`;
}

/** What the model and the user read when the OAuth connection cannot give a token. */
function oauthMessage(err: unknown): string {
  if (err instanceof OAuthReconnectNeeded) {
    return `The API's OAuth connection needs to be reconnected: ${err.message} Open the console's Configure tab and press Connect.`;
  }
  return `Could not get an OAuth access token for the API: ${(err as Error).message}`;
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * Passthrough: the caller's headers narrowed to the ones passthrough forwards (a method or URL
 * override refuses the call), with the stored ones winning, and their values masked too.
 */
function credentialsFor(
  runtime: WorkspaceRuntime,
  caller: CallerInfo,
): { credentials: UpstreamCredentials; secrets: string[]; refused?: string } {
  if (!runtime.passthrough || !caller.forwarded) return { credentials: runtime.credentials, secrets: runtime.secrets };
  const { headers: offered, refused } = passthroughHeaders(caller.forwarded, runtime.passthroughHeaders);
  if (refused) return { credentials: runtime.credentials, secrets: runtime.secrets, refused };
  const stored = runtime.credentials.type === 'headers' ? runtime.credentials.headers : {};
  const storedNames = new Set(Object.keys(stored).map((n) => n.toLowerCase()));
  const forwarded = Object.fromEntries(Object.entries(offered).filter(([n]) => !storedNames.has(n)));
  return {
    credentials: { type: 'headers', headers: { ...forwarded, ...stored } },
    secrets: withSecrets(
      runtime.secrets,
      Object.values(offered).filter((v) => v.length >= 4),
    ),
  };
}

/**
 * The result of one call: a CallToolResult, or for a large upstream answer the result already
 * serialised (on the result thread), which the answer takes as it is.
 */
export async function callTool(
  runtime: WorkspaceRuntime,
  deps: CallDeps,
  name: string,
  offered: Record<string, unknown> | undefined,
  caller: CallerInfo,
): Promise<CallToolResult | SerializedResult> {
  const started = performance.now();
  const at = Date.now();
  const tool = runtime.tools.get(name);
  // A schema profile's arguments become the real ones first: everything below (bounds, the log,
  // validation, the request) sees what the default profile would have given it.
  let args = offered;
  let unmapped: string | undefined;
  if (offered && tool?.toRealArguments) {
    try {
      args = tool.toRealArguments(offered);
    } catch (err) {
      unmapped = (err as Error).message;
    }
  }
  const { credentials, secrets: known, refused: passthroughRefused } = credentialsFor(runtime, caller);
  // The runtime's own list unless this call adds to it: masking is prepared once per list.
  let secrets = known;
  let upstreamMs: number | undefined;
  const redact = (text: string) => redactSecrets(text, secrets);
  // Checked first, iteratively: JSON.stringify below, Ajv and the request builder recurse on the arguments.
  const { problem: outOfBounds, values } = measureArguments(args);
  const argumentsJson =
    args === undefined || outOfBounds
      ? undefined
      : values > WHOLE_ARGUMENTS_MAX_VALUES
        ? jsonPrefix(args, ARGUMENTS_BUDGET)
        : JSON.stringify(args);
  const argumentsText = argumentsJson === undefined ? undefined : redact(cut(argumentsJson, ARGUMENTS_BUDGET));
  // One literal with every field, always in this order: spreading a shared base into each record
  // cost more than the rest of the bookkeeping together, and one shape keeps the batch cheap to
  // post to the log writer's thread.
  const record = (outcome: Outcome) => {
    // A failed call fails its MCP request's span, though the answer is a 200 with an isError result.
    if (!outcome.ok) caller.trace?.fail('tool_error');
    deps.record({
      workspaceId: runtime.workspaceId,
      at,
      tool: tool?.definition.name ?? name,
      method: outcome.method,
      url: outcome.url,
      status: outcome.status,
      ok: outcome.ok,
      durationMs: Math.round(performance.now() - started),
      upstreamMs,
      error: outcome.error,
      caller: caller.caller,
      callerLabel: caller.callerLabel,
      environment: runtime.environment,
      userAgent: caller.userAgent,
      arguments: argumentsText,
      responseExcerpt: outcome.responseExcerpt,
    });
  };

  if (!tool) {
    const message = runtime.refusal(name);
    record({ ok: false, error: message });
    caller.trace?.fail(String(ErrorCode.InvalidParams));
    throw new McpError(ErrorCode.InvalidParams, message);
  }
  const definition = tool.definition;
  const refuse = (message: string, extra: Partial<Outcome> = {}): CallToolResult => {
    record({ method: definition.method, ok: false, error: message, ...extra });
    return errorResult(message);
  };

  if (unmapped) return refuse(unmapped);
  if (outOfBounds) return refuse(outOfBounds);
  // `response_filter` is the gateway's, not the API's: taken out before validation and the request,
  // and checked now, so a filter that cannot parse costs no upstream call.
  let filter: string | undefined;
  if (tool.filterable && args && RESPONSE_FILTER_ARG in args) {
    const { [RESPONSE_FILTER_ARG]: offeredFilter, ...rest } = args;
    args = rest;
    // Null or empty: no filter (strict profiles send null for an argument left out).
    if (offeredFilter !== null && offeredFilter !== undefined && offeredFilter !== '') {
      if (typeof offeredFilter !== 'string') return refuse(`"${RESPONSE_FILTER_ARG}" must be a string: a JMESPath expression.`);
      const compiled = compileFilter(offeredFilter);
      if ('problem' in compiled) return refuse(compiled.problem);
      filter = offeredFilter;
    }
  }
  const invalid = tool.validate(args ?? {}, values);
  if (invalid) return refuse(invalid);
  if (passthroughRefused) return refuse(passthroughRefused);
  // Where the call goes was decided when the runtime was built; credentials go to no other origin.
  const baseUrl = tool.baseUrl;
  if (!baseUrl)
    return refuse(
      'This workspace has no API base URL: set one in the console (Configure) or with PATCH /api/workspaces/:id {"baseUrl": "https://…"}.',
    );
  if (runtime.held) return refuse(runtime.held);
  if (!tool.origin || !runtime.allowedOrigins.has(tool.origin)) return refuse(runtime.originRefusal(name, tool.origin ?? baseUrl));

  // OAuth: a fresh token per call; it joins the secrets that are redacted from everything logged.
  let callCredentials = credentials;
  let token: string | undefined;
  if (runtime.tokenSource) {
    try {
      token = await runtime.tokenSource.getAccessToken();
    } catch (err) {
      return refuse(oauthMessage(err));
    }
    callCredentials = { type: 'bearer', token };
    secrets = withSecrets(secrets, [token]);
  }

  let request: UpstreamRequest;
  try {
    request = buildUpstreamRequest(tool.definition, args ?? {}, { baseUrl, credentials: callCredentials });
  } catch (err) {
    return refuse(redact((err as Error).message));
  }
  const url = maskUrl(request.url, callCredentials, secrets);

  try {
    const sendOptions = { signal: deps.stopping };
    const send = async (req: UpstreamRequest) => {
      const span = caller.trace && startUpstreamSpan(caller.trace, tool, name, req);
      const sentAt = performance.now();
      try {
        const response = await deps.upstream.send(span ? { ...req, headers: { ...req.headers, ...span.headers } } : req, sendOptions);
        span?.end({ status: response.status });
        return response;
      } catch (err) {
        span?.end({ error: (err as Error).name });
        throw err;
      } finally {
        upstreamMs = (upstreamMs ?? 0) + (performance.now() - sentAt);
      }
    };
    let response = await send(request);
    if (response.status === 401 && runtime.tokenSource && token) {
      // The token was refused before its time (revoked, rotated elsewhere): renew once, retry once.
      let fresh: string;
      try {
        fresh = await runtime.tokenSource.forceRefresh(token);
      } catch (err) {
        return refuse(oauthMessage(err), { method: request.method, url, status: 401 });
      }
      secrets = withSecrets(secrets, [fresh]);
      request = buildUpstreamRequest(tool.definition, args ?? {}, { baseUrl, credentials: { type: 'bearer', token: fresh } });
      response = await send(request);
    }
    const recordAnswer = (status: number, ok: boolean, excerpt: string) => {
      if (ok) runtime.tokenSource?.markSuccess();
      record({
        method: request.method,
        url,
        status,
        ok,
        error: ok ? undefined : `Upstream answered ${status}`,
        responseExcerpt: redact(cut(excerpt, EXCERPT_BUDGET)),
      });
    };
    const shape =
      filter !== undefined || runtime.responseBudgetChars > 0
        ? { filter, budgetChars: runtime.responseBudgetChars, pagingArgs: tool.pagingArgs }
        : undefined;
    const options = { maxResponseBytes: deps.maxResponseBytes, secrets, shape, output: tool.output };
    if (response.body.byteLength > LARGE_BODY_BYTES) {
      // Tens of ms to parse, mask and print, and tens of thousands of objects left to collect:
      // built on the result thread (the body is handed to it), so the event loop (other calls,
      // /healthz) is not held.
      const built = await serializeToolResultOffThread(response, options, EXCERPT_BUDGET + 1);
      recordAnswer(response.status, !built.isError, built.excerpt);
      return new SerializedResult(built.json);
    }
    const result = toToolResult(response, options);
    recordAnswer(response.status, !result.isError, resultExcerpt(result, EXCERPT_BUDGET + 1));
    return result;
  } catch (err) {
    if (deps.stopping?.aborted && err instanceof UpstreamAborted) {
      const message = `The gateway is shutting down and stopped this call before the upstream answered; it may have reached the upstream, so check whether it took effect before calling again.`;
      return refuse(message, { method: request.method, url });
    }
    // Upstream errors never carry the query string or header values, but redact anyway.
    return refuse(redact((err as Error).message), { method: request.method, url });
  }
}
