// The MCP server for one workspace. Stateless: a fresh Server and transport per HTTP request, so
// any gateway process can answer any request; everything they need comes from the runtime.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { callTool, type CallDeps, type CallerInfo } from './call-tool.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';

export const SERVER_INFO = { name: 'latchkey', version: '0.1.0' };

export function createWorkspaceMcpServer(runtime: WorkspaceRuntime, deps: CallDeps, caller: CallerInfo): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: `Tools for the "${runtime.name}" API, served by Latchkey. Credentials are added by the gateway: never ask the user for API keys.`,
  });
  server.setRequestHandler(ListToolsRequestSchema, () => runtime.listResult);
  server.setRequestHandler(CallToolRequestSchema, (request) =>
    callTool(runtime, deps, request.params.name, request.params.arguments, caller),
  );
  return server;
}
