// Live and test: which environment the base URL and credentials below apply to. Test is added on
// request with its own URL and sealed credentials; removing it removes those and its keys.
import { useState, type FormEvent } from 'react';
import { FlaskConical, Plus, Trash2 } from 'lucide-react';
import type { WorkspaceView } from '@latchkey/api';
import { useAddEnvironment, useDeleteEnvironment } from '../api/access-queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { FormError } from '../ui/states';

export type EnvironmentName = 'live' | 'test';

export const hasTest = (workspace: WorkspaceView) => Boolean(workspace.mcpUrls?.test);

export function EnvironmentSwitch({
  workspace,
  value,
  onChange,
}: {
  workspace: WorkspaceView;
  value: EnvironmentName;
  onChange(env: EnvironmentName): void;
}) {
  const add = useAddEnvironment(workspace.id);
  const remove = useDeleteEnvironment(workspace.id);
  const [adding, setAdding] = useState(false);
  const [baseUrl, setBaseUrl] = useState('');
  const [confirmRemove, setConfirmRemove] = useState(false);
  const withTest = hasTest(workspace);

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(
      { name: 'test', ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}) },
      { onSuccess: () => (setAdding(false), setBaseUrl(''), onChange('test')) },
    );
  }

  return (
    <div className="environment-bar">
      <div className="environment-row">
        <fieldset className="segmented environment-switch">
          <legend className="visually-hidden">Environment</legend>
          {(['live', 'test'] as const)
            .filter((env) => env === 'live' || withTest)
            .map((env) => (
              <label key={env} className={value === env ? 'active' : undefined}>
                <input type="radio" name="environment" value={env} checked={value === env} onChange={() => onChange(env)} />
                {env === 'live' ? 'Live' : 'Test'}
              </label>
            ))}
        </fieldset>
        {!withTest && !adding && (
          <button type="button" className="secondary outline small" onClick={() => setAdding(true)}>
            <Plus aria-hidden size={16} /> Add a test environment
          </button>
        )}
        {withTest && value === 'test' && (
          <button type="button" className="secondary outline small danger-outline" onClick={() => setConfirmRemove(true)}>
            <Trash2 aria-hidden size={16} /> Remove the test environment
          </button>
        )}
      </div>
      <p className="muted small-text">
        {value === 'live'
          ? withTest
            ? 'Showing live: the base URL and credentials real clients use.'
            : 'Every workspace has a live environment. Add a test one to keep test traffic away from live data, with its own URL, base URL and credentials.'
          : 'Showing test: its own base URL and credentials. Test keys and the test URL reach only this environment.'}
      </p>
      {adding && (
        <form onSubmit={submit} className="inline-form add-environment">
          <label>
            Test base URL <span className="muted">(optional: the spec's otherwise)</span>
            <input
              type="url"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
              placeholder="https://sandbox.example.com/v1"
              spellCheck={false}
              autoFocus
            />
          </label>
          <FormError error={add.error} />
          <div className="button-row">
            <button type="submit" aria-busy={add.isPending} disabled={add.isPending}>
              <FlaskConical aria-hidden size={16} /> Add test environment
            </button>
            <button type="button" className="secondary outline" onClick={() => (setAdding(false), add.reset())}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={confirmRemove}
        title="Remove the test environment?"
        confirmLabel="Remove test environment"
        danger
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => (setConfirmRemove(false), remove.reset())}
        onConfirm={() => remove.mutate('test', { onSuccess: () => (setConfirmRemove(false), onChange('live')) })}
      >
        <p>
          Its MCP URL stops working at once, and its base URL, saved credentials and test access keys are removed. Live is not affected.
        </p>
      </ConfirmDialog>
    </div>
  );
}
