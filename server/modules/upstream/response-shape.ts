// Responses sized for a model: a caller's `response_filter` (JMESPath, by a maintained
// implementation) applied to a JSON answer, then a budget. An answer still above the budget is cut
// as JSON stays JSON: the largest arrays are shortened (a note says how many items were left out
// and how to ask for them), then very long strings; it is never cut mid-value.
import { compile, TreeInterpreter } from '@jmespath-community/jmespath';
import { isPlainObject } from '../shared/is-plain-object.js';
import { estimateTokens } from '../shared/tokens.js';
import { FilterFailed } from './errors.js';

export const RESPONSE_FILTER_ARG = 'response_filter';
export const MAX_FILTER_CHARS = 2_000;

/** What one call asks of its answer; plain data, so the result thread receives it as it is. */
export interface ResponseShape {
  /** The call's JMESPath expression. */
  filter?: string;
  /** JSON characters the answer may hold (compact); 0: no budget. */
  budgetChars: number;
  /** The tool's own paging arguments, named in a cut's note. */
  pagingArgs?: readonly string[];
}

export interface ShapedValue {
  value: unknown;
  /** Whether `value` is not the value given (filtered or cut). */
  changed: boolean;
  /** What the model should know about the cut, for a content block of its own. */
  note?: string;
}

type Compiled = ReturnType<typeof compile>;
/** Agents repeat their filters: each expression is parsed once (a bounded cache, emptied when full). */
const compiled = new Map<string, Compiled>();
const MAX_COMPILED = 256;

/** The expression parsed, or why it cannot be: checked before the request is sent, so a bad filter costs no call. */
export function compileFilter(expression: string): { ast: Compiled } | { problem: string } {
  const cached = compiled.get(expression);
  if (cached) return { ast: cached };
  if (expression.length > MAX_FILTER_CHARS)
    return { problem: `"${RESPONSE_FILTER_ARG}" is longer than ${MAX_FILTER_CHARS} characters; keep it to the fields you need.` };
  try {
    const ast = compile(expression);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(expression, ast);
    return { ast };
  } catch (err) {
    return {
      problem: `"${RESPONSE_FILTER_ARG}" is not a valid JMESPath expression (${(err as Error).message}). Nothing was sent to the API. Example: "items[].{id: id, name: name}".`,
    };
  }
}

/** The filter's result, or FilterFailed saying why (a function given the wrong type, say). */
export function applyFilter(value: unknown, expression: string): unknown {
  const parsed = compileFilter(expression);
  if ('problem' in parsed) throw new FilterFailed(parsed.problem);
  try {
    return TreeInterpreter.search(parsed.ast, value as Parameters<typeof TreeInterpreter.search>[1]);
  } catch (err) {
    throw new FilterFailed(`"${RESPONSE_FILTER_ARG}" could not be applied to the response: ${(err as Error).message}`);
  }
}

/** A step of a JMESPath path to a value: a plain name, or a quoted one. */
function pathStep(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
}

function joinPath(parent: string, step: string): string {
  return step.startsWith('[') ? `${parent}${step}` : parent ? `${parent}.${step}` : step;
}

interface ArrayNode {
  array: unknown[];
  path: string;
  size: number;
  itemSizes: number[];
}

/** Compact JSON characters of `value`, and every array met with its items' sizes. */
function measure(value: unknown, path: string, arrays: ArrayNode[]): number {
  if (Array.isArray(value)) {
    const itemSizes = value.map((item, i) => measure(item, joinPath(path, `[${i}]`), arrays));
    const size = 2 + itemSizes.reduce((a, b) => a + b, 0) + Math.max(0, value.length - 1);
    arrays.push({ array: value, path, size, itemSizes });
    return size;
  }
  if (isPlainObject(value)) {
    let size = 2;
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      size += (first ? 0 : 1) + JSON.stringify(key).length + 1 + measure(item, joinPath(path, pathStep(key)), arrays);
      first = false;
    }
    return size;
  }
  return JSON.stringify(value)?.length ?? 4;
}

interface Cut {
  path: string;
  kept: number;
  total: number;
}

const MAX_CUTS = 16;

/** Shortens `value`'s largest arrays (in place) until it fits `budget`; the cuts made, and whether it fits. */
function cutArrays(value: unknown, budget: number): { cuts: Cut[]; size: number } {
  const cuts = new Map<unknown[], Cut>();
  const done = new Set<unknown[]>();
  let size = 0;
  for (let round = 0; round < MAX_CUTS; round++) {
    const arrays: ArrayNode[] = [];
    size = measure(value, '', arrays);
    if (size <= budget) break;
    const target = arrays.filter((a) => a.array.length > 1 && !done.has(a.array)).sort((a, b) => b.size - a.size)[0];
    if (!target) break;
    // Keep the longest head whose removal brings the whole within budget; at least one item, so
    // the model sees the items' shape (a cut inside it comes next, if that one is still too big).
    const excess = size - budget;
    let removed = 0;
    let keep = target.array.length;
    while (keep > 1 && removed < excess) {
      keep--;
      removed += target.itemSizes[keep] + 1;
    }
    const cut = cuts.get(target.array) ?? { path: target.path, kept: keep, total: target.array.length };
    cut.kept = keep;
    cuts.set(target.array, cut);
    target.array.length = keep;
    if (keep === 1) done.add(target.array);
  }
  return { cuts: [...cuts.values()], size };
}

