// The bundled upstream API: what users point the gateway at to try it, and what integration
// tests and the benchmark start in-process. Plain node:http so that, as the benchmark's baseline,
// it adds as little as possible of its own.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routeApi } from './api-routes.js';
import { randomBytes } from 'node:crypto';
import { createAuthScheme, generateKey, isAuthMode, keyProblem, type AuthMode, type AuthScheme } from './auth.js';
import { readBody, sendError, sendJson, sendRawJson } from './http-io.js';
import {
  createOAuthServer,
  DEFAULT_TOKEN_TTL_SECONDS,
  DISCOVERY_MODES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type DiscoveryMode,
  type OAuthServer,
  type OAuthStats,
  type TokenEndpointAuthMethod,
} from './oauth/oauth-server.js';
import { buildOpenApiDocument } from './openapi.js';
import { ECHO_PATH, sendEcho } from './echo.js';
import { CONFORMANCE_PREFIX, sendConformance } from './conformance.js';
import { Store } from './store.js';

export type { AuthMode } from './auth.js';
export type { DiscoveryMode, OAuthStats, TokenEndpointAuthMethod } from './oauth/oauth-server.js';

export interface TestServerOptions {
  mode: AuthMode;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Also serve GET /api/echo (see echo.ts), which reflects the request back. Off by default: the API has five operations. */
  echo?: boolean;
  /** Also serve GET /api/conformance/* (see conformance.ts): the MCP conformance suite's fixture tools. */
  conformance?: boolean;
  /** Default 127.0.0.1: the server is for local use and should not be reachable from elsewhere. */
  host?: string;
  /** Generated (`ts_…`) when absent; ignored in modes `none` and `oauth`. */
  key?: string;
  // The rest only matter in mode `oauth`.
  /** Access-token lifetime in whole seconds; default 3600. */
  tokenTtlSeconds?: number;
  /** `oauth` (default) serves RFC 8414 metadata; `openid` serves it only at /.well-known/openid-configuration. */
  discovery?: DiscoveryMode;
  /** The pre-registered confidential client; generated when absent. */
  clientId?: string;
  clientSecret?: string;
  /** Redirect URIs of the pre-registered client (exact match); by default it accepts any http(s) URI. */
  redirectUris?: string[];
  /** What /token and /revoke accept; default all three. Narrow it to test a client's fallback. */
  tokenEndpointAuthMethods?: TokenEndpointAuthMethod[];
  /** The clock token and code lifetimes are measured by: tests move one instead of waiting. Date.now by default. */
  now?: () => number;
}

export type TestServerStats = { requests: number } & Partial<OAuthStats>;

/** Mode `oauth` only: what tests need to drive the authorization server. */
export interface TestServerOAuth {
  /** Equal to the server's url. */
  readonly issuer: string;
  readonly metadataUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenTtlSeconds: number;
  readonly discovery: DiscoveryMode;
  /** Every refresh token stops working, so the next refresh is refused (`reconnect needed`). */
  revokeRefreshTokens(): number;
  /** Every access token counts as expired from now on. */
  expireAccessTokens(): number;
  stats(): { requests: number } & OAuthStats;
}

/** One /api request as it arrived, so tests can assert exactly what the gateway sent. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** '' for an empty body and for one refused as too large. */
  body: string;
}

