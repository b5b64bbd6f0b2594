// The MCP endpoint a client holds: POST /mcp/<token>, Streamable HTTP, stateless.
import type { FastifyInstance, FastifyReply, LogLevel } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createWorkspaceMcpServer } from '../../modules/mcp/index.js';
import { looksLikeUrlToken } from '../../modules/workspaces/url-token.js';

function jsonRpcError(reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).type('application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export default async function mcpRoutes(app: FastifyInstance) {
  // Every call is already recorded in the call log; per-request access lines would double the
  // hot path's logging, so they show only at LOG_LEVEL=debug.
  const level = app.log.level as LogLevel;
  const logLevel: LogLevel = level === 'trace' || level === 'debug' ? level : 'warn';
  app.post<{ Params: { token: string } }>('/mcp/:token', { logLevel }, async (request, reply) => {
    const { token } = request.params;
    const runtime = looksLikeUrlToken(token) ? app.gateway.runtimeForToken(token) : undefined;
    if (!runtime) return jsonRpcError(reply, 404, -32001, 'No workspace at this URL: it may have been rotated or deleted.');

    const server = createWorkspaceMcpServer(runtime, app.gateway.callDeps, {
      caller: 'url',
      userAgent: request.headers['user-agent'],
    });
    // A fresh transport per request: the SDK's stateless mode cannot share one across requests.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // hijack before handing over: the transport writes reply.raw itself.
    reply.hijack();
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });

  // Stateless: there is no server-initiated stream to open (GET) and no session to end (DELETE).
  const notAllowed = async (_request: unknown, reply: FastifyReply) => {
    reply.header('allow', 'POST');
    return jsonRpcError(reply, 405, -32000, 'Method not allowed: this endpoint is stateless, send JSON-RPC with POST.');
  };
  app.get('/mcp/:token', notAllowed);
  app.delete('/mcp/:token', notAllowed);
}
