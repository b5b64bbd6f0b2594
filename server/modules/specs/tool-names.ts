// Tool names: the operationId when it is already a valid name, else a readable sanitised form
// of it (or of method + path). Collisions get a hash of the operation's method and path, so the
// outcome does not depend on the order of operations, and names held before a re-upload are kept.
import type { HttpMethod, ToolDefinition } from './types.js';
import { shortHash } from './json-utils.js';

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

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

/** `name` with `_<hash>` appended, the name shortened first so the whole fits in 64 characters. */
function withSuffix(name: string, hash: string): string {
  return `${name.slice(0, MAX - hash.length - 1).replace(/[_-]+$/, '')}_${hash}`;
}

/** The name an operation asks for before collisions are considered. */
export function baseToolName(request: NameRequest): { name: string; explicit: boolean } {
  const { operationId } = request;
  if (operationId !== undefined && TOOL_NAME.test(operationId)) return { name: operationId, explicit: true };
  const source =
    (operationId !== undefined && sanitize(operationId)) ||
    sanitize(`${request.method.toLowerCase()}_${request.path}`) ||
    request.method.toLowerCase();
  const name = source.length > MAX ? withSuffix(source, shortHash(operationId ?? identity(request))) : source;
  return { name, explicit: false };
}

/** One unique name per request, in the same order. */
export function assignToolNames(requests: NameRequest[], previous: ToolDefinition[] = []): string[] {
  const previousByIdentity = new Map(previous.map((t) => [`${t.method} ${t.path}`, t.name]));
  const bases = requests.map(baseToolName);
  const suffixed = (i: number, length = 6) => withSuffix(bases[i].name, shortHash(identity(requests[i]), length));

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
  for (let length = 10; new Set(names).size < names.length && length <= 64; length += 6) {
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    names.forEach((name, i) => {
      if ((counts.get(name) ?? 0) > 1 && name !== wanted[i]) names[i] = suffixed(i, length);
    });
  }
  return names;
}
