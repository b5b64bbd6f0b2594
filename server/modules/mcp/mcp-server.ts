// The MCP endpoint for one workspace view (a runtime, or a key's narrowed view of it). Stateless:
// nothing is kept between requests, so any gateway process can answer any of them. One endpoint
// per view is built on first use and shared by every exchange (see exchange-transport.ts): the
// SDK's Server answers initialize, ping and whatever else a client sends; tools/list and
// tools/call, the hot path, are answered directly.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';
import { callTool, type CallDeps, type CallerInfo } from './call-tool.js';
import { ExchangeTransport, SerializedResult, type ExchangeAnswer } from './exchange-transport.js';
import { toolResultJson } from '../upstream/index.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';

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

function createEndpoint(runtime: WorkspaceRuntime, deps: CallDeps): McpEndpoint {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    jsonSchemaValidator: sharedValidator,
    instructions: `Tools for "${runtime.name}", served by Latchkey. Credentials are added by the gateway: never ask the user for API keys.`,
  });
  // The view's tool list never changes (a change makes a new runtime): serialised once, on first use.
  let toolList: SerializedResult | undefined;
  const transport = new ExchangeTransport<CallerInfo>({
    'tools/list': () => (toolList ??= new SerializedResult(JSON.stringify(runtime.listResult))),
    'tools/call': (params, caller) => {
      const name = params?.name;
      const args = params?.arguments;
      if (typeof name !== 'string') throw invalidParams('"name" must be a string.');
      if (args !== undefined && !isPlainObject(args)) throw invalidParams('"arguments" must be an object.');
      return callTool(runtime, deps, name, args, caller).then((result) =>
        result instanceof SerializedResult ? result : new SerializedResult(toolResultJson(result)),
      );
    },
  });
  // connect() only wires callbacks and starts the transport, which has nothing to start.
  void server.connect(transport);
  return { exchange: (body, headers, caller) => transport.exchange(body, headers, caller) };
}
