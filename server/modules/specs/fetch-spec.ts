// Fetches spec text from a URL: http(s) only, redirects followed by hand (each hop checked),
// one deadline for the whole exchange, and the size cap enforced while the body streams in.
import type { Readable } from 'node:stream';
import { request } from 'undici';
import { SpecFetchFailed, SpecTooLarge } from '../../errors.js';

export interface FetchSpecOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** Stops reading a body; the abort error that destroying it emits is expected, not a crash. */
function abandon(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function parseHttpUrl(raw: string, original: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SpecFetchFailed(original, `"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SpecFetchFailed(original, `only http and https URLs can be fetched, not ${url.protocol}`);
  return url;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be resolved';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed unexpectedly';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no complete answer within ${timeoutMs / 1000} s`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export async function fetchSpecText(url: string, opts: FetchSpecOptions = {}): Promise<{ text: string; url: string }> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 25 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  let current = parseHttpUrl(url, url);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const response = await request(current, {
        method: 'GET',
        headers: { accept: 'application/json, application/yaml;q=0.9, text/yaml;q=0.9, */*;q=0.8', 'user-agent': 'Latchkey (spec import)' },
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === 'string') {
        await response.body.dump();
        if (hop >= maxRedirects) throw new SpecFetchFailed(url, `more than ${maxRedirects} redirects`);
        current = parseHttpUrl(new URL(location, current).toString(), url);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        const text = STATUS_TEXT[response.statusCode];
        throw new SpecFetchFailed(url, `the server answered ${response.statusCode}${text ? ` ${text}` : ''}`);
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        abandon(response.body);
        throw new SpecTooLarge(formatBytes(maxBytes));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          abandon(response.body); // stop reading: the rest could be anything up to unbounded
          throw new SpecTooLarge(formatBytes(maxBytes));
        }
        chunks.push(chunk as Buffer);
      }
      return { text: Buffer.concat(chunks).toString('utf8'), url: current.toString() };
    }
  } catch (error) {
    if (error instanceof SpecFetchFailed || error instanceof SpecTooLarge) throw error;
    if (controller.signal.aborted) throw new SpecFetchFailed(url, `no complete answer within ${timeoutMs / 1000} s`);
    throw new SpecFetchFailed(url, describeNetworkError(error, timeoutMs));
  } finally {
    clearTimeout(timer);
  }
}