/** Strings longer than this share of the budget are cut to it, when shortening arrays was not enough. */
const STRING_SHARE = 0.2;

function cutStrings(value: unknown, max: number): number {
  let count = 0;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string' && node.length > max) {
      count++;
      return `${node.slice(0, max)}… [${(node.length - max).toLocaleString('en-US')} characters cut]`;
    }
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) node[i] = visit(node[i]);
    else if (isPlainObject(node)) for (const key of Object.keys(node)) node[key] = visit(node[key]);
    return node;
  };
  visit(value);
  return count;
}

function exampleFilter(cut: Cut, value: unknown): string {
  const at = cut.path ? `${cut.path}[]` : '[]';
  const first = lookup(value, cut.path);
  const keys = Array.isArray(first) && isPlainObject(first[0]) ? Object.keys(first[0]).slice(0, 3).map(pathStep) : [];
  return keys.length ? `${at}.{${keys.map((k) => `${k}: ${k}`).join(', ')}}` : `${at} | [:10]`;
}

function lookup(value: unknown, path: string): unknown {
  if (!path) return value;
  try {
    return TreeInterpreter.search(compile(path), value as Parameters<typeof TreeInterpreter.search>[1]);
  } catch {
    return undefined;
  }
}

function budgetNote(cuts: Cut[], stringsCut: number, budgetChars: number, shape: ResponseShape, value: unknown): string {
  const tokens = estimateTokens(budgetChars).toLocaleString('en-US');
  const parts = cuts.map(
    (c) =>
      `${c.path ? `"${c.path}"` : 'the list'} shows ${c.kept.toLocaleString('en-US')} of ${c.total.toLocaleString('en-US')} items (${(c.total - c.kept).toLocaleString('en-US')} left out)`,
  );
  if (stringsCut) parts.push(`${stringsCut} long text value${stringsCut === 1 ? ' was' : 's were'} shortened`);
  const paging = shape.pagingArgs?.length
    ? `page with the tool's ${shape.pagingArgs.map((a) => `"${a}"`).join(' and ')} arguments, or `
    : '';
  const example = cuts[0] ? ` (a JMESPath expression, e.g. "${exampleFilter(cuts[0], value)}")` : ' (a JMESPath expression)';
  return `[Response cut to fit this workspace's response budget of about ${tokens} tokens: ${parts.join('; ')}. To see the rest, ${paging}keep only the fields you need with "${RESPONSE_FILTER_ARG}"${example}.]`;
}

/**
 * The value the model gets: filtered (FilterFailed when the filter cannot apply), then cut to the
 * budget. `textLength`: the upstream's own JSON text length, an upper bound that lets an answer
 * well within the budget skip measuring.
 */
export function shapeValue(value: unknown, shape: ResponseShape, textLength: number): ShapedValue {
  let shaped = value;
  let changed = false;
  if (shape.filter !== undefined) {
    shaped = applyFilter(value, shape.filter);
    changed = true;
  }
  const budget = shape.budgetChars;
  if (!budget || (!changed && textLength <= budget)) return { value: shaped, changed };
  const arrays = cutArrays(shaped, budget);
  const { cuts } = arrays;
  let { size } = arrays;
  let stringsCut = 0;
  if (size > budget) {
    stringsCut = cutStrings(shaped, Math.max(200, Math.floor(budget * STRING_SHARE)));
    if (stringsCut) size = measure(shaped, '', []);
  }
  if (cuts.length === 0 && stringsCut === 0) return { value: shaped, changed };
  const note = budgetNote(cuts, stringsCut, budget, shape, shaped);
  if (size > budget) {
    // Objects with thousands of small members: nothing left to shorten as JSON.
    return {
      value: shaped,
      changed: true,
      note: `${note.slice(0, -2)}. It is still about ${estimateTokens(size).toLocaleString('en-US')} tokens: narrow it with "${RESPONSE_FILTER_ARG}".]`,
    };
  }
  return { value: shaped, changed: true, note };
}

/** Names of query parameters that page through a list, as APIs commonly call them. */
const PAGING =
  /^(page|per_?page|page_?size|page_?number|limit|offset|skip|top|\$top|\$skip|cursor|after|before|starting_after|ending_before|page_?token|next_?token|continuation_?token|max_?results|max_?items|count|start|marker)$/i;

/** The arguments of a tool's query parameters that page, in the order the spec lists them. */
export function pagingArguments(params: readonly { arg: string; name: string; in: string }[]): string[] {
  return params.filter((p) => p.in === 'query' && PAGING.test(p.name)).map((p) => p.arg);
}
