// Validation with @readme/openapi-parser, arranged so it stays fast and never reaches out:
// - it gets a copy (it dereferences what it is given, in place);
// - refs to schemas are masked as `x-ref` first: schema positions accept extensions, every schema
//   is still validated where it is defined, and the validator does not expand a 13 MB spec into
//   a graph that is far larger than the text;
// - external resolution is off, and refs we cannot follow are masked too (scanRefs reports them).
import { validate } from '@readme/openapi-parser';
import { SpecInvalid } from '../../errors.js';
import type { SpecProblem, SpecWarning } from './types.js';
import { isObject, withDetails, type JsonObject } from './json-utils.js';
import { followRefs, refKind, resolveLocalPointer, unescapePointerToken } from './json-pointer.js';
import { scanRefs } from './ref-scan.js';
import { problemsFromMessages } from './validation-problems.js';

// Semantic checks whose failure we repair while building tools (items default to {}, names are
// de-duplicated, path parameters are forced required or synthesised): warnings, not rejections.
const REPAIRED_RULES = {
  'array-without-items': 'warning',
  'duplicate-operation-id': 'warning',
  'non-optional-path-parameters': 'warning',
  'path-parameters-not-in-path': 'warning',
  'path-parameters-not-in-parameters': 'warning',
  'duplicate-non-request-body-parameters': 'warning',
} as const;

const MAX_ROUNDS = 5;

function isSchemaRef(ref: string): boolean {
  return ref.startsWith('#/components/schemas/') || ref.startsWith('#/definitions/');
}

/** Whether the validator must not follow `ref` in `doc`; one answer per distinct ref. */
function maskedRefs(doc: unknown): (ref: string) => boolean {
  const answers = new Map<string, boolean>();
  return (ref) => {
    let masked = answers.get(ref);
    if (masked === undefined) {
      masked = isSchemaRef(ref) || refKind(ref) === 'anchor' || (refKind(ref) === 'local' && resolveLocalPointer(doc, ref) === undefined);
      answers.set(ref, masked);
    }
    return masked;
  };
}

/**
 * Replaces `$ref` with `x-ref` where the validator must not follow it. Mutates `doc` (a copy).
 * In OpenAPI 3.0 the other fields of a Reference Object "SHALL be ignored"; once masked, the
 * object would be checked as a Schema Object, so they are dropped from the copy first. A ref that
 * pointed into the dropped fields (it happens) no longer resolves in the copy, and is masked too.
 */
