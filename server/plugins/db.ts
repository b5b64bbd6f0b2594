import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { openDb, type OpenedDb } from '../db/client.js';
import { createRepositories, type Repositories } from '../db/repositories/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: OpenedDb;
    repos: Repositories;
  }
}

async function dbPlugin(app: FastifyInstance) {
  // Migrations run here, before any route can answer: /healthz is only ready after them.
  const opened = openDb(app.config.dataDir);
  app.decorate('database', opened);
  app.decorate('repos', createRepositories(opened.db));
  app.addHook('onClose', async () => opened.close());
}

export default fp(dbPlugin, { name: 'db', dependencies: ['config'] });
