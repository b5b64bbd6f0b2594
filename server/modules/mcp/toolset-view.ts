// A workspace runtime narrowed to one toolset: what its URL (or a key bound to it) lists and may
// call. Built once per runtime and toolset and kept with the runtime, like a key's view; a
// changed toolset reloads the workspace, and with it every view.
import { toolsetMatcher, type ToolsetSelection } from '../discovery/toolset.js';
import type { WorkspaceRuntime } from './workspace-runtime.js';
import { narrowedView, viewCache } from './view-cache.js';

export interface ToolsetGrant {
  id: string;
  name: string;
  /** The environment its URL serves (a key's own environment decides for the key). */
  environment: string;
  selection: ToolsetSelection;
}

const cached = viewCache<string>();

export function viewForToolset(runtime: WorkspaceRuntime, toolset: ToolsetGrant): WorkspaceRuntime {
  return cached(runtime, toolset.id, () => toolsetView(runtime, toolset));
}

function toolsetView(runtime: WorkspaceRuntime, toolset: ToolsetGrant): WorkspaceRuntime {
  const matches = toolsetMatcher(toolset.selection);
  const view = narrowedView(
    runtime,
    (_name, tool) => matches(tool.definition),
    (name) => `Tool "${name}" is not in the toolset "${toolset.name}".`,
  );
  // What the client shows as the server's name: which toolset of which API it holds.
  return { ...view, name: `${runtime.name} (${toolset.name})` };
}
