// The console's few routes live in the path (`/workspaces/<id>/<tab>`), so a reload or a shared
// link opens the same place. History API only: four routes do not need a router library.
import { useCallback, useSyncExternalStore } from 'react';

export const TABS = ['upload', 'configure', 'connect', 'logs'] as const;
export type TabId = (typeof TABS)[number];

export interface Route {
  workspaceId?: string;
  tab: TabId;
}

function subscribe(callback: () => void) {
  window.addEventListener('popstate', callback);
  return () => window.removeEventListener('popstate', callback);
}

const currentPath = () => window.location.pathname;

export function parseRoute(pathname: string): Route {
  const [, section, id, tab] = pathname.split('/');
  if (section !== 'workspaces' || !id) return { tab: 'upload' };
  return { workspaceId: decodeURIComponent(id), tab: (TABS as readonly string[]).includes(tab) ? (tab as TabId) : 'upload' };
}

export function routePath(route: Route): string {
  return route.workspaceId ? `/workspaces/${encodeURIComponent(route.workspaceId)}/${route.tab}` : '/';
}

export function useRoute(): [Route, (route: Route, opts?: { replace?: boolean }) => void] {
  const pathname = useSyncExternalStore(subscribe, currentPath);
  const navigate = useCallback((route: Route, opts: { replace?: boolean } = {}) => {
    const path = routePath(route);
    if (path === window.location.pathname) return;
    if (opts.replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, []);
  return [parseRoute(pathname), navigate];
}
