// Dynamic mode's three tools: `search_tools` finds a view's tools by what they do,
// `describe_tools` gives their schemas, `call_tool` runs one. The model carries three short
// entries instead of hundreds; everything a direct call goes through (toggles, key scopes,
// environments, validation, rate limits, the call log) still applies, because `call_tool` is
// answered by making the real tool's call (see the caller's `callReal`).
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { isPlainObject } from '../shared/is-plain-object.js';
import { buildToolIndex, oneLine, topTags, type SearchableTool, type ToolIndex } from './tool-search.js';

export const SEARCH_TOOLS = 'search_tools';
export const DESCRIBE_TOOLS = 'describe_tools';
export const CALL_TOOL = 'call_tool';
export const META_TOOL_NAMES: readonly string[] = [SEARCH_TOOLS, DESCRIBE_TOOLS, CALL_TOOL];

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;
const MAX_DESCRIBED = 20;
const MAX_QUERY_CHARS = 500;
/** Topics named in search_tools' description: enough to steer a query, few enough to cost little. */
const TOPICS_SHOWN = 25;

/** One tool of the view as dynamic mode needs it: its list entry (as the client would see it) and what search reads. */
export interface DiscoverableTool {
  entry: Tool;
  searchable: SearchableTool;
}

export interface DiscoverySource {
  /** The workspace's name, for the descriptions. */
  workspace: string;
  tools: readonly DiscoverableTool[];
  /** Why a name that is not among `tools` cannot be used (disabled, not for this key, unknown). */
  refusal(name: string): string;
}

/** The call `call_tool` asks for, made by the caller as a direct call of that tool. */
export interface RealCall {
  name: string;
  arguments: Record<string, unknown> | undefined;
}

export type MetaAnswer = { result: CallToolResult } | { call: RealCall };

export interface Discovery {
  /** The three list entries. */
  entries: Tool[];
  /** Answers a meta-tool's call; `call_tool` is handed back as the real call to make. */
  answer(name: string, args: Record<string, unknown> | undefined): MetaAnswer;
}

function errorResult(text: string): MetaAnswer {
  return { result: { isError: true, content: [{ type: 'text', text }] } };
}

function structured(value: Record<string, unknown>): MetaAnswer {
  return { result: { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value } };
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

function searchEntry(source: DiscoverySource, topics: string[]): Tool {
  const example = source.tools.find((t) => t.entry.annotations?.readOnlyHint)?.searchable ?? source.tools[0]?.searchable;
  const hint = example ? ` (e.g. "${oneLine(example).toLowerCase().replace(/"/g, "'")}")` : '';
  return {
    name: SEARCH_TOOLS,
    title: 'Search tools',
    description:
      `Find tools of "${source.workspace}" (${source.tools.length} in all, too many to list) by what they do, in a few words${hint}. ` +
      'Answers tool names with one-line summaries, best match first. Then call describe_tools for the ones you need, and call_tool to run one.' +
      (topics.length ? ` Topics: ${topics.join(', ')}.` : ''),
    inputSchema: {
      type: 'object',
      properties: {
        query: {
          type: 'string',
          description: 'What the tool should do, e.g. "list open invoices".',
          minLength: 1,
          maxLength: MAX_QUERY_CHARS,
        },
        limit: { type: 'integer', description: `How many tools to return (default ${DEFAULT_LIMIT}).`, minimum: 1, maximum: MAX_LIMIT },
      },
      required: ['query'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        tools: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, summary: { type: 'string' } },
            required: ['name', 'summary'],
          },
        },
        hint: { type: 'string' },
      },
      required: ['tools'],
    },
    annotations: { title: 'Search tools', ...READ_ONLY },
  };
}

