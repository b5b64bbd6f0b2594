// Serves the console's build (web/dist) at /. Before a build exists, a short page says how to get one.
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function webDist(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'web', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Latchkey</title></head>
<body><h1>Latchkey</h1><p>The gateway is running. The web console has not been built: run <code>npm start</code>, which builds it.</p>
<p>The admin API is under <code>/api</code>; see the README.</p></body></html>`;

async function webPlugin(app: FastifyInstance) {
  const root = webDist();
  if (root) {
    await app.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
  }
}

export default fp(webPlugin, { name: 'web' });
