// Turns what a user saves on PUT /auth into two parts: a public description (safe to store in
// clear and to show) and the secret part (sealed before it is stored). Opening them again gives
// the UpstreamCredentials that the upstream caller injects.
import { AuthInvalid } from '../../errors.js';
import type { SecuritySchemeSummary } from '../specs/types.js';
import type { UpstreamCredentials } from '../upstream/types.js';
import { forwardingProblem } from '../upstream/passthrough-headers.js';

export const AUTH_TYPES = ['none', 'bearer', 'api_key', 'basic', 'headers', 'passthrough'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** Never holds a secret: this is what responses show. */
export interface AuthPublicInfo {
  in?: 'header' | 'query' | 'cookie';
  name?: string;
  headerNames?: string[];
  /** passthrough: header names forwarded besides Authorization, X-API-Key and the spec's apiKey headers. */
  forward?: string[];
}

export interface SplitAuth {
  type: AuthType;
  publicInfo: AuthPublicInfo;
  /** JSON-serialisable secret fields, to be sealed. */
  secret: Record<string, unknown>;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// Header values may not carry CR/LF (request splitting) or other control characters.
const HEADER_VALUE = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'proxy-connection',
]);

function requireString(body: Record<string, unknown>, field: string, opts: { max?: number } = {}): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) throw new AuthInvalid(`"${field}" is required and must be a non-empty string.`);
  if (value.length > (opts.max ?? 8192)) throw new AuthInvalid(`"${field}" is longer than ${opts.max ?? 8192} characters.`);
  if (!HEADER_VALUE.test(value)) throw new AuthInvalid(`"${field}" contains control characters or line breaks.`);
  return value;
}

function headerName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) throw new AuthInvalid(`${field} must be a valid HTTP header name.`);
  if (FORBIDDEN_HEADERS.has(value.toLowerCase())) throw new AuthInvalid(`${field} "${value}" is managed by HTTP itself and cannot be set.`);
  return value;
}

/** passthrough's `forward`: header names only; a method or URL override can never be listed. */
function forwardList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 50) throw new AuthInvalid('"forward" must be a list of at most 50 header names.');
  const names = new Map<string, string>();
  for (const name of value) {
    headerName(name, `"forward" entry "${String(name)}"`);
    const problem = forwardingProblem(name as string);
    if (problem) throw new AuthInvalid(`"forward" cannot list ${problem}.`);
    names.set((name as string).toLowerCase(), name as string);
  }
  return [...names.values()];
}

/** Validates a PUT /auth body. `schemes` (from the spec) fill in an api_key's name and location when omitted. */
export function splitAuthInput(body: Record<string, unknown>, schemes: SecuritySchemeSummary[] = []): SplitAuth {
  const type = body.type;
  if (body.forward !== undefined && type !== 'passthrough') throw new AuthInvalid('"forward" applies to type "passthrough" only.');
  switch (type) {
    case 'none':
      return { type, publicInfo: {}, secret: {} };
    case 'bearer':
      return { type, publicInfo: {}, secret: { token: requireString(body, 'token') } };
    case 'basic':
      // The username is sealed too: some APIs (Stripe, for one) put the key in it.
      return {
        type,
        publicInfo: {},
        secret: { username: requireString(body, 'username'), password: typeof body.password === 'string' ? body.password : '' },
      };
    case 'api_key': {
      const declared = schemes.find((s) => s.type === 'apiKey' && s.name && s.in);
      const placement = body.in ?? declared?.in ?? 'header';
      if (placement !== 'header' && placement !== 'query' && placement !== 'cookie')
        throw new AuthInvalid('"in" must be "header", "query" or "cookie".');
      const rawName = body.name ?? declared?.name;
      if (rawName === undefined) throw new AuthInvalid('"name" is required: the spec declares no API key scheme to take it from.');
      const name =
        placement === 'header'
          ? headerName(rawName, '"name"')
          : typeof rawName === 'string' && rawName.length > 0 && rawName.length <= 128
            ? rawName
            : undefined;
      if (!name) throw new AuthInvalid('"name" must be a non-empty string of at most 128 characters.');
      return { type, publicInfo: { in: placement, name }, secret: { value: requireString(body, 'value') } };
    }
    case 'headers':
    case 'passthrough': {
      // passthrough: the caller's own headers are forwarded per call; stored headers are optional and win.
      const headers = body.headers ?? (type === 'passthrough' ? {} : undefined);
      if (!headers || typeof headers !== 'object' || Array.isArray(headers))
        throw new AuthInvalid('"headers" must be an object of header name to value.');
      const entries = Object.entries(headers as Record<string, unknown>);
      const min = type === 'passthrough' ? 0 : 1;
      if (entries.length < min || entries.length > 50) throw new AuthInvalid(`"headers" must hold from ${min} to 50 headers.`);
      const seen = new Set<string>();
      const clean: Record<string, string> = {};
      for (const [name, value] of entries) {
        headerName(name, `Header name "${name}"`);
        if (seen.has(name.toLowerCase())) throw new AuthInvalid(`Header "${name}" is given twice.`);
        seen.add(name.toLowerCase());
        clean[name] = requireString({ [name]: value }, name);
      }
      const forward = type === 'passthrough' ? forwardList(body.forward) : undefined;
      return { type, publicInfo: { headerNames: Object.keys(clean), ...(forward ? { forward } : {}) }, secret: { headers: clean } };
    }
    default:
      throw new AuthInvalid(`"type" must be one of ${AUTH_TYPES.join(', ')}.`);
  }
}

/** Rebuilds the credentials the upstream caller injects from the stored public info and the opened secret. */
export function toUpstreamCredentials(type: string, publicInfo: AuthPublicInfo, secret: Record<string, unknown>): UpstreamCredentials {
  switch (type) {
    case 'bearer':
      return { type, token: String(secret.token) };
    case 'basic':
      return { type, username: String(secret.username), password: String(secret.password ?? '') };
    case 'api_key':
      return { type, in: publicInfo.in ?? 'header', name: publicInfo.name ?? 'X-Api-Key', value: String(secret.value) };
    case 'headers':
    case 'passthrough':
      // Passthrough starts from its stored headers; the caller's are merged in per call.
      return { type: 'headers', headers: (secret.headers as Record<string, string> | undefined) ?? {} };
    default:
      return { type: 'none' };
  }
}
