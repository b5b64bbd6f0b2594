export { buildWorkspaceRuntime, type RuntimeInput, type RuntimeTool, type WorkspaceRuntime } from './workspace-runtime.js';
export { callTool, type CallDeps, type CallRecord, type CallerInfo } from './call-tool.js';
export { createWorkspaceMcpServer, SERVER_INFO } from './mcp-server.js';
