// Toolsets: named subsets of a workspace's tools, each with its own URL. A tool belongs to one
// when the toolset names it, shares one of its tags, or lives under one of its path prefixes, so
// an operation a re-uploaded spec adds under a chosen tag or path joins without an edit.

export interface ToolsetSelection {
  /** Tool names, picked by hand. */
  tools: string[];
  /** OpenAPI tags, compared without regard to case. */
  tags: string[];
  /** Path templates' prefixes, e.g. `/repos/{owner}/{repo}/issues`, matched at a segment boundary. */
  pathPrefixes: string[];
}

/** What a selection is matched against: a tool definition's name, tags and path template. */
export interface SelectableTool {
  name: string;
  tags: readonly string[];
  path: string;
}

export const MAX_SELECTION_ITEMS = 2000;

/** Trimmed, without blanks or repeats; path prefixes without a trailing slash (`/` itself stays). */
export function normaliseSelection(input: Partial<ToolsetSelection>): ToolsetSelection {
  const clean = (values: readonly string[] | undefined, mend: (v: string) => string = (v) => v) => [
    ...new Set((values ?? []).map((v) => mend(v.trim())).filter((v) => v !== '')),
  ];
  return {
    tools: clean(input.tools),
    tags: clean(input.tags),
    pathPrefixes: clean(input.pathPrefixes, (p) => (p.length > 1 ? p.replace(/\/+$/, '') : p)),
  };
}

/** A test for one selection, made once: a workspace's tools are matched against it in turn. */
export function toolsetMatcher(selection: ToolsetSelection): (tool: SelectableTool) => boolean {
  const names = new Set(selection.tools);
  const tags = new Set(selection.tags.map((t) => t.toLowerCase()));
  const prefixes = selection.pathPrefixes;
  return (tool) =>
    names.has(tool.name) || tool.tags.some((t) => tags.has(t.toLowerCase())) || prefixes.some((p) => underPrefix(tool.path, p));
}

function underPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

function quoted(values: readonly string[], max = 5): string {
  const shown = values.slice(0, max).map((v) => `"${v}"`);
  return values.length > max ? `${shown.join(', ')} and ${values.length - max} more` : shown.join(', ');
}

/**
 * What is wrong with a selection for these tools (every tool of the workspace, enabled or not),
 * or undefined. A name, tag or prefix that matches nothing is a typo to report now, not an empty
 * toolset an agent discovers later.
 */
export function selectionProblem(selection: ToolsetSelection, tools: readonly SelectableTool[]): string | undefined {
  const { tools: names, tags, pathPrefixes } = selection;
  if (names.length + tags.length + pathPrefixes.length === 0) return 'A toolset needs at least one tool name, tag or path prefix to hold.';
  const known = new Set(tools.map((t) => t.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) return `No tools named ${quoted(unknown)} in this workspace.`;
  const allTags = new Map<string, string>();
  for (const tool of tools) for (const tag of tool.tags) if (!allTags.has(tag.toLowerCase())) allTags.set(tag.toLowerCase(), tag);
  const unmatched = tags.filter((t) => !allTags.has(t.toLowerCase()));
  if (unmatched.length > 0) {
    const offered = allTags.size > 0 ? ` (its tags include ${quoted([...allTags.values()], 8)})` : ' (its spec declares no tags)';
    return `No tool in this workspace has the tag ${quoted(unmatched)}${offered}.`;
  }
  const relative = pathPrefixes.filter((p) => !p.startsWith('/'));
  if (relative.length > 0) return `Path prefixes start with "/", as the spec's paths do (e.g. "/repos"): ${quoted(relative)} does not.`;
  const empty = pathPrefixes.filter((p) => !tools.some((t) => underPrefix(t.path, p)));
  if (empty.length > 0) return `No tool's path is at or under ${quoted(empty)}.`;
  return undefined;
}

/** The selection with renamed tools' new names (a new name budget), or undefined when none of its names changed. */
export function renamedSelection(selection: ToolsetSelection, renamed: ReadonlyMap<string, string>): ToolsetSelection | undefined {
  if (!selection.tools.some((name) => renamed.has(name))) return undefined;
  return { ...selection, tools: selection.tools.map((name) => renamed.get(name) ?? name) };
}
