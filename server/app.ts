// Builds the Fastify app from its plugins and routes. server.ts adds the process around it.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { Config } from './config.js';
import type { DetailedError } from './errors.js';
import adminAuth from './plugins/admin-auth.js';
import configPlugin from './plugins/config.js';
import dbPlugin from './plugins/db.js';
import gateway from './plugins/gateway.js';
import vaultPlugin from './plugins/vault.js';
import web from './plugins/web.js';
import apiRoutes from './routes/api/index.js';
import healthRoutes from './routes/health.js';
import mcpRoutes from './routes/mcp/index.js';
import oauthCallbackRoutes from './routes/oauth-callback.js';

/** Header and field names whose values pino must never write. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-latchkey-key"]',
  'res.headers["set-cookie"]',
  '*.secret',
  '*.token',
  '*.password',
  '*.value',
];

export interface BuildOptions {
  config: Config;
  /** Passed to Fastify as `logger`: pino options or an instance (tests capture output this way). */
  logger?: FastifyServerOptions['logger'];
  loggerInstance?: FastifyServerOptions['loggerInstance'];
}

/**
 * Request URLs as logs show them: the MCP URL token is a credential (only its slug is shown), and
 * the OAuth callback's code and state are too.
 */
export function maskRequestUrl(url: string): string {
  if (url.startsWith('/oauth/callback')) return url.replace(/([?&](?:code|state)=)[^&#]*/g, '$1****');
  return url.replace(/^\/mcp\/([a-z0-9-]*?)-?[a-z2-7]{20,}(?=$|[/?#])/, (_m, slug: string) => `/mcp/${slug}-****`);
}

export function loggerOptions(config: Config) {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, url: maskRequestUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: opts.logger ?? loggerOptions(opts.config) }),
    requestTimeout: 120_000,
    // Behind a reverse proxy every client would otherwise share the proxy's address: one caller's
    // failed sign-ins would lock everybody out, and logs would show only the proxy.
    trustProxy: opts.config.trustProxy,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  await app.register(configPlugin, { config: opts.config });
  await app.register(dbPlugin);
  await app.register(vaultPlugin);
  await app.register(cookie);
  await app.register(adminAuth);
  await app.register(gateway);
  await app.register(multipart, { limits: { files: 1, fields: 5 } });

  app.setErrorHandler((err: FastifyError & DetailedError & { headers?: Record<string, string> }, request, reply) => {
    let status = err.statusCode ?? 500;
    let code = err.code ?? 'LK_INTERNAL';
    let message = err.message;
    if (err.validation) {
      status = 400;
      code = 'LK_BAD_REQUEST';
      message = `Invalid request: ${err.message}`;
    } else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_REQ_FILE_TOO_LARGE') {
      status = 413;
      code = 'LK_BODY_TOO_LARGE';
      message = 'The request body is larger than this endpoint accepts.';
    } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415;
      code = 'LK_UNSUPPORTED_MEDIA_TYPE';
      message = 'Send JSON (Content-Type: application/json) or multipart/form-data.';
    } else if (status >= 500) {
      // 5xx details stay in the log; the client gets a generic message.
      request.log.error({ err }, 'request failed');
      code = 'LK_INTERNAL';
      message = 'Internal error; the gateway log has the details.';
    } else if (!code.startsWith('LK_')) {
      code = 'LK_BAD_REQUEST';
    }
    const body: { error: { code: string; message: string; details?: unknown } } = { error: { code, message } };
    if (err.details) body.error.details = err.details;
    // e.g. Retry-After on a 429; 5xx errors carry none of their own.
    if (err.headers && status < 500) reply.headers(err.headers);
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'LK_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}.` } }),
  );

  await app.register(healthRoutes);
  await app.register(apiRoutes, { prefix: '/api' });
  await app.register(mcpRoutes);
  await app.register(oauthCallbackRoutes);
  await app.register(web);
  return app;
}
