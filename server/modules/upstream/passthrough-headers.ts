// Which of a caller's headers passthrough may forward. Only credentials: Authorization, X-API-Key,
// the header names of the spec's apiKey schemes, and what the admin lists. A header that makes a
// server act on another method or URL (X-HTTP-Method-Override: DELETE from a read-only key) is
// never forwarded, whoever asks: the tool and the key decide what is called. A method override is
// something only a caller sends, so the call is refused and says why; a URL rewrite header
// (X-Original-URL…) may have been added by a proxy in front of the gateway, so it is dropped.
import type { SecuritySchemeSummary } from '../specs/types.js';

/** Forwarded by every passthrough workspace. */
export const DEFAULT_PASSTHROUGH_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-api-key']);

/** Method overrides (Symfony, Laravel, Rails, ASP.NET, Google APIs…): a call that sends one is refused. */
const METHOD_OVERRIDE = /method-override|override-method|^x-http-method$/;
/** URL, path and host rewrites (IIS, nginx, Envoy, Next.js middleware…), and any other override: never forwarded. */
const ROUTING = new Set(['x-host', 'x-middleware-subrequest', 'x-http-destinationurl', 'x-proxy-url']);
const ROUTING_PATTERN = /override|rewrite|^x-original-/;

/** What proxies add on the way in: dropped from what a caller sends, never forwarded. */
const PROXY = new Set([
  'forwarded',
  'via',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
]);
const PROXY_PREFIXES = ['x-forwarded-', 'x-envoy-', 'proxy-'];

/** Managed by HTTP, by the request body or by the gateway itself. */
const MANAGED = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'accept-encoding',
  // The console's session lives in the gateway's own cookie: never handed to an upstream.
  'cookie',
]);

/** A header name (lower case) that tells a server to act on another method. */
export function isMethodOverride(lower: string): boolean {
  return METHOD_OVERRIDE.test(lower);
}

/** A header name (lower case) that steers the method, URL or host. */
export function isRoutingHeader(lower: string): boolean {
  return isMethodOverride(lower) || ROUTING.has(lower) || ROUTING_PATTERN.test(lower);
}

/** Why a header can never be forwarded (in words for the admin), or undefined when it can. */
export function forwardingProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (isRoutingHeader(lower)) return `"${name}" overrides the method or URL the upstream acts on and is never forwarded`;
  if (PROXY.has(lower) || PROXY_PREFIXES.some((p) => lower.startsWith(p))) return `"${name}" is proxy metadata and is never forwarded`;
  if (MANAGED.has(lower) || lower.startsWith('mcp-') || lower.startsWith('x-latchkey-'))
    return `"${name}" is managed by HTTP or by the gateway and is never forwarded`;
  return undefined;
}

/** The header names (lower case) a passthrough workspace forwards, built once per runtime. */
export function passthroughHeaderNames(schemes: readonly SecuritySchemeSummary[], forward: readonly string[] = []): Set<string> {
  const names = new Set(DEFAULT_PASSTHROUGH_HEADERS);
  for (const scheme of schemes) if (scheme.type === 'apiKey' && scheme.in === 'header' && scheme.name) names.add(scheme.name.toLowerCase());
  for (const name of forward) names.add(name.toLowerCase());
  for (const name of names) if (forwardingProblem(name)) names.delete(name);
  return names;
}

/**
 * The caller's headers, as offered (lower-case names), narrowed to `allowed`. A method override is
 * refused with a reason rather than dropped: the caller learns why the call did not do what it asked.
 */
export function passthroughHeaders(
  offered: Record<string, string>,
  allowed: ReadonlySet<string>,
): { headers: Record<string, string>; refused?: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(offered)) {
    if (isMethodOverride(name)) {
      return {
        headers: {},
        refused: `The call was not sent: the header "${name}" would change the method the API acts on, and passthrough never forwards it. Send the call without it.`,
      };
    }
    if (allowed.has(name)) headers[name] = value;
  }
  return { headers };
}
