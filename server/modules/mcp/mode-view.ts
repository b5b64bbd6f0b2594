// A workspace view (a runtime, narrowed by a key, in a schema profile) in its tool mode. `all`
// is the view itself; `dynamic` lists the three meta-tools (discovery/meta-tools.ts) and keeps
// the real tools callable behind them; `auto` picks by the size of the view's own list, so a key
// narrowed to a few tools of a large API gets them listed. Built on first use per view and kept
// with it, like the profile views: the search index is paid once per workspace version and key.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { buildDiscovery, META_TOOL_NAMES, type MetaAnswer } from '../discovery/meta-tools.js';
import { AUTO_MAX_TOOLS, chooseToolMode, estimateTokens, type ModeChoice, type ToolModeSetting } from '../discovery/tool-mode.js';
import { profiledTool, type SchemaProfile } from '../profiles/index.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';
import { viewCache } from './view-cache.js';

const listTexts = new WeakMap<WorkspaceRuntime, string>();

/** The view's tools/list result as JSON: made once per view, for the answer and for its size alike. */
export function listJson(view: WorkspaceRuntime): string {
  let text = listTexts.get(view);
  if (text === undefined) {
    text = JSON.stringify(view.listResult);
    listTexts.set(view, text);
  }
  return text;
}

/** What `auto` would see of a view, and what it (or the setting) makes of it. */
export function modeChoice(view: WorkspaceRuntime, setting: ToolModeSetting): ModeChoice & { tools: number; estimatedTokens: number } {
  const tools = view.listResult.tools.length;
  const estimatedTokens = estimateTokens(listJson(view).length);
  return { ...chooseToolMode(setting, tools, estimatedTokens), tools, estimatedTokens };
}

const cached = viewCache<ToolModeSetting>();

export function viewForMode(view: WorkspaceRuntime, setting: ToolModeSetting, profile: SchemaProfile): WorkspaceRuntime {
  if (setting === 'all') return view;
  return cached(view, setting, () => {
    // Past the tool count auto needs no size: a large list is not serialised only to be weighed.
    const dynamic = setting === 'dynamic' || view.listResult.tools.length > AUTO_MAX_TOOLS || modeChoice(view, setting).mode === 'dynamic';
    return dynamic ? dynamicView(view, profile) : view;
  });
}

function dynamicView(view: WorkspaceRuntime, profile: SchemaProfile): WorkspaceRuntime {
  const tools = view.listResult.tools.flatMap((entry) => {
    const real = view.tools.get(entry.name);
    if (!real) return [];
    const { definition } = real;
    // Icons are the server's: described tools need not repeat them.
    const { icons: _icons, ...described } = entry;
    return [
      {
        entry: described,
        searchable: {
          name: entry.name,
          title: entry.title,
          summary: definition.summary,
          description: definition.description,
          tags: definition.tags,
          method: definition.method,
          path: definition.path,
        },
      },
    ];
  });
  const discovery = buildDiscovery({ workspace: view.name, tools, refusal: view.refusal });
  // The meta-tools in the view's profile too, their arguments mapped back before they are read.
  const entries: Tool[] = [];
  const toReal = new Map<string, (args: Record<string, unknown>) => Record<string, unknown>>();
  for (const entry of discovery.entries) {
    const profiled = profiledTool(profile, entry.name, entry.inputSchema);
    if (profiled.toRealArguments) toReal.set(entry.name, profiled.toRealArguments);
    entries.push(profile === 'default' ? entry : { ...entry, inputSchema: profiled.inputSchema as Tool['inputSchema'] });
  }
  return {
    ...view,
    listResult: { tools: entries },
    discovery: {
      handles: (name) => META_TOOL_NAMES.includes(name),
      answer(name, args): MetaAnswer {
        const mapped = args && toReal.get(name);
        return discovery.answer(name, mapped ? mapped(args) : args);
      },
    },
  };
}
