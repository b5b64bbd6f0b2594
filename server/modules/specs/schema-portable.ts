// OpenAPI schema -> portable JSON Schema 2020-12 for tool input: no $ref left, recursion cut at a
// bounded depth, and a size budget per tool so a huge spec cannot produce a huge (or exponential)
// schema. Converted refs are memoised across the whole import where no recursion was cut inside,
// which is what keeps a 13 MB spec with thousands of shared schemas fast.
import type { JsonSchema } from './types.js';
import { isObject, setEntry, stableStringify, type JsonObject } from './json-utils.js';
import { followRefs, refKind, resolveLocalPointer } from './json-pointer.js';
import {
  applyNullable,
  copyLeafKeywords,
  isLeafSchema,
  isPortablePattern,
  normaliseType,
  ownSize,
  setTypes,
  typeList,
} from './schema-keywords.js';
import { mergeSchemas } from './schema-merge.js';

/** How many times one ref may be expanded inside itself before the recursion is cut. */
export const MAX_REF_REPEATS = 2;

export class SchemaBudgetExceeded extends Error {}
// Thrown often while a tool searches for a depth that fits: one instance, no stack captured each time.
const BUDGET_EXCEEDED = new SchemaBudgetExceeded('schema budget exceeded');

interface MemoEntry {
  schema: JsonSchema;
  size: number;
  truncated: number;
}

/** Shared by every tool of one import. */
export interface SchemaSource {
  doc: JsonObject;
  memo: Map<string, MemoEntry>;
  /** Per ref and depth: a size it is known to reach, so a later attempt can give up at once. */
  lowerBounds: Map<string, number>;
  /** Local ref -> target (undefined when it points nowhere). */
  targets: Map<string, unknown>;
  /**
   * Objects reachable by more than one path (YAML aliases), and everything inside them, each with
   * a memo key: converted once per depth like a ref, never once per place that uses them.
   */
  shared: Map<object, string>;
  /** Bytes of input schema the whole import may still produce (see IMPORT_SCHEMA_BUDGET). */
  remaining: number;
  /** Bytes of output schema it may still produce (see IMPORT_OUTPUT_BUDGET in output-schema.ts). */
  outputRemaining: number;
  /** Bytes of output schema one tool may take (outputBudgetPerTool in output-schema.ts). */
  outputPerTool: number;
}

/** Objects the document reaches by more than one path, and all that lies inside them. */
function sharedObjects(doc: JsonObject): Map<object, string> {
  const seen = new Set<object>();
  const roots: object[] = [];
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (seen.has(node)) {
      roots.push(node);
      continue;
    }
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (typeof child === 'object' && child !== null) stack.push(child);
  }
  const shared = new Map<object, string>();
  for (const root of roots) {
    const inner: unknown[] = [root];
    while (inner.length > 0) {
      const node = inner.pop();
      if (typeof node !== 'object' || node === null || shared.has(node)) continue;
      shared.set(node, `@${shared.size}`);
      for (const child of Array.isArray(node) ? node : Object.values(node)) inner.push(child);
    }
  }
  return shared;
}

export function createSchemaSource(doc: JsonObject, importBudget = Number.POSITIVE_INFINITY, outputBudget = importBudget): SchemaSource {
  return {
    doc,
    memo: new Map(),
    lowerBounds: new Map(),
    targets: new Map(),
    shared: sharedObjects(doc),
    remaining: importBudget,
    outputRemaining: outputBudget,
    outputPerTool: Number.POSITIVE_INFINITY,
  };
}

function resolveCached(source: SchemaSource, ref: string): unknown {
  if (source.targets.has(ref)) return source.targets.get(ref);
  const target = refKind(ref) === 'local' ? resolveLocalPointer(source.doc, ref) : undefined;
  source.targets.set(ref, target);
  return target;
}

function refName(ref: string): string {
  const last = ref.split('/').pop() ?? ref;
  return last.replace(/~1/g, '/').replace(/~0/g, '~');
}

const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', 'deprecated']);

/**
 * Drops branches that accept exactly what an earlier one accepts: `oneOf: [{type: string},
 * {type: string}]` would otherwise reject every value, which no spec author means.
 */
