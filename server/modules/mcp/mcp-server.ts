// The MCP endpoint for one workspace view (a runtime, or a key's narrowed view of it). Stateless:
// nothing is kept between requests, so any gateway process can answer any of them. One endpoint
// per view is built on first use and shared by every exchange (see exchange-transport.ts). For the
// 2025 revisions the SDK's Server answers initialize, ping and whatever else a client sends;
// tools/list and tools/call, the hot path, are answered directly. A 2026-07-28 request (no
// handshake; modern-protocol.ts) is answered here without the SDK: server/discover, tools/list
// and tools/call are all it has to serve.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ErrorCode, McpError, type CallToolResult, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';
import { callTool, type CallDeps, type CallerInfo } from './call-tool.js';
import { errorAnswer, ExchangeTransport, joined, SerializedResult, type ExchangeAnswer } from './exchange-transport.js';
import {
  asModernResult,
  checkModernRequest,
  isAnswer,
  isModernRequest,
  methodNotFound,
  modernResultHead,
  SERVED_PROTOCOL_VERSIONS,
  type ModernRequest,
} from './modern-protocol.js';
import { plainError, type WireError } from './error-wording.js';
import { toolResultJson } from '../upstream/index.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';
import { listJson } from './mode-view.js';

export const SERVER_INFO = { name: 'latchkey', version: '0.1.0' };

// The SDK builds a new Ajv (with formats) per Server unless given one.
const sharedValidator = new AjvJsonSchemaValidator();

export interface McpEndpoint {
  exchange(body: unknown, headers: Record<string, string | string[] | undefined>, caller: CallerInfo): Promise<ExchangeAnswer>;
}

// Keyed by the view object: a changed workspace gets a new runtime, and its old endpoint goes
// with the old runtime.
const endpoints = new WeakMap<WorkspaceRuntime, McpEndpoint>();

export function mcpEndpointFor(runtime: WorkspaceRuntime, deps: CallDeps): McpEndpoint {
  let endpoint = endpoints.get(runtime);
  if (!endpoint) {
    endpoint = createEndpoint(runtime, deps);
    endpoints.set(runtime, endpoint);
  }
  return endpoint;
}

function invalidParams(message: string): McpError {
  return new McpError(ErrorCode.InvalidParams, `Invalid tools/call request: ${message}`);
}

/**
 * How long a 2026-07-28 client may keep the tool list (and the discover result) before asking
 * again. The list changes only when an admin edits the workspace, and the revision has no
 * list-changed notice without a subscription stream: a minute bounds how stale a client's list is.
 * Private: the list belongs to one URL or key, which is a secret, so no shared cache may keep it.
 */
const LIST_TTL_MS = 60_000;

/** Lists longer than this are kept as bytes (see createEndpoint). */
const LARGE_LIST_CHARS = 64 * 1024;

