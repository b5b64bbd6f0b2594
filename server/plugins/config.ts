import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { defaultPublicUrl, type Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** PUBLIC_URL, or http://HOST:PORT once the gateway listens (PORT=0 picks the port then). */
    publicUrl(): string;
    /**
     * The clock expiries are measured by (OAuth tokens, access keys, console sessions, sign-in
     * lock-outs, rate-limit windows): Date.now, or a clock a test moves instead of waiting for
     * time to pass (buildApp's `now`).
     */
    now(): number;
  }
}

async function configPlugin(app: FastifyInstance, opts: { config: Config; now?: () => number }) {
  app.decorate('config', opts.config);
  app.decorate('now', opts.now ?? Date.now);
  app.decorate('publicUrl', function publicUrl(this: FastifyInstance) {
    if (opts.config.publicUrl) return opts.config.publicUrl;
    const address = app.server.address();
    const port = address && typeof address === 'object' ? address.port : opts.config.port;
    return defaultPublicUrl(opts.config.host, port);
  });
}

export default fp(configPlugin, { name: 'config' });
