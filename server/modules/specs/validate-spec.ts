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
import { refKind, resolveLocalPointer, unescapePointerToken } from './json-pointer.js';
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
    for (const problem of problemsFromMessages(result.errors.map((e) => e.message), copy, document)) {
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

  const warnings = firstResult ? problemsFromMessages(firstResult.warnings.map((w) => w.message), firstCopy, document) : [];
  return [...warnings, ...refs.unresolvable];
}

// "Be liberal in what you accept": a property where the OpenAPI schema allows none (a stray
// top-level `source`, a misplaced field in an operation) does not stop tools from being built,
// which read only the fields they know. Such a document is imported without the property and
// the violation listed as a warning; every other problem still refuses it.
const UNEXPECTED_PROPERTY = /^must NOT have additional properties: (.+) is not expected to be here$/;
const MAX_LENIENT_ROUNDS = 3;

/** `problem` when it is only an unexpected property: its parent object's pointer and the property's name. */
function unexpectedProperty(problem: SpecProblem): { parent: string; name: string } | undefined {
  const name = UNEXPECTED_PROPERTY.exec(problem.message)?.[1];
  if (name === undefined) return undefined;
  const tokens = problem.pointer.split('/');
  const last = tokens.at(-1);
  // The pointer names the property itself (usually) or the object that holds it.
  const parent = last !== undefined && unescapePointerToken(last) === name ? tokens.slice(0, -1).join('/') : problem.pointer;
  return { parent, name };
}

/**
 * validateDocument, with unexpected properties dropped (from a copy) and reported as warnings.
 * Returns the document to import: `document` itself when nothing was dropped.
 */
export async function validateLeniently(document: unknown): Promise<{ document: unknown; warnings: SpecWarning[] }> {
  let current = document;
  const dropped: SpecWarning[] = [];
  for (let round = 0; ; round++) {
    try {
      const warnings = await validateDocument(current);
      return { document: current, warnings: [...dropped, ...warnings] };
    } catch (err) {
      const problems = (err as { details?: SpecProblem[] }).details ?? [];
      const unexpected = problems.map(unexpectedProperty);
      if (round === MAX_LENIENT_ROUNDS || problems.length === 0 || unexpected.some((u) => u === undefined)) throw err;
      current = current === document ? structuredClone(document) : current;
      for (const [i, u] of unexpected.entries()) {
        const holder = u!.parent === '' ? current : resolveLocalPointer(current, `#${u!.parent}`);
        if (!isObject(holder) || !Object.hasOwn(holder, u!.name)) throw err;
        delete holder[u!.name];
        dropped.push({ message: `Ignored "${u!.name}": the OpenAPI schema has no such field here (${problems[i].message}).`, pointer: problems[i].pointer });
      }
    }
  }
}