function describeEntry(): Tool {
  return {
    name: DESCRIBE_TOOLS,
    title: 'Describe tools',
    description:
      'The input schema, output schema (where the API declares one) and annotations of tools found with search_tools. ' +
      "Read a tool's input schema before calling it with call_tool.",
    inputSchema: {
      type: 'object',
      properties: {
        names: {
          type: 'array',
          description: 'Tool names, as search_tools gave them.',
          items: { type: 'string' },
          minItems: 1,
          maxItems: MAX_DESCRIBED,
        },
      },
      required: ['names'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        tools: { type: 'array', items: { type: 'object' } },
        unavailable: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } }, required: ['name', 'reason'] },
        },
      },
      required: ['tools'],
    },
    annotations: { title: 'Describe tools', ...READ_ONLY },
  };
}

function callEntry(source: DiscoverySource): Tool {
  // A view that holds only read tools (a read-scope key) can change nothing through call_tool either.
  const readOnly = source.tools.every((t) => t.entry.annotations?.readOnlyHint === true);
  return {
    name: CALL_TOOL,
    title: 'Call a tool',
    description:
      'Run one tool found with search_tools, with arguments that match the input schema describe_tools gave. ' +
      "Answers the tool's own result. The gateway adds the API's credentials: never ask the user for keys.",
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The tool to run.', minLength: 1 },
        arguments: { type: 'object', description: "The tool's arguments, as its input schema describes them." },
      },
      required: ['name'],
      additionalProperties: false,
    },
    annotations: readOnly
      ? { title: 'Call a tool', ...READ_ONLY, idempotentHint: false, openWorldHint: true }
      : { title: 'Call a tool', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  };
}

export function buildDiscovery(source: DiscoverySource): Discovery {
  const byName = new Map(source.tools.map((t) => [t.entry.name, t]));
  const topics = topTags(
    source.tools.map((t) => t.searchable),
    TOPICS_SHOWN,
  );
  const entries = [searchEntry(source, topics), describeEntry(), callEntry(source)];
  // Built on the first search, then kept with the view (once per workspace version and key):
  // ~150 ms for GitHub's 1,200 tools, which tools/list need not wait for.
  let index: ToolIndex | undefined;

  const search = (args: Record<string, unknown>): MetaAnswer => {
    const { query, limit } = args;
    if (typeof query !== 'string' || !query.trim())
      return errorResult('search_tools needs "query": a few words saying what the tool should do.');
    if (query.length > MAX_QUERY_CHARS) return errorResult(`"query" is longer than ${MAX_QUERY_CHARS} characters: say it in a few words.`);
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIMIT))
      return errorResult(`"limit" must be a whole number from 1 to ${MAX_LIMIT}.`);
    index ??= buildToolIndex(source.tools.map((t) => t.searchable));
    const tools = index.search(query, (limit as number | undefined) ?? DEFAULT_LIMIT);
    if (tools.length > 0) return structured({ tools });
    return structured({
      tools,
      hint: `No tool matches "${query}". Try other words${topics.length ? `, or one of these topics: ${topics.join(', ')}` : ''}.`,
    });
  };

  const describe = (args: Record<string, unknown>): MetaAnswer => {
    const { names } = args;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string'))
      return errorResult('describe_tools needs "names": a list of tool names from search_tools.');
    if (names.length > MAX_DESCRIBED) return errorResult(`describe_tools takes at most ${MAX_DESCRIBED} names at once.`);
    const tools: Tool[] = [];
    const unavailable: { name: string; reason: string }[] = [];
    for (const name of new Set(names as string[])) {
      const found = byName.get(name);
      if (found) tools.push(found.entry);
      else unavailable.push({ name, reason: source.refusal(name) });
    }
    return structured(unavailable.length ? { tools, unavailable } : { tools });
  };

  return {
    entries,
    answer(name, args = {}) {
      if (name === SEARCH_TOOLS) return search(args);
      if (name === DESCRIBE_TOOLS) return describe(args);
      const { name: real, arguments: realArgs } = args;
      if (typeof real !== 'string' || !real) return errorResult('call_tool needs "name": a tool name from search_tools.');
      if (realArgs !== undefined && !isPlainObject(realArgs))
        return errorResult('"arguments" must be an object holding the tool\'s arguments, as describe_tools shows them.');
      return { call: { name: real, arguments: realArgs } };
    },
  };
}
