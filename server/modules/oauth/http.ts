// One HTTP exchange with an authorization server: a deadline for the whole exchange, a cap on the
// answer read, no redirects (a token request must not be replayed elsewhere), and failures turned
// into an OAuthRequestFailed whose message names the endpoint and nothing that was sent.
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { OAuthRequestFailed } from './errors.js';
import { startDeadline } from '../shared/deadline.js';
import { isPlainObject } from '../shared/is-plain-object.js';

export interface OAuthHttpOptions {
  /** The whole exchange, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Bytes of answer read at most. Default 256 KiB. */
  maxResponseBytes?: number;
  /** An undici dispatcher (a pooled Agent, a proxy, a MockAgent); undici's global one by default. */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** Lower-cased media type without parameters, e.g. `application/json`; '' when absent. */
  mediaType: string;
  text: string;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 256 * 1024;
export const USER_AGENT = 'Latchkey (OAuth client)';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'the DNS lookup failed, temporarily',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection closed before a complete answer',
  CERT_HAS_EXPIRED: 'TLS failed: the certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS failed: the certificate is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS failed: the certificate is not valid for this host name',
};
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Origin and path: enough to say where, without a query string that could carry anything. */
export function describeEndpoint(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Parses an endpoint URL; only absolute http(s) URLs without credentials are accepted. */
export function endpointUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OAuthRequestFailed(`The ${what} is not an absolute URL.`, 'INVALID_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OAuthRequestFailed(`The ${what} must be an http or https URL, not ${url.protocol}.`, 'INVALID_URL');
  if (url.username || url.password) throw new OAuthRequestFailed(`The ${what} must not carry credentials in the URL.`, 'INVALID_URL');
  return url;
}

function errorCode(err: unknown): string | undefined {
  let current = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    if (typeof current.code === 'string' && !current.code.startsWith('UND_ERR_ABORTED')) return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/** Stops reading a body; the error that destroying it emits is expected. */
function abandon(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

export async function sendOAuthRequest(url: URL, call: HttpCall, opts: OAuthHttpOptions = {}): Promise<HttpAnswer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  const where = describeEndpoint(url);
  if (opts.signal?.aborted) throw new OAuthRequestFailed(`The request to ${where} was cancelled.`, 'ABORTED');

  const deadline = startDeadline(timeoutMs, opts.signal);
  try {
    const res = await request(url, {
      method: call.method,
      headers: { 'user-agent': USER_AGENT, ...call.headers },
      body: call.body ?? null,
      signal: deadline.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      abandon(res.body);
      throw new OAuthRequestFailed(`${where} answered with more than ${maxBytes} bytes.`, 'TOO_LARGE', res.statusCode);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        abandon(res.body);
        throw new OAuthRequestFailed(`${where} answered with more than ${maxBytes} bytes.`, 'TOO_LARGE', res.statusCode);
      }
      chunks.push(chunk);
    }
    const contentType = res.headers['content-type'];
    const mediaType = (Array.isArray(contentType) ? contentType[0] : (contentType ?? '')).split(';')[0].trim().toLowerCase();
    return { status: res.statusCode, mediaType, text: Buffer.concat(chunks, size).toString('utf8') };
  } catch (err) {
    if (err instanceof OAuthRequestFailed) throw err;
    const code = errorCode(err);
    if (deadline.timedOut || (code && TIMEOUT_CODES.has(code)))
      throw new OAuthRequestFailed(`${where} did not answer within ${timeoutMs} ms.`, 'TIMEOUT');
    if (opts.signal?.aborted) throw new OAuthRequestFailed(`The request to ${where} was cancelled.`, 'ABORTED');
    // A fixed phrase per code: the library's own message might quote more than the endpoint.
    const reason = code ? (REASONS[code] ?? `the request failed (${code})`) : 'the request failed';
    throw new OAuthRequestFailed(`Could not reach ${where}: ${reason}.`, code ?? 'UNKNOWN');
  } finally {
    deadline.dispose();
  }
}

/** A JSON object, or undefined when `text` is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Text a server chose (an error_description) made safe to put in a message: control characters
 * dropped, cut to `max`, and every value we sent as a secret masked in case the server echoed one.
 */
export function safeServerText(text: unknown, secrets: readonly (string | undefined)[], max = 300): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  let out = text.replace(/[\x00-\x1f\x7f]+/g, ' ');
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** An OAuth `error` code as the RFC allows it (printable ASCII without `"` and `\`), else undefined. */
export function safeErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : undefined;
}
