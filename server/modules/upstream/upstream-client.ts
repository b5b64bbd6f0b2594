// Sends built requests over one pooled keep-alive undici Agent. The hot path does no setup beyond
// the request itself: one timer for the deadline, no per-call dispatcher or interceptor chain.
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { InvalidArgument, UpstreamAborted, UpstreamModuleError, UpstreamRefused, UpstreamTimeout, UpstreamUnreachable } from './errors.js';
import type { UpstreamRequest, UpstreamResponse } from './types.js';
import { startDeadline, type DeadlineSignal } from '../shared/deadline.js';
import { createEgressConnector, describeKind, findEgressRefusal, type Resolver } from '../shared/egress.js';

export interface UpstreamClientOptions {
  /** The whole exchange (connect, redirects, headers, body), in ms. Default 30 000. */
  timeoutMs?: number;
  /** Bytes of body kept; the rest is not read. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Connections per origin; unlimited by default. */
  connections?: number;
  /**
   * LATCHKEY_ALLOW_PRIVATE_NETWORKS: upstream host NAMES may resolve to loopback, private or
   * link-local addresses. Hosts written as an IP literal or `localhost` are always allowed: the
   * admin named them. Default false.
   */
  allowPrivateNetworks?: boolean;
  /** DNS, for tests; the system resolver by default. */
  resolve?: Resolver;
}

export interface SendOptions {
  signal?: AbortSignal;
}

export interface UpstreamClient {
  send(req: UpstreamRequest, opts?: SendOptions): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Fixed phrases per low-level code: an error's own message might quote more than the origin. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'the DNS lookup failed, temporarily',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection closed before a complete answer',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the answer did not match its Content-Length',
  UND_ERR_INVALID_ARG: 'the request could not be sent as HTTP (an invalid header name or value?)',
  UND_ERR_CLOSED: 'the gateway is shutting down',
  UND_ERR_DESTROYED: 'the gateway is shutting down',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS failed: the certificate is not valid for this host name',
  CERT_HAS_EXPIRED: 'TLS failed: the certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS failed: the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS failed: a self-signed certificate is in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS failed: the certificate chain cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS failed: the certificate issuer is unknown',
  EPROTO: 'TLS failed: protocol error (is this an https URL for an http server?)',
};

export function createUpstreamClient(opts: UpstreamClientOptions = {}): UpstreamClient {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxResponseBytes = opts.maxResponseBytes ?? 1024 * 1024;
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // The address check runs in the connector, once per new connection: pooled ones pay nothing.
    connect: createEgressConnector(
      { allowPrivateNetworks: opts.allowPrivateNetworks ?? false, trustLiteralHosts: true, resolve: opts.resolve },
      { timeout: Math.min(timeoutMs, 10_000) },
    ),
    ...(opts.connections ? { connections: opts.connections } : {}),
  });

  async function send(req: UpstreamRequest, { signal }: SendOptions = {}): Promise<UpstreamResponse> {
    const started = performance.now();
    let url = parseRequestUrl(req.url);
    const origin = url.origin;
    if (signal?.aborted) throw new UpstreamAborted(`The call to ${origin} was cancelled.`);
    const deadline = startDeadline(timeoutMs, signal);
    try {
      let current = req;
      for (let hops = 0; ; hops++) {
        const res = await exchange(
          agent,
          {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: current.method as Dispatcher.HttpMethod,
            headers: current.headers,
            body: current.body ?? null,
          },
          maxResponseBytes,
          deadline.signal,
        );
        const next = hops < MAX_REDIRECTS ? followUp(current, url, res) : undefined;
        if (next) {
          current = next;
          url = parseRequestUrl(next.url);
          continue;
        }
        const contentLength = Number(res.headers['content-length']);
        return {
          status: res.status,
          statusText: res.statusText || STATUS_CODES[res.status] || '',
          headers: res.headers,
          body: res.body,
          truncated: res.truncated,
          totalBytes: res.truncated
            ? Number.isSafeInteger(contentLength) && contentLength > res.body.length
              ? contentLength
              : undefined
            : res.body.length,
          durationMs: Math.round(performance.now() - started),
        };
      }
    } catch (err) {
      if (deadline.timedOut) throw new UpstreamTimeout(`${origin} did not answer within ${timeoutMs} ms.`);
      if (signal?.aborted) throw new UpstreamAborted(`The call to ${origin} was cancelled.`);
      throw toUpstreamError(err, origin, timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  return { send, close: () => agent.close() };
}

/** Node's URL error carries the input, query string and all: replaced by one that does not. */
function parseRequestUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new InvalidArgument('The request URL is not a valid absolute URL.');
  }
}

