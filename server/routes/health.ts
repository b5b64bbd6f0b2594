import type { FastifyInstance } from 'fastify';

const Status = {
  type: 'object',
  properties: { status: { type: 'string' }, database: { type: 'string' }, message: { type: 'string' } },
} as const;

export default async function healthRoutes(app: FastifyInstance) {
  // Alive: registered after the db plugin, so answering at all means migrations have applied. It
  // touches nothing else, so a load balancer's liveness check never waits on the database.
  app.get('/healthz', { schema: { response: { 200: Status } } }, async () => ({ status: 'ok' }));

  // Ready to take any request: the database answers. A node that lost it still serves workspaces
  // it has in memory, but a load balancer should prefer the nodes that have it.
  app.get('/readyz', { logLevel: 'warn', schema: { response: { 200: Status, 503: Status } } }, async (request, reply) => {
    try {
      await app.store.ping(2000);
      return { status: 'ready', database: 'ok' };
    } catch (err) {
      request.log.warn({ reason: (err as Error).message }, 'readiness: the database does not answer');
      reply.code(503);
      return {
        status: 'unavailable',
        database: 'unreachable',
        message: 'The database does not answer; this node serves only the workspaces it has in memory.',
      };
    }
  });
}
