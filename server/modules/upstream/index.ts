// The upstream caller: from a validated tool call to the HTTP request, over pooled connections, to
// an MCP tool result. Plain TypeScript; the gateway plugin owns the one client instance.
export { compileArgumentValidator, type ArgumentValidator } from './validate-arguments.js';
export { buildUpstreamRequest, DEFAULT_ACCEPT, type UpstreamTarget } from './build-request.js';
export { createUpstreamClient, type SendOptions, type UpstreamClient, type UpstreamClientOptions } from './upstream-client.js';
export {
  resultExcerpt,
  serializeToolResult,
  toToolResult,
  toolResultJson,
  RESPONSE_RESOURCE_URI,
  type SerializedToolResult,
  type ToolResultOptions,
} from './tool-result.js';
export { serializeToolResultOffThread } from './tool-result-off-thread.js';
export { compileFilter, RESPONSE_FILTER_ARG, type ResponseShape } from './response-shape.js';
export { maskUrl, redactSecrets, secretForms, secretValues, withSecrets, MASK } from './mask.js';
export { DEFAULT_PASSTHROUGH_HEADERS, forwardingProblem, passthroughHeaderNames, passthroughHeaders } from './passthrough-headers.js';
export {
  InvalidArgument,
  ResultThreadStopped,
  UpstreamAborted,
  UpstreamModuleError,
  UpstreamTimeout,
  UpstreamUnreachable,
} from './errors.js';
export type { UpstreamCredentials, UpstreamRequest, UpstreamResponse } from './types.js';
