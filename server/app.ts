// Builds the Fastify app from its plugins and routes. server.ts adds the process around it.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import { stdSerializers } from 'pino';
import type { Config } from './config.js';
import { isDatabaseUnavailable } from './db/client.js';
import type { DetailedError } from './errors.js';
import adminAuth from './plugins/admin-auth.js';
import configPlugin from './plugins/config.js';
import dbPlugin from './plugins/db.js';
import gateway from './plugins/gateway.js';
import housekeeping from './plugins/housekeeping.js';
import metricsPlugin from './plugins/metrics.js';
import vaultPlugin from './plugins/vault.js';
import originGuard from './plugins/origin-guard.js';
import tracingPlugin from './plugins/tracing.js';
import web from './plugins/web.js';
import apiRoutes from './routes/api/index.js';
import healthRoutes from './routes/health.js';
import metricsRoutes from './routes/metrics.js';
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
  /** The clock expiries are measured by; Date.now unless a test brings its own (see plugins/config.ts). */
  now?: () => number;
}

const MASK = '****';
/** 20 or more letters and digits in a row (each may be percent-encoded): the shape of every token. */
const TOKEN_RUN = /(?:[A-Za-z0-9]|%[0-9A-Fa-f]{2}){20,}/g;
/** Query parameter names shown as they are; anything else in a query is masked whole. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.[\]-]{0,39}$/;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The path as logs show it, decoded (so an encoded token is seen whole): after `/mcp/`, in any
 * case, only the workspace slug is kept (the rest of the URL token and whatever a near-miss added
 * to it: `.json`, `%20`, `;x`); elsewhere, anything shaped like a token is masked.
 */
function maskPath(raw: string): string {
  let path = safeDecode(raw);
  const mcp = /\/mcp\//i.exec(path);
  if (mcp) {
    const start = mcp.index + mcp[0].length;
    const slug = /^([a-z0-9-]*)-/i.exec(path.slice(start))?.[1];
    if (start < path.length) path = `${path.slice(0, start)}${slug ? `${slug}-` : ''}${MASK}`;
  }
  return path.replace(TOKEN_RUN, MASK);
}

/** Every value masked: a key sent as `?key=`, an admin token as `?token=`, an OAuth code or state. */
function maskQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      if (pair === '') return pair;
      const mark = pair.indexOf('=');
      const name = mark === -1 ? '' : pair.slice(0, mark);
      if (!PLAIN_NAME.test(name)) return MASK;
      return mark === pair.length - 1 ? pair : `${name}=${MASK}`;
    })
    .join('&');
}

/**
 * Request URLs as logs show them: the MCP URL token is a credential (only its slug is shown), and
 * so may be any query value (an access key, the admin token, the OAuth callback's code and state).
 */
export function maskRequestUrl(url: string): string {
  const cut = url.search(/[?#]/);
  if (cut === -1) return maskPath(url);
  return `${maskPath(url.slice(0, cut))}${url[cut]}${maskQuery(url.slice(cut + 1))}`;
}

/** Every path-and-query in free text (an error message, a stack) as maskRequestUrl shows it. */
export function maskUrlsInText(text: string): string {
  return text.replace(/\/[^\s'"`<>]*/g, (url) => maskRequestUrl(url));
}

export function loggerOptions(config: Config) {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, url: maskRequestUrl(req.url), remoteAddress: req.ip };
      },
      // An error's text may quote the URL it failed on (Fastify's bad-URL error does).
      err(err: Error) {
        const shown = stdSerializers.err(err);
        shown.message = maskUrlsInText(shown.message);
        if (shown.stack) shown.stack = maskUrlsInText(shown.stack);
        return shown;
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

  await app.register(configPlugin, { config: opts.config, now: opts.now });
  await app.register(dbPlugin);
  await app.register(metricsPlugin);
  await app.register(originGuard);
  await app.register(tracingPlugin);
  await app.register(vaultPlugin);
  await app.register(cookie);
  await app.register(adminAuth);
  await app.register(gateway);
  await app.register(housekeeping);
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
    } else if (status >= 500 && isDatabaseUnavailable(err)) {
      // Said as what it is: the admin API needs the database; MCP calls to loaded workspaces do not.
      request.log.error({ err }, 'request failed: the database does not answer');
      status = 503;
      code = 'LK_DATABASE_UNAVAILABLE';
      message =
        'The database does not answer right now, so this change or lookup cannot be made; retry shortly. MCP calls to workspaces this node has loaded keep working.';
      reply.header('retry-after', '5');
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
  await app.register(metricsRoutes);
  await app.register(apiRoutes, { prefix: '/api' });
  await app.register(mcpRoutes);
  await app.register(oauthCallbackRoutes);
  await app.register(web);
  return app;
}
