export { buildWorkspaceRuntime, type RuntimeInput, type RuntimeTool, type WorkspaceRuntime } from './workspace-runtime.js';
export { callTool, type CallDeps, type CallRecord, type CallerInfo } from './call-tool.js';
export { mcpEndpointFor, SERVER_INFO, type McpEndpoint } from './mcp-server.js';
