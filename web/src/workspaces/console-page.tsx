// The signed-in console: top bar, the workspace list, and the selected workspace's tabs.
import { useEffect } from 'react';
import { LogOut, Boxes } from 'lucide-react';
import { useSignOut, useWorkspaces } from '../api/queries';
import { Logo } from '../ui/logo';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { useRoute } from '../ui/use-route';
import { CreateWorkspaceForm } from './create-workspace-form';
import { WorkspacePage } from './workspace-page';
import { WorkspaceSidebar } from './workspace-sidebar';

export function ConsolePage() {
  const workspaces = useWorkspaces();
  const [route, navigate] = useRoute();
  const signOut = useSignOut();
  const list = workspaces.data;
  const selected = list?.find((w) => w.id === route.workspaceId);

  // No workspace in the path (or a deleted one): open the first, if there is one.
  useEffect(() => {
    if (!list || selected) return;
    navigate(list.length > 0 ? { workspaceId: list[0].id, tab: 'upload' } : { tab: 'upload' }, { replace: true });
  }, [list, selected, navigate]);

  let content;
  if (workspaces.isPending) content = <Loading label="Loading workspaces…" />;
  else if (workspaces.isError)
    content = <ErrorState title="Could not load the workspaces" error={workspaces.error} onRetry={() => void workspaces.refetch()} />;
  else if (workspaces.data.length === 0)
    content = (
      <EmptyState level={2} icon={<Boxes aria-hidden size={32} />} title="Create your first workspace">
        <p>A workspace turns one API's OpenAPI spec into MCP tools, behind one private URL.</p>
        <CreateWorkspaceForm onCreated={(w) => navigate({ workspaceId: w.id, tab: 'upload' })} />
      </EmptyState>
    );
  else if (selected)
    content = (
      <WorkspacePage key={selected.id} workspace={selected} tab={route.tab} onTab={(tab) => navigate({ workspaceId: selected.id, tab })} />
    );
  else content = <Loading />;

  return (
    <div className="app">
      <header className="topbar">
        <Logo />
        <button type="button" className="secondary outline small" onClick={() => signOut.mutate()} aria-busy={signOut.isPending}>
          <LogOut aria-hidden size={16} /> Sign out
        </button>
      </header>
      <div className="layout">
        <WorkspaceSidebar
          workspaces={list}
          selectedId={selected?.id}
          onSelect={(id) => navigate({ workspaceId: id, tab: route.tab })}
          onCreated={(w) => navigate({ workspaceId: w.id, tab: 'upload' })}
        />
        <main className="workspace-main">{content}</main>
      </div>
    </div>
  );
}
