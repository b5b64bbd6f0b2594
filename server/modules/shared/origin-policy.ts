// Who may reach /mcp and /api from a browser, and under which names (MCP transport, "Security
// Warning": servers MUST validate Origin, and answer 403 when it is present and not allowed).
// The attack it stops is DNS rebinding: a web page on evil.example rebinds its name to the
// gateway's address, so the browser sends the page's requests to the gateway as same-origin ones.
// Two rules:
// - On a loopback listener (the default, and where rebinding bites), the Host header must be a
//   loopback name or address, PUBLIC_URL's host or an allowed origin's host.
// - An Origin header, when present, must be PUBLIC_URL's origin, one of LATCHKEY_ALLOWED_ORIGINS,
//   or the origin of the Host the request came to when that host is trusted (an address, a loopback
//   name, PUBLIC_URL's host; on a network listener without PUBLIC_URL any host, since its names are
//   unknown). MCP clients send no Origin and are never refused by it.
import { isIP } from 'node:net';

export interface OriginPolicyOptions {
  /** The address the gateway listens on (HOST). */
  listenHost: string;
  publicUrl?: string;
  /** LATCHKEY_ALLOWED_ORIGINS, normalised. */
  allowedOrigins: string[];
}

export type OriginVerdict = { ok: true } | { ok: false; message: string };

const OK: OriginVerdict = { ok: true };

/** `scheme://host[:port]`, lower-case, default port dropped; undefined if it is not an http(s) origin. */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin;
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower-case, brackets kept off. */
function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export function createOriginPolicy(opts: OriginPolicyOptions): (headers: { origin?: string; host?: string }) => OriginVerdict {
  const loopbackListener = isLoopback(opts.listenHost.toLowerCase());
  const allowed = new Set(opts.allowedOrigins);
  const trustedNames = new Set<string>();
  if (opts.publicUrl) {
    const url = new URL(opts.publicUrl);
    allowed.add(url.origin);
    trustedNames.add(hostnameOf(url.host));
  }
  for (const origin of opts.allowedOrigins) trustedNames.add(hostnameOf(new URL(origin).host));
  const trusted = (hostname: string) => isLoopback(hostname) || isIP(hostname) !== 0 || trustedNames.has(hostname);
  // Without PUBLIC_URL, a network listener's names are unknown: a same-origin page is taken as its own.
  const anyHostIsOwn = !loopbackListener && !opts.publicUrl;

  return ({ origin, host }) => {
    if (host !== undefined && loopbackListener && !trusted(hostnameOf(host))) {
      return {
        ok: false,
        message: `Forbidden: this gateway does not answer to the name "${host}" (DNS rebinding protection). Use its own address, or set PUBLIC_URL to the address clients use.`,
      };
    }
    if (origin === undefined) return OK;
    const normalized = normalizeOrigin(origin);
    if (normalized !== undefined && allowed.has(normalized)) return OK;
    if (normalized !== undefined && host !== undefined) {
      const url = new URL(normalized);
      const defaultPort = url.protocol === 'https:' ? ':443' : ':80';
      const hostHeader = host.trim().toLowerCase();
      const sameOrigin = url.host === (hostHeader.endsWith(defaultPort) ? hostHeader.slice(0, -defaultPort.length) : hostHeader);
      if (sameOrigin && (anyHostIsOwn || trusted(hostnameOf(host)))) return OK;
    }
    const shown = origin.length > 100 ? `${origin.slice(0, 100)}…` : origin;
    return {
      ok: false,
      message: `Forbidden: requests from the web origin "${shown}" are not allowed here. If that page should reach this gateway, add its origin to LATCHKEY_ALLOWED_ORIGINS.`,
    };
  };
}
