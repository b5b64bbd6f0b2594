import { useState, type FormEvent } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { useCreateWorkspace } from '../api/queries';
import { FormError } from '../ui/states';

export function CreateWorkspaceForm({ onCreated, onCancel }: { onCreated(workspace: WorkspaceView): void; onCancel?: () => void }) {
  const create = useCreateWorkspace();
  const [name, setName] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    create.mutate(name.trim(), {
      onSuccess: (workspace) => {
        setName('');
        onCreated(workspace);
      },
    });
  }
  return (
    <form className="create-workspace" onSubmit={submit}>
      <label>
        Workspace name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. Billing API"
          maxLength={100}
          required
          autoFocus={!!onCancel}
        />
      </label>
      <FormError error={create.error} />
      <div className="button-row">
        <button type="submit" aria-busy={create.isPending} disabled={create.isPending}>
          Create workspace
        </button>
        {onCancel && (
          <button type="button" className="secondary outline" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
