// Where requests go: the document's first server (or Swagger 2's host + basePath), variables
// substituted with their defaults, relative URLs resolved against the URL the spec came from.
// `user:password@` in a server URL is removed: it would be stored and shown in clear, and a
// credential belongs in the workspace's sealed auth settings.
import type { SpecWarning } from './types.js';
import { isObject, stringOrUndefined, type JsonObject } from './json-utils.js';

export interface ServerResolution {
  url?: string;
  warning?: string;
}

function substituteVariables(url: string, variables: unknown): ServerResolution {
  const vars = isObject(variables) ? variables : {};
  const unknown: string[] = [];
  const substituted = url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = vars[name];
    const value = isObject(variable) ? (variable.default ?? (Array.isArray(variable.enum) ? variable.enum[0] : undefined)) : undefined;
    if (value === undefined || value === null) {
      unknown.push(name);
      return whole;
    }
    return String(value);
  });
  if (unknown.length > 0) return { warning: `The server URL "${url}" uses variables without a default (${unknown.join(', ')}).` };
  return { url: substituted };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

// `scheme://…@` or `//…@` up to the authority's end, for text no URL parser accepts (`{host}`).
const USERINFO = /^([a-z][a-z0-9+.-]*:)?\/\/[^/?#\\]*@/i;

/** The URL without its `user:password@` part; the same string when it has none. */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(USERINFO, (_whole, scheme: string | undefined) => `${scheme ?? ''}//`);
  }
}

export const USERINFO_WARNING =
  'A server URL carried credentials (user:password@): they were removed, and are neither stored nor sent. Credentials in server URLs are ignored: ' +
  'save them as Basic auth in the workspace\'s auth settings (Configure, or PUT /api/workspaces/:id/auth {"type": "basic", …}).';

/** Resolves a server URL as written in the spec to an absolute http(s) URL, without userinfo. */
export function resolveServerUrl(raw: string, variables: unknown, sourceUrl: string | undefined, fallbackBase?: string): ServerResolution {
  const trimmed = raw.trim();
  const clean = withoutUserinfo(trimmed);
  // Stripped before anything quotes it in a warning; again after substitution (a default may bring it in).
  const substituted = substituteVariables(clean, variables);
  const url = substituted.url === undefined ? undefined : withoutUserinfo(substituted.url);
  const base = sourceUrl ?? fallbackBase;
  const resolution = url === undefined ? substituted : resolveSubstituted(url, base === undefined ? undefined : withoutUserinfo(base));
  if (clean === trimmed && url === substituted.url) return resolution;
  return { ...resolution, warning: resolution.warning ? `${resolution.warning} ${USERINFO_WARNING}` : USERINFO_WARNING };
}

function resolveSubstituted(url: string, base: string | undefined): ServerResolution {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    if (!/^https?:/i.test(url)) return { warning: `The server URL "${url}" is not http or https.` };
    try {
      return { url: withoutTrailingSlash(new URL(url).toString()) };
    } catch {
      return { warning: `The server URL "${url}" is not a valid URL.` };
    }
  }
  if (base === undefined) {
    return {
      warning: `The server URL "${url}" is relative and the spec was not fetched from a URL, so there is no base URL to resolve it against: set one in the workspace.`,
    };
  }
  try {
    return { url: withoutTrailingSlash(new URL(url === '' ? '/' : url, base).toString()) };
  } catch {
    return { warning: `The server URL "${url}" could not be resolved against "${base}".` };
  }
}

/** The first entry of a `servers` array, resolved; undefined url when there is none. */
export function firstServer(servers: unknown, sourceUrl: string | undefined, fallbackBase?: string): ServerResolution | undefined {
  if (!Array.isArray(servers) || servers.length === 0) return undefined;
  const first: unknown = servers[0];
  if (!isObject(first) || typeof first.url !== 'string') return { warning: 'The first server has no URL.' };
  return resolveServerUrl(first.url, first.variables, sourceUrl, fallbackBase);
}

/** The document's default base URL. `original` is the uploaded document (Swagger 2 before conversion). */
export function documentBaseUrl(
  original: JsonObject,
  converted: JsonObject,
  sourceUrl: string | undefined,
  warnings: SpecWarning[],
): string | undefined {
  let resolution: ServerResolution | undefined;
  if (original.swagger !== undefined) {
    const host = stringOrUndefined(original.host);
    const basePath = stringOrUndefined(original.basePath) ?? '';
    const schemes = Array.isArray(original.schemes) ? original.schemes.filter((s): s is string => typeof s === 'string') : [];
    // Swagger 2: without schemes, the scheme (and without host, the host) of the spec's own URL.
    const sourceScheme = sourceUrl && /^https?:/i.test(sourceUrl) ? sourceUrl.slice(0, sourceUrl.indexOf(':')).toLowerCase() : undefined;
    const scheme = schemes[0] ?? sourceScheme ?? 'https';
    resolution = host
      ? resolveServerUrl(`${scheme}://${host}${basePath}`, undefined, sourceUrl)
      : resolveServerUrl(basePath || '/', undefined, sourceUrl);
  } else {
    // OpenAPI 3: no servers means a single server at `/`, relative to the spec's URL.
    resolution =
      firstServer(converted.servers, sourceUrl) ??
      (sourceUrl
        ? resolveServerUrl('/', undefined, sourceUrl)
        : { warning: 'The spec declares no servers and was not fetched from a URL, so there is no base URL: set one in the workspace.' });
  }
  if (resolution.warning) warnings.push({ message: resolution.warning, pointer: original.swagger !== undefined ? '/host' : '/servers' });
  return resolution.url;
}
