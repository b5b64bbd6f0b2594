import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '../db/client.js';
import { createRepositories, type Repositories } from '../db/repositories/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    repos: Repositories;
  }
}

async function dbPlugin(app: FastifyInstance) {
  // Migrations run here, before any route can answer: /healthz is only ready after them.
  const store = await openStore(app.config, { watch: true, onError: (err, what) => app.log.warn({ err }, `${what} failed`) });
  app.log.info(`data in ${store.description}`);
  app.decorate('store', store);
  app.decorate('repos', createRepositories(store));
  app.addHook('onClose', async () => store.close());
}

export default fp(dbPlugin, { name: 'db', dependencies: ['config'] });
