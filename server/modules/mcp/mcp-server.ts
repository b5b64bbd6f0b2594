// The MCP server for one workspace. Stateless: a fresh Server and transport per HTTP request, so
// any gateway process can answer any request; everything they need comes from the runtime.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { callTool, type CallDeps, type CallerInfo } from './call-tool.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';

export const SERVER_INFO = { name: 'latchkey', version: '0.1.0' };

// The SDK builds a new Ajv (with formats) per Server unless given one: per request, that was the
// largest cost of a tool call. One instance serves every request.
const sharedValidator = new AjvJsonSchemaValidator();

export function createWorkspaceMcpServer(runtime: WorkspaceRuntime, deps: CallDeps, caller: CallerInfo): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    jsonSchemaValidator: sharedValidator,
    instructions: `Tools for "${runtime.name}", served by Latchkey. Credentials are added by the gateway: never ask the user for API keys.`,
  });
  server.setRequestHandler(ListToolsRequestSchema, () => runtime.listResult);
  server.setRequestHandler(CallToolRequestSchema, (request) =>
    callTool(runtime, deps, request.params.name, request.params.arguments, caller),
  );
  return server;
}
