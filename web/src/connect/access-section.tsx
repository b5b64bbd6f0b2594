// Who may call: the URL alone, or the URL plus an access key; and the rate limit per workspace
// and per key, the gateway's default unless overridden.
import { useEffect, useState, type FormEvent } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

const MODES = [
  {
    value: 'url',
    title: 'The URL alone',
    text: 'Whoever holds the MCP URL can call the enabled tools. Simple for one person; rotate the URL if it leaks.',
  },
  {
    value: 'keys',
    title: 'URL and an access key',
    text: 'Each client also sends a key of its own (X-Latchkey-Key). Keys have a scope, tools and an environment, and are revoked one by one.',
  },
] as const;

export function AccessSection({ workspace }: { workspace: WorkspaceView }) {
  const update = useUpdateWorkspace(workspace.id);
  // Shows the choice at once; the server's answer (or its refusal) settles it.
  const access = (update.isPending ? update.variables.access : undefined) ?? workspace.access ?? 'url';
  return (
    <section className="panel" aria-labelledby="access-heading">
      <h2 id="access-heading">Access</h2>
      <fieldset className="auth-cards access-modes">
        <legend>Who may call this workspace</legend>
        <div className="auth-card-grid access-grid">
          {MODES.map((mode) => (
            <label key={mode.value} className={`auth-card${access === mode.value ? ' selected' : ''}`}>
              <input
                type="radio"
                name="access-mode"
                value={mode.value}
                checked={access === mode.value}
                disabled={update.isPending}
                onChange={() => update.mutate({ access: mode.value })}
              />
              <span className="auth-card-title">{mode.title}</span>
              <span className="auth-card-text">{mode.text}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <FormError error={update.error} />
      <RateLimitForm workspace={workspace} />
    </section>
  );
}

function RateLimitForm({ workspace }: { workspace: WorkspaceView }) {
  const update = useUpdateWorkspace(workspace.id);
  const current = workspace.rateLimit ?? null;
  const [value, setValue] = useState(current === null ? '' : String(current));
  useEffect(() => setValue(current === null ? '' : String(current)), [current]);
  const dirty = value.trim() !== (current === null ? '' : String(current));
  const effective = workspace.effectiveRateLimit;

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ rateLimit: value.trim() === '' ? null : Number(value) });
  }

  return (
    <form onSubmit={submit} className="inline-form rate-limit-form">
      <label>
        Rate limit <span className="muted">(requests per minute, per workspace and per key)</span>
        <input
          type="number"
          min={0}
          step={1}
          value={value}
          onChange={(e) => (setValue(e.target.value), update.reset())}
          placeholder="The gateway's default"
          aria-describedby="rate-limit-hint"
        />
        <small id="rate-limit-hint">
          In effect: <strong>{effective === undefined ? '—' : effective === 0 ? 'no limit' : `${effective} per minute`}</strong>
          {current === null ? ' (the gateway default).' : ' (this workspace’s own).'} Over it, clients get HTTP 429 with Retry-After; 0
          means no limit.
        </small>
      </label>
      <div className="button-row">
        <button type="submit" className="secondary" disabled={!dirty || update.isPending} aria-busy={update.isPending}>
          Save rate limit
        </button>
        {current !== null && (
          <button
            type="button"
            className="secondary outline"
            onClick={() => update.mutate({ rateLimit: null })}
            disabled={update.isPending}
          >
            Use the default
          </button>
        )}
        {update.isSuccess && !dirty && <SavedIndicator />}
      </div>
      <FormError error={update.error} />
    </form>
  );
}
