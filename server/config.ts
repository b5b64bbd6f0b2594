// The only module that reads process.env. Everything is validated once, at start-up, so a bad
// setting stops the process with one readable line instead of failing on the first request.
import { isIP } from 'node:net';
import path from 'node:path';
import { normalizeOrigin } from './modules/shared/origin-policy.js';
import type { SamplerName, TracingSettings } from './modules/telemetry/tracing.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PUBLIC_URL as set; when unset, the gateway derives it from the address it listens on. */
  publicUrl?: string;
  /** 32 bytes, or undefined: then DATA_DIR/master.key is used (and generated on first start). */
  masterKey?: Buffer;
  /** When set, the admin token; otherwise one is generated on first start. */
  adminToken?: string;
  maxResponseBytes: number;
  maxSpecBytes: number;
  upstreamTimeoutMs: number;
  /** SIGTERM: how long in-flight calls may finish before those still waiting are answered with an error (default: the upstream timeout and 2 s). */
  shutdownGraceMs: number;
  /** GET /metrics answers a bearer of this token; unset: metrics are off on the main port. */
  metricsToken?: string;
  /** Set: /metrics is also served, without a token, on this port of HOST (for a scraper inside the network). */
  metricsPort?: number;
  /** MCP requests per minute per workspace and per access key; 0: no limit. */
  rateLimit: number;
  /**
   * Which proxies' X-Forwarded-For to believe (Fastify's trustProxy): false (the default: the
   * socket's address is the client's), true (any), or addresses, CIDR ranges and keywords.
   */
  trustProxy: boolean | string[];
  logLevel: LogLevel;
  /**
   * LATCHKEY_ALLOW_PRIVATE_NETWORKS: spec fetches may reach loopback, private and link-local
   * addresses, and upstream host names may resolve to them. Default false.
   */
  allowPrivateNetworks: boolean;
  /**
   * LATCHKEY_MAX_CALLS_IN_FLIGHT: tools/call running at once per workspace, across its callers.
   * Each may hold a response of up to maxResponseBytes and the result built from it.
   */
  maxCallsInFlight: number;
  /**
   * DATABASE_URL: `postgres://…` selects PostgreSQL, shared by every gateway node; unset: SQLite in
   * DATA_DIR. It may hold a password: it is never logged or shown.
   */
  databaseUrl?: string;
  /** LATCHKEY_LOG_RETENTION_DAYS: call-log rows older than this are pruned in the background; 0 keeps them. */
  logRetentionDays: number;
  /** LATCHKEY_ALLOWED_ORIGINS: web origins besides PUBLIC_URL's whose pages may call /mcp and /api. */
  allowedOrigins: string[];
  /** OpenTelemetry traces (the OTEL_* variables); undefined: off. */
  tracing?: Omit<TracingSettings, 'serviceVersion'>;
}

/** A setting that cannot be used. Its message is the one line printed before exiting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function masterKeyFrom(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    throw new ConfigError('LATCHKEY_MASTER_KEY must be base64 of 32 random bytes (try: openssl rand -base64 32).');
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`LATCHKEY_MASTER_KEY must decode to 32 bytes, got ${key.length} (try: openssl rand -base64 32).`);
  }
  return key;
}

// proxy-addr's names for ranges, accepted beside addresses and CIDR ranges.
const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxyFrom(raw: string | undefined): boolean | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  // `true` trusts every hop: only right when nothing can reach the gateway but the proxy.
  if (value === 'true') return true;
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_KEYWORDS.has(entry) && (family === 0 || !bitsOk || extra !== undefined)) {
      throw new ConfigError(
        `LATCHKEY_TRUST_PROXY must be true, false, or the proxies' addresses/CIDR ranges (e.g. "127.0.0.1,10.0.0.0/8" or "loopback"), got "${raw}".`,
      );
    }
  }
  return entries;
}

/** The default PUBLIC_URL, `http://HOST:PORT`, once the real port is known (PORT=0 picks one). */
export function defaultPublicUrl(host: string, port: number): string {
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${port}`;
}

const SAMPLERS: SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `name=value` pairs, comma-separated, values URL-encoded (the OTLP exporter variables' format). */
function otlpHeaders(raw: string | undefined, name: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const mark = pair.indexOf('=');
    if (mark <= 0) throw new ConfigError(`${name} takes name=value pairs separated by commas (values URL-encoded).`);
    const header = pair.slice(0, mark).trim();
    // Caught here rather than by the exporter, which would drop every span without a word.
    if (!HEADER_NAME.test(header)) throw new ConfigError(`${name} names a header that is not a valid HTTP header name: "${header}".`);
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(mark + 1).trim());
    } catch {
      throw new ConfigError(`${name} has a value that is not URL-encoded correctly.`);
    }
    if (/[\r\n\0]/.test(value)) throw new ConfigError(`${name} has a value with a line break or NUL in it.`);
    headers[header] = value;
  }
  return headers;
}

/**
 * OpenTelemetry traces, by the standard OTEL_* variables: on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * (used as it is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces) is set, unless OTEL_SDK_DISABLED=true
 * or OTEL_TRACES_EXPORTER=none.
 */
function tracingFrom(env: Env): Config['tracing'] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!tracesEndpoint && !base) return undefined;
  const url = tracesEndpoint || `${base!.replace(/\/+$/, '')}/v1/traces`;
  const which = tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ConfigError(
      `${which} must be an http(s) URL (OTLP over HTTP) such as http://otel-collector:4318, got "${tracesEndpoint || base}".`,
    );
  }
  const sampler = (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on') as SamplerName;
  if (!SAMPLERS.includes(sampler)) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got "${env.OTEL_TRACES_SAMPLER}".`);
  }
  const argText = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const samplerArg = argText ? Number(argText) : 1;
  if (!(samplerArg >= 0 && samplerArg <= 1))
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${argText}".`);
  return {
    url,
    headers: {
      ...otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...otlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'latchkey',
    sampler,
    samplerArg,
    scheduleDelayMs: integer(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, 0, 600_000),
  };
}

