// Access keys: one per integration, each revocable alone. The list never holds a key, only its
// prefix; a new key is shown once, in its own dialog.
import { useState } from 'react';
import { KeyRound, Plus } from 'lucide-react';
import type { AccessKeyView, KeySchemaProfile, KeyToolMode, WorkspaceView } from '@latchkey/api';
import { useAccessKeys, useRevokeAccessKey, useSetKeyChoices } from '../api/access-queries';
import { useToolsets } from '../api/toolset-queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { dateTime, timeAgo } from '../ui/format';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { CreateKeyDialog, type CreatedKey } from './create-key-dialog';
import { NewKeyDialog } from './new-key-dialog';

const date = (iso: string | null, none: string) =>
  iso ? <span title={dateTime(iso)}>{timeAgo(iso)}</span> : <span className="muted">{none}</span>;

function expiry(key: AccessKeyView) {
  if (!key.expiresAt) return <span className="muted">never</span>;
  const past = Date.parse(key.expiresAt) <= Date.now();
  return (
    <span className={past ? 'badge status-error' : undefined} title={dateTime(key.expiresAt)}>
      {past ? 'expired' : timeAgo(key.expiresAt)}
    </span>
  );
}

export function AccessKeys({ workspace }: { workspace: WorkspaceView }) {
  const list = useAccessKeys(workspace.id);
  const revoke = useRevokeAccessKey(workspace.id);
  const setChoices = useSetKeyChoices(workspace.id);
  const toolsets = useToolsets(workspace.id);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<AccessKeyView | null>(null);

  const createButton = (
    <button type="button" className="small" onClick={() => setCreating(true)}>
      <Plus aria-hidden size={16} /> Create access key
    </button>
  );

  return (
    <section className="panel" aria-labelledby="keys-heading">
      <div className="panel-head">
        <div>
          <h2 id="keys-heading">Access keys</h2>
          <p className="muted small-text">
            {workspace.access === 'keys' ? 'Every client needs one of these.' : 'Used once access is set to “URL and an access key”.'} A key
            sees only its scope, tools and environment, and is revoked alone.
          </p>
        </div>
        {list.data && list.data.length > 0 && createButton}
      </div>
      {list.isPending ? (
        <Loading label="Loading access keys…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState icon={<KeyRound aria-hidden size={28} />} title="No access keys yet">
          <p>Create one per integration (a CI job, a teammate, an agent), so each can be revoked without touching the others.</p>
          {createButton}
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="logs-table keys-table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Scope</th>
                <th scope="col">Tools</th>
                <th scope="col">Env</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Schemas</th>
                <th scope="col">Mode</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((key) => (
                <tr key={key.id}>
                  <td>{key.label}</td>
                  <td className="mono">{key.prefix}…</td>
                  <td>
                    <span className={`badge ${key.scope === 'read' ? 'method-get' : 'risk-write'}`}>{key.scope}</span>
                  </td>
                  <td className="key-tools-cell" title={key.tools?.join(', ')}>
                    {key.toolsetId ? (
                      <span>toolset “{toolsets.data?.find((ts) => ts.id === key.toolsetId)?.name ?? '…'}”</span>
                    ) : key.tools ? (
                      <span className="mono">
                        {key.tools.length <= 2 ? key.tools.join(', ') : `${key.tools.slice(0, 2).join(', ')} +${key.tools.length - 2}`}
                      </span>
                    ) : (
                      <span className="muted">all</span>
                    )}
                  </td>
                  <td>
                    <span className={`badge env-badge env-${key.environment}`}>{key.environment}</span>
                  </td>
                  <td>{date(key.createdAt, '')}</td>
                  <td>{date(key.lastUsedAt, 'never')}</td>
                  <td>{expiry(key)}</td>
                  <td>
                    <select
                      className="compact-select"
                      value={key.schemaProfile ?? ''}
                      disabled={setChoices.isPending}
                      aria-label={`Tool schemas for key “${key.label}”`}
                      onChange={(e) =>
                        setChoices.mutate({ keyId: key.id, schemaProfile: (e.target.value || null) as KeySchemaProfile | null })
                      }
                    >
                      <option value="">workspace</option>
                      <option value="default">default</option>
                      <option value="openai">openai</option>
                      <option value="gemini">gemini</option>
                    </select>
                  </td>
                  <td>
                    <select
                      className="compact-select"
                      value={key.toolMode ?? ''}
                      disabled={setChoices.isPending}
                      aria-label={`Tool mode for key “${key.label}”`}
                      onChange={(e) => setChoices.mutate({ keyId: key.id, toolMode: (e.target.value || null) as KeyToolMode | null })}
                    >
                      <option value="">workspace</option>
                      <option value="all">all</option>
                      <option value="dynamic">dynamic</option>
                    </select>
                  </td>
                  <td className="num">
                    <button
                      type="button"
                      className="secondary outline small danger-outline"
                      onClick={() => setRevoking(key)}
                      aria-label={`Revoke key “${key.label}”`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <FormError error={setChoices.error} />
        </div>
      )}
      <CreateKeyDialog
        workspace={workspace}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(key) => {
          setCreating(false);
          setCreated(key);
        }}
      />
      <NewKeyDialog created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.label ?? ''}”?`}
        confirmLabel="Revoke key"
        danger
        pending={revoke.isPending}
        error={revoke.error}
        onCancel={() => (setRevoking(null), revoke.reset())}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <p>Clients using it are refused from their very next request. This cannot be undone: to let them in again, create a new key.</p>
      </ConfirmDialog>
    </section>
  );
}
