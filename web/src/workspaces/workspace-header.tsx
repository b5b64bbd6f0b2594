// The workspace's name with rename and delete. Deleting asks first: it cannot be undone.
import { useState, type FormEvent } from 'react';
import { Pencil, Trash2 } from 'lucide-react';
import type { WorkspaceView } from '@latchkey/api';
import { useDeleteWorkspace, useUpdateWorkspace } from '../api/queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { plural } from '../ui/format';
import { FormError } from '../ui/states';

export function WorkspaceHeader({ workspace }: { workspace: WorkspaceView }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(workspace.name);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const rename = useUpdateWorkspace(workspace.id);
  const remove = useDeleteWorkspace();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim() || name.trim() === workspace.name) return setRenaming(false);
    rename.mutate({ name: name.trim() }, { onSuccess: () => setRenaming(false) });
  }

  return (
    <header className="workspace-header">
      {renaming ? (
        <form className="rename-form" onSubmit={submit}>
          <label>
            Workspace name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required autoFocus />
          </label>
          <div className="button-row">
            <button type="submit" aria-busy={rename.isPending} disabled={rename.isPending}>
              Save name
            </button>
            <button
              type="button"
              className="secondary outline"
              onClick={() => (setRenaming(false), setName(workspace.name), rename.reset())}
            >
              Cancel
            </button>
          </div>
          <FormError error={rename.error} />
        </form>
      ) : (
        <>
          <div>
            <h1>{workspace.name}</h1>
            <p className="muted">
              {workspace.toolCount === 0
                ? 'No spec uploaded yet'
                : `${workspace.enabledToolCount} of ${plural(workspace.toolCount, 'tool')} enabled`}
              {workspace.baseUrl && (
                <>
                  {' · '}
                  <span className="mono">{workspace.baseUrl}</span>
                </>
              )}
            </p>
          </div>
          <div className="button-row">
            <button type="button" className="secondary outline small" onClick={() => (setName(workspace.name), setRenaming(true))}>
              <Pencil aria-hidden size={16} /> Rename
            </button>
            <button type="button" className="secondary outline small danger-outline" onClick={() => setConfirmDelete(true)}>
              <Trash2 aria-hidden size={16} /> Delete
            </button>
          </div>
        </>
      )}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${workspace.name}”?`}
        confirmLabel="Delete workspace"
        danger
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => (setConfirmDelete(false), remove.reset())}
        onConfirm={() => remove.mutate(workspace.id, { onSuccess: () => setConfirmDelete(false) })}
      >
        <p>Its MCP URL stops working at once, and its spec, tools, saved credentials and call logs are removed. This cannot be undone.</p>
      </ConfirmDialog>
    </header>
  );
}
