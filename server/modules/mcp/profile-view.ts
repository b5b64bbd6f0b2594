// A workspace view (a runtime, or a key's narrowing of it) as one schema profile offers it: the
// same tools and calls, each tool's input schema in the profile's form and its arguments mapped
// back before the call (profiles/). Built on first use per view and profile, then kept with the
// view, so the profile's conversion is paid once per workspace version, never per request.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { profiledTool, type SchemaProfile } from '../profiles/index.js';
import type { RuntimeTool, WorkspaceRuntime } from './workspace-runtime.js';
import { viewCache } from './view-cache.js';

const cached = viewCache<SchemaProfile>();

export function viewForProfile(runtime: WorkspaceRuntime, profile: SchemaProfile): WorkspaceRuntime {
  if (profile === 'default') return runtime;
  return cached(runtime, profile, () => buildView(runtime, profile));
}

function buildView(runtime: WorkspaceRuntime, profile: SchemaProfile): WorkspaceRuntime {
  const tools = new Map<string, RuntimeTool>();
  const entries: Tool[] = [];
  /** Shown name -> real name, where they differ. */
  const realNames = new Map<string, string>();
  for (const entry of runtime.listResult.tools) {
    const tool = runtime.tools.get(entry.name);
    if (!tool) continue;
    const profiled = profiledTool(profile, entry.name, entry.inputSchema);
    let shown = profiled.name;
    // A renamed tool must not take another's name: the real name is unique, so suffix until free.
    for (let n = 2; shown !== entry.name && (tools.has(shown) || runtime.tools.has(shown)); n++) {
      shown = `${profiled.name.slice(0, 60)}_${n}`;
    }
    if (shown !== entry.name) realNames.set(shown, entry.name);
    tools.set(shown, profiled.toRealArguments ? { ...tool, toRealArguments: profiled.toRealArguments } : tool);
    entries.push({ ...entry, name: shown, inputSchema: profiled.inputSchema as Tool['inputSchema'] });
  }
  return {
    ...runtime,
    tools,
    listResult: { tools: entries },
    refusal: (name) => runtime.refusal(realNames.get(name) ?? name),
  };
}