function distinct(branches: JsonSchema[] | undefined): JsonSchema[] | undefined {
  if (!branches) return undefined;
  const seen = new Set<string>();
  return branches.filter((branch) => {
    const key = stableStringify(Object.fromEntries(Object.entries(branch).filter(([k]) => !ANNOTATIONS.has(k))));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Converts schemas for one tool within one depth limit and size budget. */
export class SchemaConverter {
  used = 0;
  /** Places summarised because they were deeper than maxDepth. */
  truncated = 0;
  private cuts = 0;
  private readonly stack: string[] = [];

  /**
   * `lean`: descriptions and examples below the top level are left out, the last resort for a
   * schema that is too large even with all nesting summarised (hundreds of documented fields).
   * `output`: a response's schema, where readOnly properties are the point and writeOnly ones
   * never appear (an input schema leaves out readOnly ones instead).
   */
  constructor(
    private readonly source: SchemaSource,
    private readonly maxDepth: number,
    private readonly budget: number,
    private readonly lean = false,
    private readonly tooLarge = 'nested structure not expanded: the schema is too large',
    private readonly output = false,
  ) {}

  convert(schema: unknown, depth = 0): JsonSchema {
    if (schema === undefined || schema === true) return {};
    if (schema === false) return { not: {} };
    if (!isObject(schema)) return {};
    if (depth > this.maxDepth) {
      const target = followRefs(this.source.doc, schema).value;
      if (!isLeafSchema(target)) return this.summary(target, this.tooLarge);
    }
    if (typeof schema.$ref === 'string') return this.convertRef(schema, schema.$ref, depth);
    const sharedKey = this.source.shared.get(schema);
    return sharedKey !== undefined && !isLeafSchema(schema)
      ? this.convertTarget(sharedKey, schema, depth, true)
      : this.convertNode(schema, depth);
  }

  /** True when a (possibly referenced) schema is readOnly: such properties are left out of inputs. */
  isReadOnly(schema: unknown, flag: 'readOnly' | 'writeOnly' = 'readOnly'): boolean {
    for (let node = schema, hops = 0; isObject(node) && hops < 32; hops++) {
      if (node[flag] === true) return true;
      if (typeof node.$ref !== 'string') return false;
      node = resolveCached(this.source, node.$ref);
    }
    return false;
  }

  /** Names of readOnly properties declared by a schema or any of its allOf parts. */
  private readOnlyNames(schema: unknown, level: number): Set<string> {
    const names = new Set<string>();
    const node = followRefs(this.source.doc, schema).value;
    if (!isObject(node) || level > 8) return names;
    if (isObject(node.properties)) {
      for (const [name, property] of Object.entries(node.properties)) if (this.isReadOnly(property)) names.add(name);
    }
    if (Array.isArray(node.allOf)) for (const part of node.allOf) for (const name of this.readOnlyNames(part, level + 1)) names.add(name);
    return names;
  }

  private charge(size: number): void {
    this.used += size;
    if (this.used > this.budget) throw BUDGET_EXCEEDED;
  }

  /** A permissive stand-in for a schema that is not expanded: its type, if it declares one, and why. */
  private stub(target: unknown, description: string): JsonSchema {
    const types = isObject(target) ? normaliseType(target.type) : undefined;
    const out: JsonSchema = { description };
    if (types) setTypes(out, types);
    else if (isObject(target) && isObject(target.properties)) out.type = 'object';
    if (types?.includes('array')) out.items = {};
    this.charge(ownSize(out));
    return out;
  }

  private summary(target: unknown, why: string): JsonSchema {
    this.truncated++;
    const label = isObject(target) && typeof target.title === 'string' ? `${target.title}: ` : '';
    return this.stub(target, `${label}(${why})`);
  }

  private convertRef(node: JsonObject, ref: string, depth: number): JsonSchema {
    const target = resolveCached(this.source, ref);
    let base: JsonSchema;
    if (target === undefined) {
      // Never fetched (external) or missing: accept anything rather than guess.
      base = this.stub(undefined, `(defined by the unresolved reference ${ref})`);
    } else if (this.stack.filter((r) => r === ref).length >= MAX_REF_REPEATS) {
      this.cuts++;
      base = this.stub(target, `(recursive: ${refName(ref)} — structure not expanded further)`);
    } else {
      base = this.convertTarget(ref, target, depth);
    }
    const siblings = Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref' && k !== 'summary' && !k.startsWith('x-')));
    if (Object.keys(siblings).length === 0) return base;
    // 3.1 allows keywords beside $ref (and 3.0 specs use them anyway): they apply together.
    const own = this.convertNode(siblings, depth);
    return mergeSchemas([base, own]) ?? { allOf: [base, own] };
  }

  /** `ref` is a `$ref`, or the memo key of a shared object (`inline`: `target` is that object itself). */
  private convertTarget(ref: string, target: unknown, depth: number, inline = false): JsonSchema {
    const key = `${ref}|${this.maxDepth - depth}${this.lean ? '|lean' : ''}${this.output ? '|out' : ''}`;
    const memo = this.source.memo.get(key);
    if (memo) {
      this.truncated += memo.truncated;
      this.charge(memo.size);
      return { ...memo.schema }; // callers may add keys at the top level, never below
    }
    // Known to be at least this large from an earlier attempt that ran out of budget inside it.
    const atLeast = this.source.lowerBounds.get(key) ?? 0;
    if (this.used + atLeast > this.budget) throw BUDGET_EXCEEDED;
    const before = { used: this.used, cuts: this.cuts, truncated: this.truncated };
    this.stack.push(ref);
    let schema: JsonSchema;
    try {
      schema = inline ? this.convertNode(target as JsonObject, depth) : this.convert(target, depth);
    } catch (error) {
      if (error instanceof SchemaBudgetExceeded) this.source.lowerBounds.set(key, Math.max(atLeast, this.used - before.used));
      throw error;
    }
    this.stack.pop();
    // A result with a recursion cut inside depends on what encloses it: only the rest is reusable.
    if (this.cuts === before.cuts) {
      this.source.memo.set(key, { schema, size: this.used - before.used, truncated: this.truncated - before.truncated });
      return { ...schema };
    }
    return schema;
  }

  private convertList(list: unknown, depth: number): JsonSchema[] | undefined {
    if (!Array.isArray(list) || list.length === 0) return undefined;
    return list.map((item) => this.convert(item, depth));
  }

  private convertNode(node: JsonObject, depth: number): JsonSchema {
    let out: JsonSchema = {};
    const declared = normaliseType(node.type);
    if (declared) setTypes(out, declared);
    // `additionalProperties: true` alone still means an object in OpenAPI (the keyword applies to nothing else).
    else if (isObject(node.properties) || node.additionalProperties !== undefined || isObject(node.patternProperties)) out.type = 'object';
    else if (node.items !== undefined || Array.isArray(node.prefixItems)) out.type = 'array';
    copyLeafKeywords(node, out);
    if (this.lean && depth > 0) {
      delete out.description;
      delete out.examples;
    }

    const readOnly: string[] = [];
    if (isObject(node.properties)) {
      const properties: Record<string, JsonSchema> = {};
      for (const [name, schema] of Object.entries(node.properties)) {
        if (this.isReadOnly(schema, this.output ? 'writeOnly' : 'readOnly')) readOnly.push(name);
        else setEntry(properties, name, this.convert(schema, depth + 1));
      }
      out.properties = properties;
    }
    if (Array.isArray(node.required)) {
      const required = [...new Set(node.required.filter((n): n is string => typeof n === 'string' && !readOnly.includes(n)))];
      if (required.length > 0) out.required = required;
    }
    if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
    else if (isObject(node.additionalProperties)) out.additionalProperties = this.convert(node.additionalProperties, depth + 1);
    if (isObject(node.patternProperties)) {
      const entries = Object.entries(node.patternProperties).filter(([pattern]) => isPortablePattern(pattern));
      if (entries.length > 0) out.patternProperties = Object.fromEntries(entries.map(([p, s]) => [p, this.convert(s, depth + 1)]));
    }
    if (Array.isArray(node.items)) {
      out.prefixItems = node.items.map((item) => this.convert(item, depth + 1)); // draft-04 tuple form
    } else if (node.items !== undefined) {
      out.items = this.convert(node.items, depth + 1);
    }
    if (Array.isArray(node.prefixItems)) out.prefixItems = node.prefixItems.map((item) => this.convert(item, depth + 1));

    // Combinators describe the same value, so they stay at the same depth.
    const allOf = this.convertList(node.allOf, depth);
    const anyOf = distinct(this.convertList(node.anyOf, depth));
    const oneOf = distinct(this.convertList(node.oneOf, depth));
    if (anyOf) out.anyOf = anyOf;
    if (oneOf) out.oneOf = oneOf;
    if (node.not !== undefined) out.not = this.convert(node.not, depth);
    if (allOf) {
      const merged = mergeSchemas([...allOf, out]);
      if (merged) out = merged;
      else {
        out.allOf = allOf;
        if (!out.type && allOf.every((part) => typeList(part).includes('object'))) out.type = 'object';
      }
      // A property left out as readOnly in one part must not stay required through another.
      const hidden = this.readOnlyNames(node, 0);
      if (Array.isArray(out.required) && hidden.size > 0) {
        const required = (out.required as string[]).filter((n) => !hidden.has(n));
        if (required.length > 0) out.required = required;
        else delete out.required;
      }
    }

    if (typeList(out).includes('array') && out.items === undefined) out.items = {};
    if (node.nullable === true) out = applyNullable(out);
    this.charge(ownSize(out));
    return out;
  }
}
