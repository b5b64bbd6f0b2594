// The admin REST API. The session routes (console sign-in) are open; one guard covers everything
// else: the admin token as a bearer header, or the console's session cookie.
import type { FastifyInstance } from 'fastify';
import authRoutes from './auth.js';
import environmentsRoutes from './environments.js';
import keysRoutes from './keys.js';
import logsRoutes from './logs.js';
import oauthRoutes from './oauth.js';
import sessionRoutes from './session.js';
import specRoutes from './spec.js';
import toolsRoutes from './tools.js';
import toolsetsRoutes from './toolsets.js';
import workspacesRoutes from './workspaces.js';

async function guardedRoutes(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => app.adminAuth.requireAdmin(request));
  await app.register(workspacesRoutes);
  await app.register(specRoutes);
  await app.register(toolsRoutes);
  await app.register(authRoutes);
  await app.register(logsRoutes);
  await app.register(environmentsRoutes);
  await app.register(keysRoutes);
  await app.register(toolsetsRoutes);
  await app.register(oauthRoutes);
}

export default async function apiRoutes(app: FastifyInstance) {
  await app.register(sessionRoutes);
  await app.register(guardedRoutes);
}
