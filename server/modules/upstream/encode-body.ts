// The request body, from the tool's body argument to bytes and a Content-Type, for each media
// type a spec can declare. Files travel through JSON arguments as base64.
import { randomBytes } from 'node:crypto';
import type { BodyBinding } from '../specs/types.js';
import { InvalidArgument } from './errors.js';
import { withRealNames } from './real-names.js';
import { deepObjectPairs, scalarText } from './serialize-params.js';
import { isPlainObject } from '../shared/is-plain-object.js';

export interface EncodedBody {
  contentType: string;
  bytes: Buffer;
}

/** A file given as an argument. A plain string is sent as a text file instead. */
interface FileArgument {
  filename?: string;
  contentType?: string;
  base64: string;
}

type Encoding = NonNullable<BodyBinding['encoding']>[string] | undefined;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$|^[A-Za-z0-9_-]*$/;
const BINARY_TYPES = /^(application\/(octet-stream|pdf|zip|gzip|x-tar|x-7z-compressed)|image\/(?!svg)|audio\/|video\/|font\/)/;

export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Sanitized property names back to the names the API expects, at every level. */
function bodyWithRealNames(binding: BodyBinding, value: unknown): unknown {
  // The tool-call hot path: most bodies have nothing to rename.
  if (binding.propertyNames === undefined && binding.nestedNames === undefined) return value;
  return withRealNames(value, binding.nestedNames, binding.propertyNames);
}

export function decodeBase64(text: string, what: string): Buffer {
  // Models often hand over data URLs; the prefix is not part of the bytes.
  const compact = text.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new InvalidArgument(`${what} must be base64-encoded.`);
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

export function encodeBody(binding: BodyBinding, value: unknown): EncodedBody {
  const type = mediaType(binding.contentType);
  const body = bodyWithRealNames(binding, value);
  if (isJsonMediaType(type)) return { contentType: binding.contentType, bytes: Buffer.from(JSON.stringify(body), 'utf8') };
  if (type === 'application/x-www-form-urlencoded')
    return { contentType: binding.contentType, bytes: Buffer.from(formUrlEncoded(binding, body), 'utf8') };
  if (type === 'multipart/form-data') return multipart(binding, body);
  // The spec module marks every non-text, non-JSON, non-form body as binary (base64 in the tool).
  if (binding.binary || BINARY_TYPES.test(type)) {
    if (typeof body !== 'string') throw new InvalidArgument(`"${binding.arg}" must be a base64 string (the ${type} body).`);
    return { contentType: binding.contentType, bytes: decodeBase64(body, `"${binding.arg}"`) };
  }
  if (type.includes('*')) {
    // A wildcard says nothing: send text as text and anything else as JSON.
    return typeof body === 'string'
      ? { contentType: 'text/plain; charset=utf-8', bytes: Buffer.from(body, 'utf8') }
      : { contentType: 'application/json', bytes: Buffer.from(JSON.stringify(body), 'utf8') };
  }
  // text/*, XML and any other textual type: the argument is the text.
  const contentType =
    type.startsWith('text/') && !/charset=/i.test(binding.contentType) ? `${binding.contentType}; charset=utf-8` : binding.contentType;
  return { contentType, bytes: Buffer.from(scalarText(body), 'utf8') };
}

function formUrlEncoded(binding: BodyBinding, body: unknown): string {
  if (!isPlainObject(body)) throw new InvalidArgument(`"${binding.arg}" must be an object (the form fields).`);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    for (const [k, v] of formFieldPairs(name, value, binding.encoding?.[name])) form.append(k, v);
  }
  return form.toString();
}

