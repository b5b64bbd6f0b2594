import { useEffect, useState, type FormEvent } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { useSpec, useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

export function BaseUrlForm({ workspace }: { workspace: WorkspaceView }) {
  const spec = useSpec(workspace);
  const update = useUpdateWorkspace(workspace.id);
  const [value, setValue] = useState(workspace.baseUrl ?? '');
  useEffect(() => setValue(workspace.baseUrl ?? ''), [workspace.baseUrl]);
  const specUrl = spec.data?.baseUrl ?? null;
  const overridden = workspace.baseUrl !== null && specUrl !== null && workspace.baseUrl !== specUrl;
  const dirty = value.trim() !== (workspace.baseUrl ?? '');

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ baseUrl: value.trim() === '' ? null : value.trim() });
  }

  return (
    <form onSubmit={submit} className="inline-form">
      <label>
        API base URL
        <input
          type="url"
          value={value}
          onChange={(e) => (setValue(e.target.value), update.reset())}
          placeholder="https://api.example.com/v1"
          aria-describedby="base-url-hint"
          spellCheck={false}
        />
        <small id="base-url-hint">
          {overridden ? (
            <>
              Overrides the spec's <span className="mono">{specUrl}</span>.{' '}
              <button type="button" className="link" onClick={() => update.mutate({ baseUrl: null })}>
                Use the spec's
              </button>
            </>
          ) : specUrl ? (
            "From the spec. Change it to point at another server (e.g. staging)."
          ) : (
            'Where tool calls are sent. The spec does not name a server, so set one here.'
          )}
        </small>
      </label>
      <div className="button-row">
        <button type="submit" disabled={!dirty || update.isPending} aria-busy={update.isPending}>
          Save base URL
        </button>
        {update.isSuccess && !dirty && <SavedIndicator />}
      </div>
      <FormError error={update.error} />
    </form>
  );
}
