// JSON pointers (RFC 6901) and the document-local `$ref`s that use them. Only refs into the
// same document are ever followed: external files and URLs are never fetched.
import { isObject } from './json-utils.js';

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function pointerOf(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(String(t))}`).join('');
}

export type RefKind = 'local' | 'anchor' | 'external';

/** `#/components/...` is local; `#name` is a 3.1 anchor (unsupported); anything else names another file or URL. */
export function refKind(ref: string): RefKind {
  if (ref === '#' || ref.startsWith('#/')) return 'local';
  if (ref.startsWith('#')) return 'anchor';
  return 'external';
}

function decodeToken(token: string): string | undefined {
  try {
    return decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
  } catch {
    return undefined;
  }
}

/** The value a local ref points at, or undefined when the pointer leads nowhere. */
export function resolveLocalPointer(doc: unknown, ref: string): unknown {
  if (refKind(ref) !== 'local') return undefined;
  if (ref === '#') return doc;
  let current: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeToken(raw);
    if (token === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (isObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      return undefined;
    }
  }
  return current;
}

export interface ResolvedObject {
  value: unknown;
  /** The last ref followed, when the value came through one or more refs. */
  ref?: string;
  /** Set when the chain stopped at a ref that cannot be followed (external, anchor, missing, looping). */
  unresolved?: string;
}

/** Follows a chain of `{ $ref }` objects (parameters, bodies, path items, schemas) to the value. */
export function followRefs(doc: unknown, value: unknown): ResolvedObject {
  let current = value;
  let lastRef: string | undefined;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref;
    if (hops >= 32 || refKind(ref) !== 'local') return { value: current, ref: lastRef, unresolved: ref };
    const target = resolveLocalPointer(doc, ref);
    if (target === undefined) return { value: current, ref: lastRef, unresolved: ref };
    lastRef = ref;
    current = target;
  }
  return { value: current, ref: lastRef };
}
