// Views derived from a workspace runtime (a key's narrowing, a toolset, a schema profile, a tool
// mode) are built on first use and kept with the runtime they came from: paid once per workspace
// version and key, and dropped with the runtime when a change replaces it.
import type { ListToolsResult } from '@modelcontextprotocol/sdk/types.js';
import type { RuntimeTool, WorkspaceRuntime } from './workspace-runtime.js';

/** A cache of one kind of view, by runtime and a key of its own (a grant id, a profile…). */
export function viewCache<K>(): (runtime: WorkspaceRuntime, key: K, build: () => WorkspaceRuntime) => WorkspaceRuntime {
  const views = new WeakMap<WorkspaceRuntime, Map<K, WorkspaceRuntime>>();
  return (runtime, key, build) => {
    let perKey = views.get(runtime);
    if (!perKey) views.set(runtime, (perKey = new Map()));
    let view = perKey.get(key);
    if (!view) {
      view = build();
      perKey.set(key, view);
    }
    return view;
  };
}

/**
 * The runtime with only the tools `keep` accepts, listed in the same order; a tool it leaves out
 * is refused with `outside(name)`, one the runtime never had as the runtime refuses it.
 */
export function narrowedView(
  runtime: WorkspaceRuntime,
  keep: (name: string, tool: RuntimeTool) => boolean,
  outside: (name: string) => string,
): WorkspaceRuntime {
  const tools = new Map([...runtime.tools].filter(([name, tool]) => keep(name, tool)));
  const listResult: ListToolsResult = { tools: runtime.listResult.tools.filter((t) => tools.has(t.name)) };
  return {
    ...runtime,
    tools,
    listResult,
    refusal: (name) => (runtime.tools.has(name) ? outside(name) : runtime.refusal(name)),
  };
}