/** One form field per OpenAPI's form encoding: `form` style, exploded, unless `encoding` says otherwise. */
function formFieldPairs(name: string, value: unknown, encoding: Encoding): [string, string][] {
  if (encoding?.contentType && isJsonMediaType(mediaType(encoding.contentType))) return [[name, JSON.stringify(value)]];
  if (encoding?.style === 'deepObject') return deepObjectPairs(name, value);
  const explode = encoding?.explode ?? true;
  const joiner = encoding?.style === 'spaceDelimited' ? ' ' : encoding?.style === 'pipeDelimited' ? '|' : ',';
  if (Array.isArray(value)) return explode ? value.map((v) => [name, scalarText(v)]) : [[name, value.map(scalarText).join(joiner)]];
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return explode ? entries.map(([k, v]) => [k, scalarText(v)]) : [[name, entries.flatMap(([k, v]) => [k, scalarText(v)]).join(joiner)]];
  }
  return [[name, scalarText(value)]];
}

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

function multipart(binding: BodyBinding, body: unknown): EncodedBody {
  if (!isPlainObject(body)) throw new InvalidArgument(`"${binding.arg}" must be an object (the form fields).`);
  const files = new Set(binding.fileProperties ?? []);
  const sanitizedOf = new Map(Object.entries(binding.propertyNames ?? {}).map(([sanitized, real]) => [real, sanitized]));
  const parts: Part[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const encoding = binding.encoding?.[name] ?? binding.encoding?.[sanitizedOf.get(name) ?? ''];
    const isFile = files.has(name) || files.has(sanitizedOf.get(name) ?? '');
    const items = Array.isArray(value) && (isFile || encoding?.explode) ? value : [value];
    for (const item of items) parts.push(isFile ? filePart(name, item, encoding) : fieldPart(name, item, encoding));
  }
  // 24 random bytes: a boundary that cannot plausibly occur inside a part.
  const boundary = `----LatchkeyBoundary${randomBytes(24).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(part.name)}"`;
    if (part.filename !== undefined) head += `; filename="${escapeQuoted(part.filename)}"`;
    if (part.contentType) head += `\r\nContent-Type: ${partContentType(part)}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), part.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, bytes: Buffer.concat(chunks) };
}

function firstType(encoding: Encoding): string | undefined {
  return encoding?.contentType?.split(',')[0].trim() || undefined;
}

function filePart(name: string, value: unknown, encoding: Encoding): Part {
  if (typeof value === 'string') {
    return { name, filename: name, contentType: firstType(encoding) ?? 'text/plain; charset=utf-8', bytes: Buffer.from(value, 'utf8') };
  }
  if (!isPlainObject(value) || typeof value.base64 !== 'string') {
    throw new InvalidArgument(`"${name}" must be a string (sent as a text file) or {"filename", "contentType", "base64"}.`);
  }
  const file = value as unknown as FileArgument;
  return {
    name,
    filename: typeof file.filename === 'string' && file.filename ? file.filename : name,
    contentType:
      typeof file.contentType === 'string' && file.contentType ? file.contentType : (firstType(encoding) ?? 'application/octet-stream'),
    bytes: decodeBase64(file.base64, `"${name}.base64"`),
  };
}

function fieldPart(name: string, value: unknown, encoding: Encoding): Part {
  const contentType = firstType(encoding);
  if (typeof value === 'object' && value !== null) {
    return { name, contentType: contentType ?? 'application/json', bytes: Buffer.from(JSON.stringify(value), 'utf8') };
  }
  return { name, contentType, bytes: Buffer.from(scalarText(value), 'utf8') };
}

/**
 * As browsers do for form-data names (quotes and line breaks percent-encoded), and backslashes and
 * other control characters too: a parser that reads `\"` as an escaped quote would otherwise run
 * past the closing quote into the next parameter.
 */
function escapeQuoted(text: string): string {
  return text.replace(/["\\\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A part's Content-Type is a header line of its own: a line break in it would add part headers. */
function partContentType(part: Part): string {
  const type = part.contentType ?? '';
  if (/[^\t\x20-\x7e]/.test(type)) {
    throw new InvalidArgument(
      `The content type of "${part.name}" contains line breaks, control or non-ASCII characters; give a media type such as "image/png".`,
    );
  }
  return type;
}
