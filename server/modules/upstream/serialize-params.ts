// OpenAPI 3 parameter serialization (the style/explode table), one function per location.
// Values are encoded here, once; the request builder only concatenates.
import type { ParamBinding } from '../specs/types.js';
import { InvalidArgument } from './errors.js';
import { isPlainObject } from '../shared/is-plain-object.js';

type Scalar = string | number | boolean | null;
type Entries = [string, string][];

/** RFC 3986 reserved characters that `allowReserved` leaves as they are. `#` is never sent raw: it would end the URL. */
const RESERVED = new Set([...":/?[]@!$&'()*+,;="]);

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** A value as text: strings as given, other scalars as JSON would write them, anything else as JSON. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Object properties in order, absent ones left out. */
function objectEntries(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

export function encodeValue(text: string, allowReserved = false): string {
  if (!allowReserved) return encodeURIComponent(text);
  let out = '';
  // Percent-encoded triples stay as given when reserved characters are allowed (OpenAPI 3.1.1).
  for (const piece of text.split(/(%[0-9A-Fa-f]{2})/)) {
    if (/^%[0-9A-Fa-f]{2}$/.test(piece)) out += piece;
    else for (const ch of piece) out += RESERVED.has(ch) ? ch : encodeURIComponent(ch);
  }
  return out;
}

/** Parameter names keep literal brackets so `filter[status]` reads as the API documents it. */
export function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}

/** `simple`, `label` and `matrix` path styles. */
export function serializePathParam(param: ParamBinding, value: unknown): string {
  const enc = (v: unknown) => encodeURIComponent(scalarText(v));
  if (param.contentType) return enc(JSON.stringify(value));
  const name = encodeName(param.name);
  const { style, explode } = param;
  if (Array.isArray(value)) {
    const items = value.map(enc);
    if (style === 'label') return `.${items.join(explode ? '.' : ',')}`;
    if (style === 'matrix')
      return explode ? items.map((v) => `;${name}=${v}`).join('') : `;${name}${items.length ? `=${items.join(',')}` : ''}`;
    return items.join(',');
  }
  if (isPlainObject(value)) {
    const entries = objectEntries(value).map(([k, v]) => [encodeURIComponent(k), enc(v)] as const);
    const flat = entries.map(([k, v]) => `${k},${v}`).join(',');
    const pairs = (sep: string) => entries.map(([k, v]) => `${k}=${v}`).join(sep);
    if (style === 'label') return `.${explode ? pairs('.') : flat}`;
    if (style === 'matrix') return explode ? entries.map(([k, v]) => `;${k}=${v}`).join('') : `;${name}=${flat}`;
    return explode ? pairs(',') : flat;
  }
  const text = enc(value as Scalar);
  if (style === 'label') return `.${text}`;
  if (style === 'matrix') return `;${name}=${text}`;
  return text;
}

/** Query parameters as already-encoded `name=value` pairs, in order. */
export function serializeQueryParam(param: ParamBinding, value: unknown): string[] {
  const enc = (v: unknown) => encodeValue(scalarText(v), param.allowReserved);
  const name = encodeName(param.name);
  if (param.contentType) return [`${name}=${encodeURIComponent(JSON.stringify(value))}`];
  if (param.style === 'deepObject') return deepObjectPairs(param.name, value).map(([k, v]) => `${encodeName(k)}=${enc(v)}`);
  const joiner = param.style === 'spaceDelimited' ? '%20' : param.style === 'pipeDelimited' ? '|' : ',';
  if (Array.isArray(value)) {
    if (param.explode) return value.filter((v) => !isAbsent(v)).map((v) => `${name}=${enc(v)}`);
    return [`${name}=${value.map(enc).join(joiner)}`];
  }
  if (isPlainObject(value)) {
    const entries = objectEntries(value);
    if (param.explode && param.style === 'form') return entries.map(([k, v]) => `${encodeName(k)}=${enc(v)}`);
    return [`${name}=${entries.map(([k, v]) => `${encodeURIComponent(k)}${joiner}${enc(v)}`).join(joiner)}`];
  }
  return [`${name}=${enc(value)}`];
}

/**
 * `name[key]=value`, nested objects as `name[a][b]` and arrays as `name[a][0]`: OpenAPI leaves
 * nesting undefined, this is what qs, Rails and Stripe-style APIs read.
 */
export function deepObjectPairs(prefix: string, value: unknown): Entries {
  if (Array.isArray(value)) return value.flatMap((v, i) => deepObjectPairs(`${prefix}[${i}]`, v));
  if (isPlainObject(value)) return objectEntries(value).flatMap(([k, v]) => deepObjectPairs(`${prefix}[${k}]`, v));
  return isAbsent(value) ? [] : [[prefix, scalarText(value)]];
}

/** Header parameters: `simple` style, never percent-encoded. */
export function serializeHeaderParam(param: ParamBinding, value: unknown): string {
  let text: string;
  if (param.contentType) text = JSON.stringify(value);
  else if (Array.isArray(value)) text = value.map(scalarText).join(',');
  else if (isPlainObject(value))
    text = objectEntries(value)
      .map(([k, v]) => `${k}${param.explode ? '=' : ','}${scalarText(v)}`)
      .join(',');
  else text = scalarText(value);
  assertHeaderValue(param.name, text);
  return text;
}

/**
 * Cookie parameters: `form` style pairs for one `Cookie` header. Names are encoded like values: a
 * key such as `a=1; sess` would otherwise add a cookie of its own, or shadow a cookie credential.
 */
export function serializeCookieParam(param: ParamBinding, value: unknown): string[] {
  const enc = (v: unknown) => encodeURIComponent(scalarText(v));
  const name = encodeURIComponent(param.name);
  if (param.contentType) return [`${name}=${encodeURIComponent(JSON.stringify(value))}`];
  if (Array.isArray(value)) {
    return param.explode ? value.map((v) => `${name}=${enc(v)}`) : [`${name}=${value.map(enc).join(',')}`];
  }
  if (isPlainObject(value)) {
    const entries = objectEntries(value);
    if (param.explode) return entries.map(([k, v]) => `${encodeURIComponent(k)}=${enc(v)}`);
    return [`${name}=${entries.map(([k, v]) => `${encodeURIComponent(k)},${enc(v)}`).join(',')}`];
  }
  return [`${name}=${enc(value)}`];
}

/** Header values with CR, LF or other control characters would split or corrupt the request. */
export function assertHeaderValue(name: string, value: string): void {
  if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
    throw new InvalidArgument(
      `The value of header "${name}" contains characters that cannot be sent in an HTTP header (line breaks, control or non-Latin-1 characters).`,
    );
  }
}
