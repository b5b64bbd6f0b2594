import { useState } from 'react';
import { Plus } from 'lucide-react';
import type { WorkspaceView } from '@latchkey/api';
import { timeAgo } from '../ui/format';
import { CreateWorkspaceForm } from './create-workspace-form';

interface SidebarProps {
  workspaces: WorkspaceView[] | undefined;
  selectedId: string | undefined;
  onSelect(id: string): void;
  onCreated(workspace: WorkspaceView): void;
}

export function WorkspaceSidebar({ workspaces, selectedId, onSelect, onCreated }: SidebarProps) {
  const [creating, setCreating] = useState(false);
  return (
    <aside className="sidebar" aria-label="Workspaces">
      <div className="sidebar-head">
        <h2>Workspaces</h2>
        {!creating && workspaces && workspaces.length > 0 && (
          <button type="button" className="secondary outline small" onClick={() => setCreating(true)}>
            <Plus aria-hidden size={16} /> New
          </button>
        )}
      </div>
      {creating && (
        <CreateWorkspaceForm
          onCancel={() => setCreating(false)}
          onCreated={(w) => {
            setCreating(false);
            onCreated(w);
          }}
        />
      )}
      {workspaces && workspaces.length > 0 && (
        <ul className="workspace-list">
          {workspaces.map((w) => (
            <li key={w.id}>
              <a
                href={`/workspaces/${encodeURIComponent(w.id)}/upload`}
                aria-current={w.id === selectedId ? 'page' : undefined}
                onClick={(e) => {
                  if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  onSelect(w.id);
                }}
              >
                <span className="workspace-name">{w.name}</span>
                <span className="workspace-meta">
                  <span>{w.toolCount === 0 ? 'No spec yet' : `${w.enabledToolCount} / ${w.toolCount} tools enabled`}</span>
                  <span>{w.lastCallAt ? `Last call ${timeAgo(w.lastCallAt)}` : 'No calls yet'}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
