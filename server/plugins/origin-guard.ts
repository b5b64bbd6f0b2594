// Origin and Host validation in front of /mcp and /api (modules/shared/origin-policy.ts says why
// and how): a refused request is answered 403 before its body is read or any route runs.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createOriginPolicy } from '../modules/shared/origin-policy.js';
import { jsonRpcError } from '../modules/mcp/exchange-transport.js';

async function originGuard(app: FastifyInstance) {
  const check = createOriginPolicy({
    listenHost: app.config.host,
    publicUrl: app.config.publicUrl,
    allowedOrigins: app.config.allowedOrigins,
  });
  app.addHook('onRequest', async (request, reply) => {
    const { url } = request;
    const mcp = url.startsWith('/mcp/') || url === '/register';
    if (!mcp && !url.startsWith('/api/')) return;
    const verdict = check({ origin: request.headers.origin, host: request.headers.host });
    if (verdict.ok) return;
    if (mcp) {
      app.metrics.refused('forbidden_origin');
      const refused = jsonRpcError(403, -32000, verdict.message);
      return reply.code(403).type('application/json').send(refused.body);
    }
    return reply.code(403).send({ error: { code: 'LK_ORIGIN_FORBIDDEN', message: verdict.message } });
  });
}

export default fp(originGuard, { name: 'origin-guard', dependencies: ['config', 'metrics'] });
