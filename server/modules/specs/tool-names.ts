// Tool names: the operationId when it is already a valid name, else a readable sanitised form
// of it (or of method + path). Collisions get a hash of the operation's method and path, so the
// outcome does not depend on the order of operations, and names held before a re-upload are kept.
//
// Names fit a workspace's name budget (64 at most, MCP's limit). Clients put a prefix in front of
// a tool's name and hold the whole to a limit of their own — Claude Code calls a tool
// `mcp__<server>__<tool>` and refuses it past 64 characters, Cursor counts server + tool up to 60
// — so new workspaces get DEFAULT_NAME_BUDGET, which leaves room for a server name of up to 9
// characters in either; a name over the budget is shortened and given a hash of its operation.
import type { HttpMethod, ToolDefinition } from './types.js';
import { shortHash } from './json-utils.js';

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** MCP's own limit, and the budget of workspaces made before budgets existed. */
export const MAX_NAME_BUDGET = 64;
const MAX = MAX_NAME_BUDGET;
/** A new workspace's name budget. Workspaces made before there was one keep 64 (null). */
export const DEFAULT_NAME_BUDGET = 48;
/** Below this a shortened name is mostly its hash. */
export const MIN_NAME_BUDGET = 24;

export interface NameRequest {
  method: HttpMethod;
  path: string;
  operationId?: string;
}

function identity(request: NameRequest): string {
  return `${request.method} ${request.path}`;
}

function sanitize(text: string): string {
  return text
    .replace(/[^a-zA-Z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
}

/** `name` with `_<hash>` appended, the name shortened first so the whole fits in `max` characters. */
function withSuffix(name: string, hash: string, max: number): string {
  return `${name.slice(0, max - hash.length - 1).replace(/[_-]+$/, '')}_${hash}`;
}

/** The name an operation asks for before collisions are considered, at most `max` characters. */
export function baseToolName(request: NameRequest, max = MAX): { name: string; explicit: boolean } {
  const { operationId } = request;
  if (operationId !== undefined && TOOL_NAME.test(operationId) && operationId.length <= max) return { name: operationId, explicit: true };
  const source =
    (operationId !== undefined && sanitize(operationId)) ||
    sanitize(`${request.method.toLowerCase()}_${request.path}`) ||
    request.method.toLowerCase();
  const name = source.length > max ? withSuffix(source, shortHash(operationId ?? identity(request)), max) : source;
  return { name, explicit: false };
}

/** One unique name per request, in the same order, each at most `budget` characters. */
export function assignToolNames(requests: NameRequest[], previous: ToolDefinition[] = [], budget = MAX): string[] {
  const max = Math.min(MAX, Math.max(MIN_NAME_BUDGET, budget));
  const previousByIdentity = new Map(previous.map((t) => [`${t.method} ${t.path}`, t.name]));
  const bases = requests.map((request) => baseToolName(request, max));
  const suffixed = (i: number, length = 6) => withSuffix(bases[i].name, shortHash(identity(requests[i]), length), max);

  // A name this operation held before is kept when it is still the name it would be given.
  const pinned = requests.map((request, i) => {
    const held = previousByIdentity.get(identity(request));
    return held !== undefined && (held === bases[i].name || held === suffixed(i)) ? held : undefined;
  });
  const wanted = bases.map((base, i) => pinned[i] ?? base.name);

  const groups = new Map<string, number[]>();
  wanted.forEach((name, i) => groups.set(name, [...(groups.get(name) ?? []), i]));
  const names = [...wanted];
  for (const [name, members] of groups) {
    if (members.length === 1) continue;
    // Who keeps the plain name: whoever held it before, else the one operationId that is exactly it.
    const holders = members.filter((i) => pinned[i] === name);
    const explicit = members.filter((i) => bases[i].explicit && bases[i].name === name);
    const keeper = holders.length === 1 ? holders[0] : holders.length === 0 && explicit.length === 1 ? explicit[0] : undefined;
    for (const i of members) if (i !== keeper) names[i] = suffixed(i);
  }

  // Hash suffixes can, in theory, meet another name: lengthen the hash until everything is unique.
  for (let length = 10; new Set(names).size < names.length && length <= max - 2; length += 6) {
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    names.forEach((name, i) => {
      if ((counts.get(name) ?? 0) > 1 && name !== wanted[i]) names[i] = suffixed(i, length);
    });
  }
  return names;
}

/**
 * The workspace's stored tools under a new name budget: every tool that fits keeps its name, one
 * that does not is shortened (with its operation's hash). `renamed` maps old names to new ones.
 */
export function renameForBudget<T extends { name: string; definition: ToolDefinition }>(
  stored: T[],
  budget: number,
): { tools: T[]; renamed: Map<string, string> } {
  const definitions = stored.map((tool) => tool.definition);
  const names = assignToolNames(definitions, definitions, budget);
  const renamed = new Map<string, string>();
  const tools = stored.map((tool, i) => {
    if (names[i] === tool.name) return tool;
    renamed.set(tool.name, names[i]);
    return { ...tool, name: names[i], definition: { ...tool.definition, name: names[i] } };
  });
  return { tools, renamed };
}