/** LATCHKEY_ALLOWED_ORIGINS: web origins (scheme://host[:port]) whose pages may call /mcp and /api. */
function allowedOriginsFrom(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const origin = normalizeOrigin(entry);
      // An origin only: no path, query or credentials (a browser's Origin header never has them).
      const url = origin === undefined ? undefined : new URL(entry);
      if (!url || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
        throw new ConfigError(
          `LATCHKEY_ALLOWED_ORIGINS takes web origins such as https://app.example.com or http://localhost:5173, comma-separated; got "${entry}".`,
        );
      }
      return url.origin;
    });
}

function publicUrlFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${raw}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must start with http:// or https://, got "${raw}".`);
  }
  return url.toString().replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}".`);
  }
  const adminToken = env.LATCHKEY_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('LATCHKEY_ADMIN_TOKEN must be at least 16 characters long.');
  }
  const upstreamTimeoutMs = integer(env, 'LATCHKEY_UPSTREAM_TIMEOUT_MS', 30_000, 100, 10 * 60_000);
  const metricsToken = env.LATCHKEY_METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16)
    throw new ConfigError('LATCHKEY_METRICS_TOKEN must be at least 16 characters long.');
  const metricsPort = env.LATCHKEY_METRICS_PORT?.trim() ? integer(env, 'LATCHKEY_METRICS_PORT', 0, 0, 65_535) : undefined;
  return {
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    publicUrl: publicUrlFrom(env.PUBLIC_URL),
    masterKey: masterKeyFrom(env.LATCHKEY_MASTER_KEY),
    adminToken,
    maxResponseBytes: integer(env, 'LATCHKEY_MAX_RESPONSE_BYTES', 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxSpecBytes: integer(env, 'LATCHKEY_MAX_SPEC_BYTES', 64 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    upstreamTimeoutMs,
    // Covers the longest a call may wait on its upstream, so a shutdown cuts no call short by default.
    shutdownGraceMs: integer(env, 'LATCHKEY_SHUTDOWN_GRACE_MS', upstreamTimeoutMs + 2_000, 0, 30 * 60_000),
    metricsToken,
    metricsPort,
    rateLimit: integer(env, 'LATCHKEY_RATE_LIMIT', 1200, 0, 1_000_000),
    trustProxy: trustProxyFrom(env.LATCHKEY_TRUST_PROXY),
    logLevel,
    allowPrivateNetworks: booleanFrom(env, 'LATCHKEY_ALLOW_PRIVATE_NETWORKS', false),
    maxCallsInFlight: integer(env, 'LATCHKEY_MAX_CALLS_IN_FLIGHT', 16, 1, 10_000),
    databaseUrl: databaseUrlFrom(env.DATABASE_URL),
    logRetentionDays: integer(env, 'LATCHKEY_LOG_RETENTION_DAYS', 30, 0, 36_500),
    allowedOrigins: allowedOriginsFrom(env.LATCHKEY_ALLOWED_ORIGINS),
    tracing: tracingFrom(env),
  };
}

function databaseUrlFrom(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not quoted: it may hold a password.
    throw new ConfigError('DATABASE_URL must be a URL such as postgres://user:password@host:5432/latchkey.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// (PostgreSQL); got a ${url.protocol}// URL. Leave it unset for the embedded SQLite database in DATA_DIR.`,
    );
  }
  return value;
}

function booleanFrom(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}".`);
}
