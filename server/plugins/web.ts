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

// The console needs nothing from elsewhere: everything is bundled, so the policy can be strict.
// Styles allow 'unsafe-inline' for React's style attributes; scripts stay 'self' only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Client-side routes of the console: a reload there must get the app, not a 404. */
const CONSOLE_ROUTES = ['/workspaces', '/workspaces/*'];

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // The page shows MCP URLs, which are credentials: never leak them in a Referer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

async function webPlugin(app: FastifyInstance) {
  const root = webDist();
  if (!root) {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders(reply, filePath) {
      if (filePath.endsWith('.html')) reply.headers(PAGE_HEADERS);
      // Vite puts a content hash in every asset's name: a changed file is a new URL.
      else if (filePath.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      else reply.header('cache-control', 'no-cache');
    },
  });
  for (const route of CONSOLE_ROUTES) {
    app.get(route, async (_request, reply) => {
      return reply.headers(PAGE_HEADERS).sendFile('index.html');
    });
  }
}

export default fp(webPlugin, { name: 'web' });
