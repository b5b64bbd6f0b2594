// Input schemas carry portable property names (`_odata.type` for `@odata.type`); the API expects
// its own. The spec module records where they differ as a NameMap tree, applied here before a
// value is encoded. Keys the map does not know are sent as the caller gave them.
import type { NameMap } from '../specs/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';

/** An own entry only: a key such as `constructor` must not find Object.prototype's. */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * `value` with sanitized names replaced by real ones at every level `map` describes; `names`
 * stands in for the top level's own (a body keeps those apart, in `propertyNames`). A copy where
 * something changes; the caller's value is never edited.
 */
export function withRealNames(value: unknown, map: NameMap | undefined, names: Record<string, string> | undefined = map?.names): unknown {
  if (Array.isArray(value)) {
    const items = map?.items;
    return items ? value.map((item) => withRealNames(item, items)) : value;
  }
  if (!isPlainObject(value) || (names === undefined && map?.properties === undefined && map?.additionalProperties === undefined))
    return value;
  // fromEntries, not assignment: a key named __proto__ stays a key.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const below = map && (own(map.properties, key) ?? map.additionalProperties);
      return [own(names, key) ?? key, below ? withRealNames(item, below) : item];
    }),
  );
}
