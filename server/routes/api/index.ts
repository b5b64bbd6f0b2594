// The admin REST API. One guard for the whole folder: every route below needs the admin token.
import type { FastifyInstance } from 'fastify';
import authRoutes from './auth.js';
import logsRoutes from './logs.js';
import specRoutes from './spec.js';
import toolsRoutes from './tools.js';
import workspacesRoutes from './workspaces.js';

export default async function apiRoutes(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => app.adminAuth.requireAdmin(request));
  await app.register(workspacesRoutes);
  await app.register(specRoutes);
  await app.register(toolsRoutes);
  await app.register(authRoutes);
  await app.register(logsRoutes);
}
