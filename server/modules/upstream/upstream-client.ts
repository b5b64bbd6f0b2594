// Sends built requests over one pooled keep-alive undici Agent. The hot path does no setup beyond
// the request itself: one timer for the deadline, no per-call dispatcher or interceptor chain.
import { STATUS_CODES } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { InvalidArgument, UpstreamAborted, UpstreamModuleError, UpstreamTimeout, UpstreamUnreachable } from './errors.js';
import type { UpstreamRequest, UpstreamResponse } from './types.js';
import { startDeadline } from '../shared/deadline.js';

export interface UpstreamClientOptions {
  /** The whole exchange (connect, redirects, headers, body), in ms. Default 30 000. */
  timeoutMs?: number;
  /** Bytes of body kept; the rest is not read. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Connections per origin; unlimited by default. */
  connections?: number;
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
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS failed: the certificate is not valid for this host name",
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
    connect: { timeout: Math.min(timeoutMs, 10_000) },
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
        const res = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: current.method as Dispatcher.HttpMethod,
          headers: current.headers,
          body: current.body ?? null,
          signal: deadline.signal,
        });
        const next = hops < MAX_REDIRECTS ? followUp(current, url, res) : undefined;
        if (next) {
          await res.body.dump();
          current = next;
          url = parseRequestUrl(next.url);
          continue;
        }
        const read = await readCapped(res.body, maxResponseBytes);
        const contentLength = Number(res.headers['content-length']);
        return {
          status: res.statusCode,
          statusText: res.statusText || STATUS_CODES[res.statusCode] || '',
          headers: flattenHeaders(res.headers),
          body: read.body,
          truncated: read.truncated,
          totalBytes: read.truncated ? (Number.isSafeInteger(contentLength) && contentLength > read.body.length ? contentLength : undefined) : read.body.length,
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
function followUp(req: UpstreamRequest, url: URL, res: Dispatcher.ResponseData): UpstreamRequest | undefined {
  const location = res.headers.location;
  if (!REDIRECT_STATUSES.has(res.statusCode) || typeof location !== 'string') return undefined;
  let target: URL;
  try {
    target = new URL(location, url);
  } catch {
    return undefined;
  }
  if (target.origin !== url.origin) return undefined;
  target.hash = '';
  const toGet = (res.statusCode === 303 && req.method !== 'HEAD') || ((res.statusCode === 301 || res.statusCode === 302) && req.method === 'POST');
  if (!toGet) return { ...req, url: target.href };
  const { 'content-type': _dropped, ...headers } = req.headers;
  return { method: 'GET', url: target.href, headers };
}

async function readCapped(body: Dispatcher.ResponseData['body'], cap: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > cap) {
      chunks.push(chunk.subarray(0, cap - size));
      size = cap;
      // Stop reading: the rest may be huge. Destroying the stream also drops the connection.
      body.destroy();
      return { body: Buffer.concat(chunks, size), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks, size), truncated: false };
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
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
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) return new UpstreamTimeout(`${origin} did not answer within ${timeoutMs} ms.`);
  const reason = code ? (REASONS[code] ?? (/^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO)/.test(code) ? `TLS failed (${code})` : `the request failed (${code})`)) : 'the request failed';
  return new UpstreamUnreachable(`Could not reach ${origin}: ${reason}.`, code ?? 'UNKNOWN');
}
