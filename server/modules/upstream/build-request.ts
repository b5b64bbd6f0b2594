// From a validated tool call to the exact HTTP request: URL from the base and the path template,
// parameters per their OpenAPI style, the body, then the workspace's credentials.
import type { ParamBinding, ToolDefinition } from '../specs/types.js';
import { encodeBody } from './encode-body.js';
import { InvalidArgument } from './errors.js';
import { injectCredentials, type RequestDraft } from './inject-credentials.js';
import { withRealNames } from './real-names.js';
import { isAbsent, serializeCookieParam, serializeHeaderParam, serializePathParam, serializeQueryParam } from './serialize-params.js';
import type { UpstreamCredentials, UpstreamRequest } from './types.js';

export interface UpstreamTarget {
  /** Where the call goes, as the caller decided it; a tool's own `serverUrl` is not consulted here. */
  baseUrl: string;
  credentials: UpstreamCredentials;
}

export const DEFAULT_ACCEPT = 'application/json, */*;q=0.5';
// Some APIs (GitHub's among them) refuse requests without a User-Agent.
const USER_AGENT = 'Latchkey';

/** Headers that describe the connection or the target, not the call: an argument never sets them. */
const CONNECTION_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);

export function buildUpstreamRequest(tool: ToolDefinition, args: Record<string, unknown>, target: UpstreamTarget): UpstreamRequest {
  const base = parseBaseUrl(target.baseUrl);
  const path = buildPath(tool, args);
  const draft: RequestDraft = {
    headers: { accept: DEFAULT_ACCEPT, 'user-agent': USER_AGENT },
    query: base.search ? base.search.slice(1).split('&').filter(Boolean) : [],
    cookies: [],
  };

  for (const param of tool.params) {
    if (param.in === 'path') continue;
    const value = paramValue(param, args);
    if (isAbsent(value)) {
      if (param.required) throw new InvalidArgument(`"${param.arg}" is required (the ${param.in} parameter "${param.name}").`);
      continue;
    }
    if (param.in === 'query') draft.query.push(...serializeQueryParam(param, value));
    else if (param.in === 'cookie') draft.cookies.push(...serializeCookieParam(param, value));
    else addHeaderParam(draft, param, value);
  }

  let body: Buffer | undefined;
  if (tool.body) {
    const value = own(args, tool.body.arg);
    if (!isAbsent(value)) {
      const encoded = encodeBody(tool.body, value);
      draft.headers['content-type'] = encoded.contentType;
      body = encoded.bytes;
    } else if (tool.body.required) {
      throw new InvalidArgument(`"${tool.body.arg}" is required (the request body).`);
    }
  }

  injectCredentials(draft, target.credentials);
  if (draft.cookies.length) draft.headers.cookie = draft.cookies.join('; ');
  const query = draft.query.length ? `?${draft.query.join('&')}` : '';
  const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}${path}${query}`;
  return { method: tool.method, url, headers: draft.headers, ...(body ? { body } : {}) };
}

/** An argument the caller gave: names such as `constructor` are data, never Object.prototype's. */
function own(args: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(args, name) ? args[name] : undefined;
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidArgument('The API base URL is not an absolute URL; set one like "https://api.example.com/v1".');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgument(`The API base URL must use http or https, not ${url.protocol.slice(0, -1)}.`);
  }
  return url;
}

/** The argument for a parameter, with the real names of any object keys in it. */
function paramValue(param: ParamBinding, args: Record<string, unknown>): unknown {
  const value = own(args, param.arg);
  return param.names === undefined ? value : withRealNames(value, param.names);
}

function addHeaderParam(draft: RequestDraft, param: ParamBinding, value: unknown): void {
  const lower = param.name.toLowerCase();
  if (CONNECTION_HEADERS.has(lower)) return;
  const text = serializeHeaderParam(param, value);
  if (lower === 'cookie') draft.cookies.push(text);
  // The body decides the Content-Type when there is one; set below and overwriting this.
  else draft.headers[lower] = text;
}

/** The path template with each `{name}` replaced; a path argument can only fill its own segment. */
function buildPath(tool: ToolDefinition, args: Record<string, unknown>): string {
  const pathParams = new Map(tool.params.filter((p) => p.in === 'path').map((p) => [p.name, p]));
  const template = tool.path.startsWith('/') ? tool.path : `/${tool.path}`;
  return template
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) return segment;
      const filled = segment.replace(/\{([^}]*)\}/g, (_whole, name: string) => {
        const param = pathParams.get(name);
        if (!param) throw new InvalidArgument(`The path ${tool.path} has {${name}} but the tool declares no such path parameter.`);
        const value = paramValue(param, args);
        if (isAbsent(value)) throw new InvalidArgument(`"${param.arg}" is required (the path parameter "${param.name}").`);
        const text = serializePathParam(param, value);
        if (text === '') throw new InvalidArgument(`"${param.arg}" must not be empty: it fills a segment of the path.`);
        return text;
      });
      assertSafeSegment(filled, segment);
      return filled;
    })
    .join('/');
}

/**
 * Refuses a filled segment that any server along the way could read as `.` or `..`, however
 * many times it decodes it (`%2e`, `%252E`, `.%2e`…), or that hides such a step behind an
 * encoded slash or backslash (`a%2F..`).
 */
function assertSafeSegment(filled: string, template: string): void {
  let text = filled;
  // Each round that changes the text shortens it, so this ends.
  for (;;) {
    if (text.split(/[/\\]/).some((piece) => piece === '.' || piece === '..')) {
      throw new InvalidArgument(
        `A path argument cannot be "." or "..", in any encoding: it would change which path is called (in ${template}).`,
      );
    }
    const decoded = percentDecode(text);
    if (decoded === text) return;
    text = decoded;
  }
}

/** Decodes %XX triples one level, leaving malformed ones as they are (decodeURIComponent would throw). */
function percentDecode(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