export interface TestServer {
  /** The origin, e.g. `http://127.0.0.1:43210`. */
  readonly url: string;
  /** The credential in use; '' in mode `none`. */
  readonly key: string;
  readonly mode: AuthMode;
  /** How many /api requests have reached the server, refused ones included; in mode oauth, also the OAuth counters. */
  stats(): TestServerStats;
  /** Present in mode `oauth` only. */
  readonly oauth?: TestServerOAuth;
  /** The most recent /api requests, oldest first, at most `RECEIVED_LIMIT`. */
  readonly received: RecordedRequest[];
  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

export const RECEIVED_LIMIT = 200;

const KEEP_ALIVE_TIMEOUT_MS = 30_000;

function formatOrigin(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function recordHeaders(raw: string[]): Record<string, string> {
  // From rawHeaders because req.headers silently drops repeats of some headers (authorization,
  // content-type…), and a repeated credential is exactly what a test may want to catch.
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return headers;
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function createOAuthServerFor(options: TestServerOptions): OAuthServer {
  const tokenTtlSeconds = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isSafeInteger(tokenTtlSeconds) || tokenTtlSeconds < 1)
    throw new TypeError('tokenTtlSeconds must be a whole number of seconds, at least 1.');
  const discovery = options.discovery ?? 'oauth';
  if (!DISCOVERY_MODES.includes(discovery)) throw new TypeError(`discovery must be one of ${DISCOVERY_MODES.join(', ')}.`);
  const clientId = options.clientId ?? `ts_client_${randomBytes(6).toString('hex')}`;
  const clientSecret = options.clientSecret ?? generateKey();
  for (const [name, value] of [
    ['clientId', clientId],
    ['clientSecret', clientSecret],
  ] as const) {
    const problem = keyProblem(value);
    if (problem) throw new TypeError(`Invalid ${name}: ${problem}.`);
  }
  const methods = options.tokenEndpointAuthMethods ?? [...TOKEN_ENDPOINT_AUTH_METHODS];
  if (methods.length === 0 || !methods.every((method) => TOKEN_ENDPOINT_AUTH_METHODS.includes(method))) {
    throw new TypeError(`tokenEndpointAuthMethods must be a non-empty list drawn from ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}.`);
  }
  return createOAuthServer({
    clientId,
    clientSecret,
    tokenTtlSeconds,
    discovery,
    redirectUris: options.redirectUris ?? [],
    tokenEndpointAuthMethods: methods,
    now: options.now,
  });
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const { mode, port = 0, host = '127.0.0.1' } = options;
  if (!isAuthMode(mode)) throw new TypeError(`Unknown mode "${String(mode)}": use none, apikey, bearer or oauth.`);
  const usesKey = mode === 'apikey' || mode === 'bearer';
  const key = usesKey ? (options.key ?? generateKey()) : '';
  const problem = usesKey ? keyProblem(key) : null;
  if (problem) throw new TypeError(`Invalid key: ${problem}.`);

  const oauthServer = mode === 'oauth' ? createOAuthServerFor(options) : undefined;
  const auth: AuthScheme = createAuthScheme(mode, key, oauthServer);
  const store = new Store();
  const received: RecordedRequest[] = [];
  let requests = 0;
  // Both known once listening; the document is serialized once since it only depends on the origin.
  let origin = '';
  let openApiJson = '';

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: string, path: string, query: string): Promise<void> {
    requests++;
    const body = await readBody(req);
    const headers = recordHeaders(req.rawHeaders);
    received.push({ method: req.method ?? 'GET', path: url, headers, body: body.tooLarge ? '' : body.text });
    if (received.length > RECEIVED_LIMIT) received.shift();

    if (body.tooLarge) {
      // The rest of the body is still arriving; closing afterwards spares draining all of it.
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'The body is larger than 1 MiB.', { connection: 'close' });
      return;
    }
    const failure = auth.check(req.headers);
    if (failure) {
      sendError(res, 401, failure, undefined, auth.challengeHeaders(failure));
      return;
    }
    if (options.echo && path === ECHO_PATH) sendEcho(req, res, url, headers, query);
    else if (options.conformance && path.startsWith(CONFORMANCE_PREFIX) && sendConformance(req.method ?? 'GET', path, res)) return;
    else routeApi(res, store, { method: req.method ?? 'GET', path, query, body: body.text });
  }

  const stats = (): TestServerStats => (oauthServer ? { requests, ...oauthServer.stats() } : { requests });

  // A wildcard address is nowhere to connect to: name whatever host the client reached us by.
  const originFor = (req: IncomingMessage): string => (isWildcard(host) && req.headers.host ? `http://${req.headers.host}` : origin);

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const query = mark === -1 ? '' : url.slice(mark + 1);

    if (path === '/api' || path.startsWith('/api/')) {
      handleApi(req, res, url, path, query).catch(() => {
        // A broken request stream leaves nobody to answer; anything else is our bug.
        if (res.headersSent || req.destroyed) res.destroy();
        else sendError(res, 500, 'INTERNAL_ERROR');
      });
    } else if (auth.route?.(req, res, path, query, originFor(req))) {
      // The scheme's own endpoints (mode oauth: /token, /authorize…) answered.
    } else if (path === '/openapi.json' || path === '/__stats') {
      if (req.method !== 'GET') sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Allowed methods: GET.', { allow: 'GET' });
      else if (path === '/__stats') sendJson(res, 200, stats());
      else if (isWildcard(host))
        sendJson(res, 200, buildOpenApiDocument(originFor(req), auth, { echo: options.echo, conformance: options.conformance }));
      else sendRawJson(res, 200, openApiJson);
    } else {
      sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${path}; the API is described at /openapi.json.`);
    }
  }

  const server = createServer({ keepAlive: true }, handle);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const address = await listen(server, port, host);

  // Bound to a wildcard address, callers in-process still need somewhere to connect: loopback.
  const connectHost = isWildcard(host) ? (host === '::' ? '::1' : '127.0.0.1') : host;
  origin = formatOrigin(connectHost, address.port);
  openApiJson = JSON.stringify(buildOpenApiDocument(origin, auth, { echo: options.echo, conformance: options.conformance }));

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    key,
    mode,
    stats,
    ...(oauthServer ? { oauth: oauthHandle(oauthServer, origin, () => requests) } : {}),
    received,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function oauthHandle(server: OAuthServer, origin: string, requests: () => number): TestServerOAuth {
  const { clientId, clientSecret, tokenTtlSeconds, discovery } = server.options;
  return {
    issuer: origin,
    metadataUrl: `${origin}${server.metadataPath}`,
    clientId,
    clientSecret,
    tokenTtlSeconds,
    discovery,
    revokeRefreshTokens: () => server.state.revokeAllRefreshTokens(),
    expireAccessTokens: () => server.state.expireAllAccessTokens(),
    stats: () => ({ requests: requests(), ...server.stats() }),
  };
}
