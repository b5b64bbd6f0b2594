// Small helpers for walking untrusted JSON: a spec is data from outside, so every field is
// checked at runtime rather than trusted to match the OpenAPI types.
import { createHash } from 'node:crypto';
import type { ErrorDetail } from '../../errors.js';
import { isPlainObject } from '../shared/is-plain-object.js';

export type JsonObject = { [key: string]: unknown };

/** A JSON object (not an array, not null): the shared check under the name the spec code uses. */
export const isObject: (value: unknown) => value is JsonObject = isPlainObject;

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** JSON with object keys sorted, so equal data always hashes the same. */
export function stableStringify(value: unknown): string {
  // The replacer hands JSON.stringify a key-sorted copy of each object; native escaping stays.
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (!isObject(v)) return v;
    const sorted: JsonObject = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}

export function shortHash(text: string, length = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Trims text to `max` characters on a word boundary where one is near, marking the cut. */
export function truncateText(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.8 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A copy without undefined-valued fields, as the data will look once stored as JSON. */
export function asStoredJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Sets an own entry whatever the name: names in a spec are data, and `record['__proto__'] = v`
 * would set the record's prototype instead (the entry silently gone).
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** An own entry only: a name such as `constructor` must not find Object.prototype's. */
export function ownEntry<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Attaches the list of problems an error handler shows next to the message. */
export function withDetails<E extends Error>(error: E, details: ErrorDetail[]): E & { details: ErrorDetail[] } {
  return Object.assign(error, { details });
}
