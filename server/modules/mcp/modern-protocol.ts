// MCP 2026-07-28 ("modern"): no initialize handshake and no session. Every request carries its
// protocol version and the client's capabilities in `params._meta`, the HTTP headers mirror the
// method and the tool's name, and every result says its `resultType`. The 2025 revisions keep
// their initialize handshake (exchange-transport.ts); both are served on the same URL, and which
// one a request speaks is decided per request here (isModernRequest).
//
// The checks follow the revision's order of precedence, which its conformance suite tests: a
// malformed `_meta` is a params error (-32602); then the headers must agree with the body
// (HeaderMismatch, -32020); then the version must be one served (UnsupportedProtocolVersion,
// -32022); an unknown or removed method (initialize, ping…) is 404 with -32601. All with the
// request's own id, all 400 but the last.
import { SUPPORTED_PROTOCOL_VERSIONS, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';
import type { ExchangeAnswer } from './exchange-transport.js';

export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];
/** Every revision served, newest first: what server/discover and the version error list. */
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

/** JSON-RPC error codes the 2026-07-28 revision defines. */
export const HEADER_MISMATCH = -32020;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** Methods whose `Mcp-Name` header mirrors `params.name` (resources/read's `uri` is not served here). */
const NAMED_METHODS = new Set(['tools/call', 'prompts/get']);

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Whether a request speaks a modern revision: it says so in the MCP-Protocol-Version header, or
 * carries a protocol version in its `_meta`, or asks for server/discover (which only modern
 * clients send). A 2025 client sends none of these.
 */
export function isModernRequest(body: unknown, headers: Headers): boolean {
  const version = header(headers, 'mcp-protocol-version');
  if (version !== undefined && MODERN_PROTOCOL_VERSIONS.includes(version.trim())) return true;
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    if (!isPlainObject(m)) return false;
    if (m.method === 'server/discover') return true;
    const meta = isPlainObject(m.params) ? m.params._meta : undefined;
    return isPlainObject(meta) && META_PROTOCOL_VERSION in meta;
  });
}

/** An error answer with the request's id: status 400 unless said otherwise. */
function refuse(id: RequestId | null, code: number, message: string, data?: unknown, status = 400): ExchangeAnswer {
  return { status, body: JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, ...(data !== undefined && { data }) } }) };
}

/** The answer naming the versions served, for a version that is not one of them. */
export function unsupportedVersion(requested: string, id: RequestId | null = null): ExchangeAnswer {
  return refuse(
    id,
    UNSUPPORTED_PROTOCOL_VERSION,
    `Unsupported protocol version ${JSON.stringify(requested)}: this gateway serves ${SERVED_PROTOCOL_VERSIONS.join(', ')}.`,
    { supported: SERVED_PROTOCOL_VERSIONS, requested },
  );
}

/**
 * A header value as the client meant it: `=?base64?…?=` is the revision's encoding for a value
 * that is not plain ASCII. Undefined for a value that is not valid in that encoding.
 */
export function decodeHeaderValue(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('=?base64?') || !trimmed.endsWith('?=')) return trimmed;
  const encoded = trimmed.slice('=?base64?'.length, -2);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  // A byte sequence that is not UTF-8 decodes to replacement characters: not what was sent.
  return decoded.includes('\uFFFD') ? undefined : decoded;
}

export interface ModernRequest {
  id: RequestId;
  method: string;
  params: Record<string, unknown>;
  version: string;
}

/**
 * A modern request checked against the revision's rules, or the answer that refuses it. The body
 * is one JSON-RPC message (the revision has no batches); a notification is accepted with 202.
 */
