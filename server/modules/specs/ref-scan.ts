// One pass over the whole document to find every `$ref`: local refs that lead nowhere are
// problems, refs to other files or URLs are reported and never fetched.
import type { SpecProblem, SpecWarning } from './types.js';
import { isObject } from './json-utils.js';
import { escapePointerToken, refKind, resolveLocalPointer } from './json-pointer.js';

export interface RefScan {
  /** Local refs whose target does not exist. */
  missing: SpecProblem[];
  /** Refs to other documents (and 3.1 anchors), each named once, with the first place it is used. */
  unresolvable: SpecWarning[];
}

// Values under these keys are data, not OpenAPI structure: a `$ref` key inside them is not a reference.
const DATA_KEYS = new Set(['example', 'default', 'enum', 'const']);
// Maps whose keys are names chosen by the author (a property may well be called `default`).
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'schemas',
  'parameters',
  'responses',
  'headers',
  'examples',
  'requestBodies',
  'securitySchemes',
  'links',
  'callbacks',
  'pathItems',
  'paths',
  'webhooks',
  'content',
  'encoding',
  'variables',
  'dependentSchemas',
]);

export function scanRefs(doc: unknown): RefScan {
  const missing: SpecProblem[] = [];
  const seenUnresolvable = new Map<string, SpecWarning>();
  const exists = new Map<string, boolean>();

  // Iterative walk: a 13 MB spec is deep and wide enough to make recursion risky.
  const stack: { value: unknown; pointer: string; names?: boolean }[] = [{ value: doc, pointer: '' }];
  while (stack.length > 0) {
    const { value, pointer, names } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], pointer: `${pointer}/${i}` });
      continue;
    }
    if (!isObject(value)) continue;
    const ref = value.$ref;
    if (typeof ref === 'string') {
      const kind = refKind(ref);
      if (kind === 'local') {
        let found = exists.get(ref);
        if (found === undefined) exists.set(ref, (found = resolveLocalPointer(doc, ref) !== undefined));
        if (!found)
          missing.push({ message: 'A reference points at nothing in this document (see the pointer).', pointer: `${pointer}/$ref` });
      } else if (!seenUnresolvable.has(ref)) {
        const why = kind === 'anchor' ? 'anchor references are not supported' : 'references to other files or URLs are never fetched';
        seenUnresolvable.set(ref, { message: `The reference "${ref}" was left unresolved: ${why}.`, pointer: `${pointer}/$ref` });
      }
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (!names && (DATA_KEYS.has(key) || key.startsWith('x-'))) continue;
      stack.push({ value: value[key], pointer: `${pointer}/${escapePointerToken(key)}`, names: !names && NAME_MAPS.has(key) });
    }
  }
  return { missing, unresolvable: [...seenUnresolvable.values()] };
}