/**
 * The request a redirect asks for, or undefined when it is not followed: only to the same origin
 * (scheme, host and port), so the credentials in the request never reach anyone else. Method
 * changes follow the Fetch standard.
 */
function followUp(req: UpstreamRequest, url: URL, res: Exchanged): UpstreamRequest | undefined {
  const location = res.location;
  if (!REDIRECT_STATUSES.has(res.status) || location === undefined) return undefined;
  let target: URL;
  try {
    target = new URL(location, url);
  } catch {
    return undefined;
  }
  if (target.origin !== url.origin) return undefined;
  target.hash = '';
  const toGet = (res.status === 303 && req.method !== 'HEAD') || ((res.status === 301 || res.status === 302) && req.method === 'POST');
  if (!toGet) return { ...req, url: target.href };
  const { 'content-type': _dropped, ...headers } = req.headers;
  return { method: 'GET', url: target.href, headers };
}

/** One HTTP exchange as read: the body up to the cap. */
interface Exchanged {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Only when there is exactly one Location header: two are ambiguous, and not followed. */
  location?: string;
  body: Buffer;
  truncated: boolean;
}

/**
 * Sends one request and collects its answer straight from undici's dispatch callbacks: the
 * body's chunks go into an array, with no response stream or async iterator between (what
 * `request()` builds for every call). Past the cap the connection is dropped, not drained: the
 * rest may be huge. The deadline's signal aborts the exchange wherever it is.
 */
function exchange(agent: Agent, opts: Dispatcher.DispatchOptions, cap: number, signal: DeadlineSignal): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let head: Omit<Exchanged, 'body' | 'truncated'> | undefined;
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const onAbort = () => controller?.abort(new UpstreamAborted('The request was aborted.'));
    const settle = (error: Error | undefined, truncated = false) => {
      if (settled) return;
      settled = true;
      signal.removeListener('abort', onAbort);
      if (error || !head) reject(error ?? new UpstreamAborted('The request ended without an answer.'));
      else resolve({ ...head, body: Buffer.concat(chunks, size), truncated });
    };
    signal.once('abort', onAbort);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (signal.aborted) onAbort();
      },
      onResponseStart(_c, status, headers, statusText) {
        // 1xx answers are interim: the real one follows.
        if (status >= 200) {
          const location = typeof headers.location === 'string' ? headers.location : undefined;
          head = { status, statusText: statusText ?? '', headers: flattenHeaders(headers), location };
        }
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (size + chunk.length > cap) {
          chunks.push(chunk.subarray(0, cap - size));
          size = cap;
          settle(undefined, true);
          c.abort(new UpstreamAborted('The answer is over the byte cap.'));
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      },
      onResponseEnd: () => settle(undefined),
      onResponseError: (_c, err) => settle(err),
    };
    try {
      agent.dispatch(opts, handler);
    } catch (err) {
      settle(err as Error);
    }
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The most specific code in the cause chain: a system or TLS code beats undici's wrapper code. */
function errorCode(err: unknown): string | undefined {
  const codes: string[] = [];
  let current = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    if (typeof current.code === 'string') codes.push(current.code);
    current = current.cause as typeof current;
  }
  return codes.find((code) => !code.startsWith('UND_ERR_')) ?? codes[0];
}

function toUpstreamError(err: unknown, origin: string, timeoutMs: number): Error {
  if (err instanceof UpstreamModuleError) return err;
  const refusal = findEgressRefusal(err);
  if (refusal) {
    // The model reads this: the kind of address, not the address itself.
    return new UpstreamRefused(
      `Refused to connect to ${origin}: ${refusal.host} resolves to ${describeKind(refusal.kind, refusal.address)}, and calls to private networks are off (the gateway's admin can allow them with LATCHKEY_ALLOW_PRIVATE_NETWORKS=true).`,
    );
  }
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) return new UpstreamTimeout(`${origin} did not answer within ${timeoutMs} ms.`);
  const reason = code
    ? (REASONS[code] ?? (/^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO)/.test(code) ? `TLS failed (${code})` : `the request failed (${code})`))
    : 'the request failed';
  return new UpstreamUnreachable(`Could not reach ${origin}: ${reason}.`, code ?? 'UNKNOWN');
}