export function checkModernRequest(body: unknown, headers: Headers): ModernRequest | ExchangeAnswer {
  if (Array.isArray(body))
    return refuse(null, -32600, 'Invalid Request: a 2026-07-28 request is sent alone, one JSON-RPC message per POST, not in a batch.');
  if (!isPlainObject(body) || body.jsonrpc !== '2.0') return refuse(null, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
  const id = body.id;
  if (typeof body.method !== 'string') return refuse(null, -32600, 'Invalid Request: a client sends requests, not responses.');
  if (!('id' in body)) return { status: 202 };
  if (!(typeof id === 'string' || Number.isSafeInteger(id)))
    return refuse(null, -32600, 'Invalid Request: the id must be a string or an integer.');
  const requestId = id as RequestId;
  const method = body.method;

  if (body.params !== undefined && !isPlainObject(body.params))
    return refuse(requestId, -32602, 'Invalid params: params must be an object.');
  const params = (body.params ?? {}) as Record<string, unknown>;
  const meta = params._meta;
  if (!isPlainObject(meta))
    return refuse(
      requestId,
      -32602,
      `Invalid params: a 2026-07-28 request carries _meta with "${META_PROTOCOL_VERSION}" and "${META_CLIENT_CAPABILITIES}".`,
    );
  const version = meta[META_PROTOCOL_VERSION];
  if (typeof version !== 'string' || version === '')
    return refuse(requestId, -32602, `Invalid params: _meta["${META_PROTOCOL_VERSION}"] must be the protocol version, a string.`);
  if (!isPlainObject(meta[META_CLIENT_CAPABILITIES]))
    return refuse(
      requestId,
      -32602,
      `Invalid params: _meta["${META_CLIENT_CAPABILITIES}"] must be an object (empty if the client declares none).`,
    );

  const versionHeader = header(headers, 'mcp-protocol-version')?.trim();
  if (versionHeader === undefined || versionHeader === '')
    return refuse(requestId, HEADER_MISMATCH, 'Header mismatch: the MCP-Protocol-Version header is missing.');
  if (versionHeader !== version)
    return refuse(
      requestId,
      HEADER_MISMATCH,
      `Header mismatch: MCP-Protocol-Version header ${JSON.stringify(versionHeader)} does not match _meta's ${JSON.stringify(version)}.`,
    );
  if (!MODERN_PROTOCOL_VERSIONS.includes(version)) return unsupportedVersion(version, requestId);

  const methodHeader = header(headers, 'mcp-method')?.trim();
  if (methodHeader === undefined) return refuse(requestId, HEADER_MISMATCH, 'Header mismatch: the Mcp-Method header is missing.');
  if (methodHeader !== method)
    return refuse(
      requestId,
      HEADER_MISMATCH,
      `Header mismatch: Mcp-Method header ${JSON.stringify(methodHeader.slice(0, 64))} does not match the body's method ${JSON.stringify(method.slice(0, 64))}.`,
    );
  if (NAMED_METHODS.has(method) && typeof params.name === 'string') {
    const raw = header(headers, 'mcp-name');
    if (raw === undefined) return refuse(requestId, HEADER_MISMATCH, `Header mismatch: ${method} needs the Mcp-Name header.`);
    const name = decodeHeaderValue(raw);
    if (name === undefined) return refuse(requestId, HEADER_MISMATCH, 'Header mismatch: Mcp-Name is not valid =?base64?…?= encoding.');
    if (name !== params.name)
      return refuse(requestId, HEADER_MISMATCH, `Header mismatch: Mcp-Name header does not match the body's params.name.`);
  }
  // Trace context in _meta is read by the tracing plugin, which starts the request's span.
  return { id: requestId, method, params, version };
}

export function isAnswer(checked: ModernRequest | ExchangeAnswer): checked is ExchangeAnswer {
  return 'status' in checked;
}

/** The answer to a method this gateway does not serve in the modern revision (incl. initialize and ping, which it removed). */
export function methodNotFound(id: RequestId, method: string): ExchangeAnswer {
  return refuse(id, -32601, `Method not found: ${method.slice(0, 64)} (served: server/discover, tools/list, tools/call).`, undefined, 404);
}

/** `{"resultType":"complete","_meta":{serverInfo},` — what opens every modern result. */
export function modernResultHead(serverInfo: { name: string; version: string }): string {
  return `{"resultType":"complete","_meta":${JSON.stringify({ [META_SERVER_INFO]: serverInfo })}`;
}

/**
 * A result serialised for the 2025 revisions (`{…}`) as a modern one: the head is spliced in
 * front of its fields. Bytes stay bytes, and are not copied.
 */
export function asModernResult(head: string, json: string | Buffer): string | Buffer[] {
  if (typeof json === 'string') return json === '{}' ? `${head}}` : `${head},${json.slice(1)}`;
  return json.length <= 2 ? [Buffer.from(`${head}}`)] : [Buffer.from(`${head},`), json.subarray(1)];
}
