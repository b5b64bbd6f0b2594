// GET /metrics on the main port: Prometheus text for a bearer of LATCHKEY_METRICS_TOKEN. Off (404
// saying how to turn it on) when no token is set; the admin token does not open it, so a scraper's
// credential can be handed out without the keys to the gateway.
import type { FastifyInstance } from 'fastify';
import { sameSecretText } from '../modules/oauth/pkce.js';

export default async function metricsRoutes(app: FastifyInstance) {
  const token = app.config.metricsToken;
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (token === undefined) {
      return reply.code(404).send({
        error: {
          code: 'LK_METRICS_OFF',
          message:
            'Metrics are off on this port: set LATCHKEY_METRICS_TOKEN and scrape with it as a bearer token, or set LATCHKEY_METRICS_PORT.',
        },
      });
    }
    const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined || !sameSecretText(presented, token)) {
      reply.header('www-authenticate', 'Bearer realm="latchkey-metrics"');
      return reply.code(401).send({
        error: { code: 'LK_METRICS_UNAUTHORIZED', message: 'GET /metrics needs "Authorization: Bearer <LATCHKEY_METRICS_TOKEN>".' },
      });
    }
    reply.type(app.metrics.contentType);
    return app.metrics.render();
  });
}