function modernAnswer(id: RequestId, result: string | Buffer[]): ExchangeAnswer {
  const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`;
  if (typeof result === 'string') return { status: 200, body: `${head}${result}}` };
  return { status: 200, body: joined([Buffer.from(head), ...result, Buffer.from('}')]) };
}

/**
 * The API's own description quoted in the instructions at most this long: clients put
 * instructions into the model's context on every conversation, so a long spec introduction (some
 * run to pages of authentication how-tos) would cost every user tokens for little.
 */
export const MAX_INSTRUCTIONS_DESCRIPTION = 1_500;

/** What a client is told about this server: whose tools these are, that keys are not its business, and the API's own words. */
export function instructionsFor(runtime: Pick<WorkspaceRuntime, 'name' | 'description'>): string {
  const base = `Tools for "${runtime.name}", served by Latchkey. Credentials are added by the gateway: never ask the user for API keys.`;
  const about = runtime.description;
  if (!about) return base;
  let quoted = about;
  if (about.length > MAX_INSTRUCTIONS_DESCRIPTION) {
    // Cut at the last sentence or line end that fits, or else at a word, and say it was cut.
    const head = about.slice(0, MAX_INSTRUCTIONS_DESCRIPTION);
    const end = Math.max(head.lastIndexOf('. '), head.lastIndexOf('\n'));
    const cut = end > MAX_INSTRUCTIONS_DESCRIPTION / 2 ? end + 1 : head.lastIndexOf(' ');
    quoted = `${head.slice(0, cut > 0 ? cut : MAX_INSTRUCTIONS_DESCRIPTION).trimEnd()} […]`;
  }
  return `${base}\n\nAbout the API, from its OpenAPI description:\n${quoted}`;
}

function serialized(result: CallToolResult | SerializedResult): SerializedResult {
  return result instanceof SerializedResult ? result : new SerializedResult(toolResultJson(result));
}

function errorResult(text: string): SerializedResult {
  return serialized({ isError: true, content: [{ type: 'text', text }] });
}

/**
 * Dynamic mode: search_tools and describe_tools are answered from the view; call_tool makes the
 * real tool's call, so it is validated, limited and logged exactly as a direct call. A tool it
 * cannot reach is an `isError` result the model reads, not a protocol error of call_tool's.
 */
async function callMeta(
  runtime: WorkspaceRuntime,
  deps: CallDeps,
  name: string,
  args: Record<string, unknown> | undefined,
  caller: CallerInfo,
): Promise<SerializedResult> {
  let answer;
  try {
    answer = runtime.discovery!.answer(name, args);
  } catch (err) {
    // A strict profile's JSON-text argument that does not parse.
    return errorResult((err as Error).message);
  }
  if ('result' in answer) return serialized(answer.result);
  try {
    return serialized(await callTool(runtime, deps, answer.call.name, answer.call.arguments, caller));
  } catch (err) {
    if (err instanceof McpError) return errorResult(`${err.message.replace(/^MCP error -?\d+: /, '')} Find tools with search_tools.`);
    throw err;
  }
}

/** Dynamic mode's word in the instructions: how to reach tools that are not listed. */
const DYNAMIC_INSTRUCTIONS =
  "This API's tools are too many to list: find them with search_tools, read their schemas with describe_tools, and run them with call_tool.";

function createEndpoint(runtime: WorkspaceRuntime, deps: CallDeps): McpEndpoint {
  const instructions = runtime.discovery ? `${instructionsFor(runtime)}\n\n${DYNAMIC_INSTRUCTIONS}` : instructionsFor(runtime);
  // The spec's logo, when it has one, as the server's icon (2025-11-25 and 2026-07-28 show it).
  const serverInfo = runtime.icons ? { ...SERVER_INFO, icons: runtime.icons } : SERVER_INFO;
  const server = new Server(serverInfo, { capabilities: { tools: {} }, jsonSchemaValidator: sharedValidator, instructions });
  const callFromParams = (params: Record<string, unknown> | undefined, caller: CallerInfo): Promise<SerializedResult> => {
    const name = params?.name;
    const args = params?.arguments;
    if (typeof name !== 'string') throw invalidParams('"name" must be a string.');
    if (args !== undefined && !isPlainObject(args)) throw invalidParams('"arguments" must be an object.');
    if (runtime.discovery?.handles(name)) return callMeta(runtime, deps, name, args, caller);
    return callTool(runtime, deps, name, args, caller).then(serialized);
  };
  // The view's tool list never changes (a change makes a new runtime): serialised once, on first
  // use. A large one is kept as bytes: encoding GitHub's 2 MiB list again for every answer cost
  // more than sending it.
  let toolList: SerializedResult | undefined;
  const transport = new ExchangeTransport<CallerInfo>({
    'tools/list': () => {
      if (toolList) return toolList;
      const json = listJson(runtime);
      return (toolList = new SerializedResult(json.length > LARGE_LIST_CHARS ? Buffer.from(json) : json));
    },
    'tools/call': callFromParams,
  });
  // connect() only wires callbacks and starts the transport, which has nothing to start.
  void server.connect(transport);

  // The 2026-07-28 results, likewise made once: each opens with resultType and the server's identity.
  const head = modernResultHead(SERVER_INFO);
  const cache = `"ttlMs":${LIST_TTL_MS},"cacheScope":"private"`;
  let modernList: string | undefined;
  let discover: string | undefined;
  const answerModern = async (request: ModernRequest, caller: CallerInfo): Promise<ExchangeAnswer> => {
    switch (request.method) {
      case 'server/discover':
        // The discover result names the server with its icon; other results name it briefly.
        discover ??= `${modernResultHead(serverInfo)},${cache},${JSON.stringify({ supportedVersions: SERVED_PROTOCOL_VERSIONS, capabilities: { tools: {} }, instructions }).slice(1)}`;
        return modernAnswer(request.id, discover);
      case 'tools/list':
        modernList ??= `${head},${cache},${listJson(runtime).slice(1)}`;
        return modernAnswer(request.id, modernList);
      case 'tools/call':
        try {
          return modernAnswer(request.id, asModernResult(head, (await callFromParams(request.params, caller)).json));
        } catch (err) {
          // Worded as for the 2025 revisions (exchange-transport.ts): the SDK's prefix goes, data stays.
          const { error } = errorAnswer(request.id, err) as { error: WireError };
          return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', id: request.id, error: plainError(error, 'tools/call') }) };
        }
      default:
        return methodNotFound(request.id, request.method);
    }
  };

  return {
    exchange(body, headers, caller) {
      if (!isModernRequest(body, headers)) return transport.exchange(body, headers, caller);
      const checked = checkModernRequest(body, headers);
      return isAnswer(checked) ? Promise.resolve(checked) : answerModern(checked, caller);
    },
  };
}
