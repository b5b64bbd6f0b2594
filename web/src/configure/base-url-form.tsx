// The upstream base URL of the selected environment: live is the workspace's own setting, test has
// its own (PATCH …/environments/test); an empty field restores the spec's.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { useEnvironments, useUpdateEnvironment } from '../api/access-queries';
import { useSpec, useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

export function BaseUrlForm({ workspace, environment = 'live' }: { workspace: WorkspaceView; environment?: string }) {
  const spec = useSpec(workspace);
  const environments = useEnvironments(workspace.id);
  const updateLive = useUpdateWorkspace(workspace.id);
  const updateEnv = useUpdateEnvironment(workspace.id);
  const update = environment === 'live' ? updateLive : updateEnv;
  const env = environments.data?.find((e) => e.name === environment);
  const current = environment === 'live' ? workspace.baseUrl : (env?.baseUrl ?? null);
  const [value, setValue] = useState(current ?? '');
  // A new value from the server replaces the field only while the user has not edited it: the
  // test environment's URL arrives a moment after the environment is added, and must not wipe
  // what was typed meanwhile.
  const shown = useRef(current);
  useEffect(() => {
    setValue((typed) => (typed.trim() === (shown.current ?? '') ? (current ?? '') : typed));
    shown.current = current;
  }, [current]);
  const specUrl = spec.data?.baseUrl ?? null;
  const overridden = current !== null && specUrl !== null && current !== specUrl;
  const dirty = value.trim() !== (current ?? '');

  function save(baseUrl: string | null) {
    if (environment === 'live') updateLive.mutate({ baseUrl });
    else updateEnv.mutate({ name: environment, baseUrl });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save(value.trim() === '' ? null : value.trim());
  }

  return (
    <form onSubmit={submit} className="inline-form">
      <label>
        {environment === 'live' ? 'API base URL' : `API base URL (${environment})`}
        <input
          type="url"
          value={value}
          onChange={(e) => (setValue(e.target.value), update.reset())}
          placeholder={environment === 'live' ? 'https://api.example.com/v1' : 'https://sandbox.example.com/v1'}
          aria-describedby="base-url-hint"
          spellCheck={false}
        />
        <small id="base-url-hint">
          {overridden ? (
            <>
              Overrides the spec's <span className="mono">{specUrl}</span>.{' '}
              <button type="button" className="link" onClick={() => save(null)}>
                Use the spec's
              </button>
            </>
          ) : specUrl ? (
            environment === 'live' ? (
              'From the spec. Change it to point at another server (e.g. staging).'
            ) : (
              'From the spec. Point the test environment at a sandbox to keep test calls away from live data.'
            )
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
