// Views derived from a workspace runtime (a key's narrowing, a toolset, a schema profile, a tool
// mode) are built on first use and kept with the runtime they came from: paid once per workspace
// version and key, and dropped with the runtime when a change replaces it.
import type { WorkspaceRuntime } from './workspace-runtime.js';

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
