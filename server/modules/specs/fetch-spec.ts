// Fetches spec text from a URL: http(s) only, redirects followed by hand within the spec URL's
// origin, one deadline for the whole exchange, the size cap enforced while the body streams in,
// and the egress policy checked on the address each connection actually goes to.
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { SpecFetchFailed, SpecFetchRefused, SpecTooLarge } from '../../errors.js';
import { createEgressConnector, findEgressRefusal, type Resolver } from '../shared/egress.js';

export interface FetchSpecOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** LATCHKEY_ALLOW_PRIVATE_NETWORKS: loopback, private and link-local addresses may be fetched. */
  allowPrivateNetworks?: boolean;
  /** DNS, for tests; the system resolver by default. */
  resolve?: Resolver;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
const PRIVATE_OFF =
  'spec fetches to private networks are off — upload the file instead, or start Latchkey with LATCHKEY_ALLOW_PRIVATE_NETWORKS=true';

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

/** The URL as it may be shown, stored and logged: without `user:password@`. */
function withoutUserinfo(url: URL): URL {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy;
}

/** `user:pw@` in the spec URL is used as Basic auth for the spec's origin, then forgotten. */
function basicAuthOf(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  return `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`;
}

/** Never quotes the input: it may carry a password. */
function parseHttpUrl(raw: string, shown: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SpecFetchFailed(shown, 'it is not a valid absolute URL (e.g. https://api.example.com/openapi.json)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SpecFetchFailed(shown, `only http and https URLs can be fetched, not ${url.protocol}`);
  return url;
}

/** What a message may name for the URL the admin gave: without userinfo, or nothing if unparsable. */
function shownUrl(raw: string): string {
  try {
    return withoutUserinfo(new URL(raw)).toString();
  } catch {
    return 'the given URL';
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
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
      return code ? `the request failed (${String(code)})` : 'the request failed';
  }
}

export async function fetchSpecText(url: string, opts: FetchSpecOptions = {}): Promise<{ text: string; url: string }> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 25 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  const shown = shownUrl(url);
  const given = parseHttpUrl(url, shown);
  const authorization = basicAuthOf(given);
  let current = withoutUserinfo(given);
  const origin = current.origin;

  // One agent per fetch: its connector checks every connection's address against the policy.
  const agent = new Agent({
    connect: createEgressConnector(
      { allowPrivateNetworks: opts.allowPrivateNetworks ?? false, resolve: opts.resolve },
      { timeout: Math.min(timeoutMs, 10_000) },
    ),
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const response = await request(current, {
        dispatcher: agent,
        method: 'GET',
        headers: {
          accept: 'application/json, application/yaml;q=0.9, text/yaml;q=0.9, */*;q=0.8',
          'user-agent': 'Latchkey (spec import)',
          ...(authorization ? { authorization } : {}),
        },
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === 'string') {
        await response.body.dump();
        if (hop >= maxRedirects) throw new SpecFetchFailed(shown, `more than ${maxRedirects} redirects`);
        let next: URL;
        try {
          next = withoutUserinfo(new URL(location, current));
        } catch {
          throw new SpecFetchFailed(shown, 'the server redirected to an invalid URL');
        }
        // Within the origin only: the Basic credentials go along, and a redirect must not be a way
        // around the egress policy to another host.
        if (next.origin !== origin)
          throw new SpecFetchFailed(
            shown,
            `the server redirected to ${next.protocol === 'http:' || next.protocol === 'https:' ? next.origin : `a ${next.protocol} URL`}; spec fetches follow redirects within ${origin} only — use the final URL instead`,
          );
        current = next;
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        const text = STATUS_TEXT[response.statusCode];
        throw new SpecFetchFailed(shown, `the server answered ${response.statusCode}${text ? ` ${text}` : ''}`);
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
    const refusal = findEgressRefusal(error);
    if (refusal) throw new SpecFetchRefused(shown, `refused: ${refusal.message}; ${PRIVATE_OFF}`);
    if (controller.signal.aborted) throw new SpecFetchFailed(shown, `no complete answer within ${timeoutMs / 1000} s`);
    throw new SpecFetchFailed(shown, describeNetworkError(error, timeoutMs));
  } finally {
    clearTimeout(timer);
    agent.destroy().catch(() => {}); // the answer is read in full or abandoned: nothing to wait for
  }
}