function maskRefs(doc: unknown): void {
  const siblingsIgnored = isObject(doc) && typeof doc.openapi === 'string' && doc.openapi.startsWith('3.0');
  const refNodes: JsonObject[] = [];
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (isObject(node)) {
      if (typeof node.$ref === 'string') refNodes.push(node);
      for (const value of Object.values(node)) if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
  if (siblingsIgnored) {
    const masked = maskedRefs(doc);
    for (const node of refNodes) {
      if (!masked(node.$ref as string)) continue;
      for (const key of Object.keys(node)) if (key !== '$ref' && !key.startsWith('x-')) delete node[key];
    }
  }
  const masked = maskedRefs(doc); // asked again: dropped fields may have been some ref's target
  for (const node of refNodes) {
    const ref = node.$ref as string;
    if (!masked(ref)) continue;
    node['x-ref'] = ref;
    delete node.$ref;
  }
}

function invalid(problems: SpecProblem[]): Error {
  const first = problems[0];
  const where = first.pointer ? ` (at ${first.pointer})` : '';
  const more = problems.length > 1 ? ` — and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}` : '';
  return withDetails(new SpecInvalid(`${first.message}${where}${more}`), problems);
}

type ValidationResult = Awaited<ReturnType<typeof validate>>;

async function runValidator(copy: unknown): Promise<ValidationResult> {
  // Always an object: a string argument would be read as a file path or URL.
  return validate(copy as Parameters<typeof validate>[0], {
    resolve: { external: false, file: false },
    validate: { rules: { openapi: REPAIRED_RULES, swagger: REPAIRED_RULES } },
  });
}

function maskedCopy(document: unknown, setAside: [string, string][]): unknown {
  const copy = structuredClone(document);
  maskRefs(copy);
  const paths = isObject(copy) && isObject(copy.paths) ? copy.paths : {};
  for (const [path, method] of setAside) if (isObject(paths[path])) delete paths[path][method];
  return copy;
}

/** `/paths/~1items/get/...` -> ['/items', 'get']. */
function operationOf(pointer: string): [string, string] | undefined {
  const [, root, path, method] = pointer.split('/');
  return root === 'paths' && path !== undefined && method !== undefined ? [unescapePointerToken(path), method] : undefined;
}

/**
 * Validates an OpenAPI 3.x or Swagger 2.0 document. Throws SpecInvalid listing every problem found;
 * returns warnings (repaired rule violations, refs that were left unresolved).
 */
export async function validateDocument(document: unknown): Promise<SpecWarning[]> {
  const refs = scanRefs(document);
  const problems: SpecProblem[] = [];
  const seen = new Set<string>();
  const setAside: [string, string][] = [];
  let firstResult: ValidationResult | undefined;
  let firstCopy: unknown;

  // The validator's error report folds together errors under different paths that share a method
  // (its tree ignores `~1`-escaped keys), so one missing `responses` can hide a bad parameter
  // elsewhere. After each failing round the operations already reported are set aside and the
  // rest is validated again, a bounded number of times.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const copy = maskedCopy(document, setAside);
    let result: ValidationResult;
    try {
      result = await runValidator(copy);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ message: `The document could not be validated: ${message}`, pointer: '' });
      break;
    }
    if (round === 0) {
      firstResult = result;
      firstCopy = copy;
    }
    if (result.valid) break;
    let newOperations = 0;
    for (const problem of problemsFromMessages(
      result.errors.map((e) => e.message),
      copy,
      document,
    )) {
      const key = `${problem.pointer} ${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
      const operation = operationOf(problem.pointer);
      if (operation && !setAside.some(([p, m]) => p === operation[0] && m === operation[1])) {
        setAside.push(operation);
        newOperations++;
      }
    }
    if (result.additionalErrors > 0) problems.push({ message: `…and ${result.additionalErrors} more problems not listed.`, pointer: '' });
    if (newOperations === 0 || result.additionalErrors > 0) break;
  }
  problems.push(...refs.missing);
  if (problems.length > 0) throw invalid(problems);

  const warnings = firstResult
    ? problemsFromMessages(
        firstResult.warnings.map((w) => w.message),
        firstCopy,
        document,
      )
    : [];
  return [...warnings, ...refs.unresolvable];
}

// "Be liberal in what you accept": some violations of the OpenAPI schema do not stop tools from
// being built, which read only the fields they know. A document whose every problem is one of
// these is imported with the problem repaired in a copy and listed as a warning with its pointer;
// any other problem still refuses it. Found in APIs.guru's collection: a stray top-level field
// (googleapis cloudbuild's `source`), a parameter's `explode` inside its schema and a path
// parameter without `required` (enode.io), a non-string `pattern` (api.video), a response
// without its `description`.
const MAX_LENIENT_ROUNDS = 3;
/** Schema keywords that only describe or narrow a value: a wrongly typed one is dropped, not fatal. */
const DROPPABLE_KEYWORDS = new Set(['pattern', 'format', 'title', 'description', 'summary']);

interface Repair {
  /** The object holding the field, and the field. */
  parent: string;
  name: string;
  apply(holder: JsonObject): void;
  message: string;
}

function lastToken(pointer: string): { parent: string; name: string } {
  const tokens = pointer.split('/');
  return { parent: tokens.slice(0, -1).join('/'), name: unescapePointerToken(tokens.at(-1) ?? '') };
}

/** How to repair `problem`, when it is one that does not stop tools from being built. */
function repairFor(problem: SpecProblem): Repair | undefined {
  const unexpected = /^must NOT have additional properties: (.+) is not expected to be here$/.exec(problem.message)?.[1];
  if (unexpected !== undefined) {
    // The pointer names the property itself (usually) or the object that holds it.
    const last = lastToken(problem.pointer);
    const parent = last.name === unexpected ? last.parent : problem.pointer;
    return {
      parent,
      name: unexpected,
      apply: (holder) => delete holder[unexpected],
      message: `Ignored "${unexpected}": the OpenAPI schema has no such field here.`,
    };
  }
  const { parent, name } = lastToken(problem.pointer);
  if (problem.message === "must have required property 'description'" && name === 'description' && /\/responses\/[^/]+$/.test(parent)) {
    return {
      parent,
      name,
      apply: (holder) => (holder.description = ''),
      message: 'This response has no "description", which OpenAPI requires; imported with an empty one.',
    };
  }
  if (problem.message === "must have required property 'required'" && name === 'required' && /\/parameters\/\d+$/.test(parent)) {
    // Only path parameters must say so, and tools make every path parameter required anyway.
    return {
      parent,
      name,
      apply: (holder) => (holder.required = true),
      message: 'A path parameter without "required": true, which OpenAPI requires; imported as required.',
    };
  }
  if (/^must be (string|number|integer|boolean|object|array)\b/.test(problem.message) && DROPPABLE_KEYWORDS.has(name)) {
    return { parent, name, apply: (holder) => delete holder[name], message: `Ignored "${name}": ${problem.message}.` };
  }
  return undefined;
}

/**
 * The object at `pointer`, following `$ref`s on the way (the validator reports refs' targets at
 * the place they are used) but not at the last step: an object reached through a ref there may
 * be shared with uses in another role (a response that refs a schema), where it is not wrong.
 */
function objectAt(doc: unknown, pointer: string): JsonObject | undefined {
  let current: unknown = doc;
  for (const raw of pointer === '' ? [] : pointer.split('/').slice(1)) {
    current = followRefs(doc, current).value;
    const token = unescapePointerToken(raw);
    if (Array.isArray(current) && /^\d+$/.test(token)) current = current[Number(token)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else return undefined;
  }
  return isObject(current) && typeof current.$ref !== 'string' ? current : undefined;
}

/**
 * validateDocument, with the problems that do not stop tools from being built repaired (in a copy)
 * and reported as warnings. Returns the document to import: `document` itself when nothing was repaired.
 */
export async function validateLeniently(document: unknown): Promise<{ document: unknown; warnings: SpecWarning[] }> {
  let current = document;
  const repaired: SpecWarning[] = [];
  for (let round = 0; ; round++) {
    try {
      const warnings = await validateDocument(current);
      return { document: current, warnings: [...repaired, ...warnings] };
    } catch (err) {
      const problems = (err as { details?: SpecProblem[] }).details ?? [];
      const repairs = problems.map(repairFor);
      if (round === MAX_LENIENT_ROUNDS || problems.length === 0 || repairs.some((r) => r === undefined)) throw err;
      current = current === document ? structuredClone(document) : current;
      for (const [i, repair] of repairs.entries()) {
        const holder = objectAt(current, repair!.parent);
        if (!holder) throw err;
        repair!.apply(holder);
        repaired.push({ message: repair!.message, pointer: problems[i].pointer });
      }
    }
  }
}
