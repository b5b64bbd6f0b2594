// What a re-upload changes, and which tools are switched on when they first appear.
import type { ToolDefinition } from './types.js';

export function diffTools(previous: ToolDefinition[], next: ToolDefinition[]): { added: string[]; removed: string[]; changed: string[] } {
  const before = new Map(previous.map((t) => [t.name, t.fingerprint]));
  const after = new Map(next.map((t) => [t.name, t.fingerprint]));
  return {
    added: next.filter((t) => !before.has(t.name)).map((t) => t.name),
    removed: previous.filter((t) => !after.has(t.name)).map((t) => t.name),
    changed: next.filter((t) => before.has(t.name) && before.get(t.name) !== t.fingerprint).map((t) => t.name),
  };
}

/** Read-only tools start enabled; anything that can change upstream state waits for the admin. */
export function defaultEnabled(tool: ToolDefinition): boolean {
  return tool.method === 'GET' || tool.method === 'HEAD';
}
