import { useEffect, useState, type FormEvent } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

/** The longest tool name the workspace gives: clients add their own prefix in front of it. */
export function NameBudgetForm({ workspace }: { workspace: WorkspaceView }) {
  const update = useUpdateWorkspace(workspace.id);
  const current = workspace.toolNameBudget ?? 64;
  const [value, setValue] = useState(String(current));
  useEffect(() => setValue(String(current)), [current]);
  const dirty = value.trim() !== String(current);

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ toolNameBudget: Number(value) });
  }

  return (
    <form onSubmit={submit} className="inline-form name-budget-form">
      <label>
        Longest tool name <span className="muted">(24 to 64 characters)</span>
        <input
          type="number"
          min={24}
          max={64}
          step={1}
          value={value}
          onChange={(e) => (setValue(e.target.value), update.reset())}
          aria-describedby="name-budget-hint"
        />
        <small id="name-budget-hint">
          Clients put a prefix in front of each tool&rsquo;s name and refuse long totals: Claude Code calls a tool{' '}
          <code>mcp__&lt;server&gt;__&lt;tool&gt;</code> and allows 64 characters in all, Cursor 60 for server and tool. Longer names are
          shortened with a short hash; changing this renames only the tools that do not fit, and access keys follow.
        </small>
      </label>
      <div className="button-row">
        <button type="submit" className="secondary" disabled={!dirty || update.isPending} aria-busy={update.isPending}>
          Save name length
        </button>
        {update.isSuccess && !dirty && <SavedIndicator />}
      </div>
      <FormError error={update.error} />
    </form>
  );
}
