// The MCP endpoint a client holds: POST /mcp/<token>, Streamable HTTP, stateless, JSON answers.
import type { FastifyError, FastifyInstance, FastifyReply, LogLevel } from 'fastify';
import { checkAccessKey, forwardedHeaders, presentedKey, viewForKey, type KeyGrant } from '../../modules/mcp/access.js';
import { mcpEndpointFor } from '../../modules/mcp/index.js';
import { jsonRpcError, type ExchangeAnswer } from '../../modules/mcp/exchange-transport.js';
import { looksLikeUrlToken } from '../../modules/workspaces/url-token.js';

function answer(reply: FastifyReply, result: ExchangeAnswer) {
  reply.code(result.status);
  if (result.body === undefined) return reply.send();
  return reply.type('application/json').send(result.body);
}

export default async function mcpRoutes(app: FastifyInstance) {
  // Every call is already recorded in the call log; per-request access lines would double the
  // hot path's logging, so they show only at LOG_LEVEL=debug.
  const level = app.log.level as LogLevel;
  const logLevel: LogLevel = level === 'trace' || level === 'debug' ? level : 'warn';

  // Errors on this path are answered as JSON-RPC, which is what MCP clients can read.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
      return answer(reply, jsonRpcError(400, -32700, 'Parse error: the body is not valid JSON'));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return answer(reply, jsonRpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json'));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return answer(reply, jsonRpcError(413, -32000, 'Request body too large'));
    request.log.error({ err }, 'MCP request failed');
    return answer(reply, jsonRpcError(500, -32603, 'Internal error; the gateway log has the details.'));
  });

  app.post<{ Params: { token: string } }>('/mcp/:token', { logLevel, bodyLimit: 4 * 1024 * 1024 }, async (request, reply) => {
    const { token } = request.params;
    const target = looksLikeUrlToken(token) ? app.gateway.resolve(token) : undefined;
    if (!target) return answer(reply, jsonRpcError(404, -32001, 'No workspace at this URL: it may have been rotated or deleted.'));
    const { workspace } = target;

    // Access is decided before any tool code runs: a refused request never reaches the upstream.
    let grant: KeyGrant | undefined;
    const presented = presentedKey(request.headers);
    if (workspace.access === 'keys') {
      const check = checkAccessKey(workspace.keys, presented.key, Date.now());
      if (!check.ok) {
        reply.header('www-authenticate', `Bearer realm="latchkey", error="invalid_token", error_description="${check.reason.replace(/"/g, "'")}"`);
        return answer(reply, jsonRpcError(401, -32001, check.reason));
      }
      grant = check.grant;
      app.gateway.touchKey(grant.id);
    }
    const limiter = app.gateway.rateLimiter;
    const limits = [limiter.take(`ws:${workspace.workspaceId}`, workspace.rateLimit), ...(grant ? [limiter.take(`key:${grant.id}`, workspace.rateLimit)] : [])];
    const limited = limits.find((d) => !d.ok);
    if (limited) {
      reply.header('retry-after', String(limited.retryAfterSeconds));
      return answer(reply, jsonRpcError(429, -32000, `Rate limit exceeded (${workspace.rateLimit} calls per minute); retry after ${limited.retryAfterSeconds} s.`));
    }
    // With a key, the key's environment decides; otherwise the URL's.
    const runtime = workspace.environments.get(grant?.environment ?? target.environment);
    if (!runtime) return answer(reply, jsonRpcError(404, -32001, `This workspace has no "${grant?.environment}" environment.`));
    const view = grant ? viewForKey(runtime, grant) : runtime;

    const accept = request.headers.accept;
    if (accept && !/application\/json|\*\/\*/.test(accept)) {
      return answer(reply, jsonRpcError(406, -32000, 'Not Acceptable: this endpoint answers with application/json'));
    }
    if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) return answer(reply, jsonRpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json'));

    // One server per workspace view, shared by every exchange; the caller travels with the exchange.
    const caller = {
      caller: grant?.id ?? 'url',
      callerLabel: grant?.label,
      userAgent: request.headers['user-agent'],
      forwarded: runtime.passthrough ? forwardedHeaders(request.headers, presented.fromAuthorization && grant !== undefined) : undefined,
    };
    return answer(reply, await mcpEndpointFor(view, app.gateway.callDeps).exchange(request.body, request.headers, caller));
  });

  // Stateless: there is no server-initiated stream to open (GET) and no session to end (DELETE).
  const notAllowed = async (_request: unknown, reply: FastifyReply) => {
    reply.header('allow', 'POST');
    return answer(reply, jsonRpcError(405, -32000, 'Method not allowed: this endpoint is stateless, send JSON-RPC with POST.'));
  };
  app.get('/mcp/:token', notAllowed);
  app.delete('/mcp/:token', notAllowed);
}
