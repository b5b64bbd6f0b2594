// Auth as cards. The editor is keyed by the saved settings' time, so after a save it starts again
// from what the server says: secret fields show "saved", and no typed secret stays in memory.
import { useState, type FormEvent } from 'react';
import { Plus, X } from 'lucide-react';
import type { ApiKeyPlacement, AuthInput, AuthType, AuthView } from '@latchkey/api';
import { useAuth, useDeleteAuth, useSaveAuth } from '../api/queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorState, FormError, Loading } from '../ui/states';
import { AuthCards } from './auth-cards';
import { SecretField } from './secret-field';

export function AuthForm({ workspaceId }: { workspaceId: string }) {
  const auth = useAuth(workspaceId);
  if (auth.isPending) return <Loading label="Loading authentication…" />;
  if (auth.isError) return <ErrorState error={auth.error} onRetry={() => void auth.refetch()} />;
  return <AuthEditor key={`${auth.data.type}:${auth.data.updatedAt}`} workspaceId={workspaceId} saved={auth.data} />;
}

interface HeaderRow {
  name: string;
  value: string;
}

function AuthEditor({ workspaceId, saved }: { workspaceId: string; saved: AuthView }) {
  const save = useSaveAuth(workspaceId);
  const remove = useDeleteAuth(workspaceId);
  const savedType = saved.saved ? saved.type : undefined;
  const [type, setType] = useState<AuthType>(savedType ?? 'none');
  const [replacing, setReplacing] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [token, setToken] = useState('');
  const [keyName, setKeyName] = useState(saved.type === 'api_key' ? (saved.name ?? '') : '');
  const [keyIn, setKeyIn] = useState<ApiKeyPlacement>(saved.type === 'api_key' ? (saved.in ?? 'header') : 'header');
  const [keyValue, setKeyValue] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [headers, setHeaders] = useState<HeaderRow[]>(
    saved.type === 'headers' && saved.headerNames?.length ? saved.headerNames.map((name) => ({ name, value: '' })) : [{ name: '', value: '' }],
  );
  const showSaved = type === savedType && !replacing;

  function input(): AuthInput {
    switch (type) {
      case 'bearer':
        return { type, token };
      case 'api_key':
        return { type, in: keyIn, ...(keyName.trim() ? { name: keyName.trim() } : {}), value: keyValue };
      case 'basic':
        return { type, username, password };
      case 'headers':
        return { type, headers: Object.fromEntries(headers.map((h) => [h.name.trim(), h.value])) };
      default:
        return { type: 'none' };
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(input());
  }

  const setRow = (index: number, change: Partial<HeaderRow>) => setHeaders((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  return (
    <form onSubmit={submit} className="auth-form">
      <AuthCards value={type} saved={savedType} onChange={(t) => (setType(t), save.reset())} />

      <div className="auth-fields">
        {type === 'none' && <p className="muted">Calls go to the API without credentials.</p>}
        {type === 'bearer' && <SecretField label="Token" value={token} onChange={setToken} saved={showSaved} />}
        {type === 'api_key' && (
          <>
            <div className="grid-2">
              <label>
                {keyIn === 'query' ? 'Query parameter' : keyIn === 'cookie' ? 'Cookie name' : 'Header name'}
                <input value={keyName} onChange={(e) => setKeyName(e.target.value)} placeholder="From the spec, e.g. X-Api-Key" readOnly={showSaved} spellCheck={false} />
              </label>
              <label>
                Send the key in
                <select value={keyIn} onChange={(e) => setKeyIn(e.target.value as ApiKeyPlacement)} disabled={showSaved}>
                  <option value="header">A header</option>
                  <option value="query">The query string</option>
                  <option value="cookie">A cookie</option>
                </select>
              </label>
            </div>
            <SecretField label="API key" value={keyValue} onChange={setKeyValue} saved={showSaved} />
          </>
        )}
        {type === 'basic' && (
          <div className="grid-2">
            <SecretField label="Username" value={username} onChange={setUsername} saved={showSaved} />
            <SecretField label="Password" value={password} onChange={setPassword} saved={showSaved} required={false} />
          </div>
        )}
        {type === 'headers' && (
          <div className="header-rows">
            {headers.map((row, i) => (
              <div className="header-row" key={i}>
                <label>
                  Header name
                  <input value={row.name} onChange={(e) => setRow(i, { name: e.target.value })} placeholder="X-Tenant" required readOnly={showSaved} spellCheck={false} />
                </label>
                <SecretField label="Value" value={row.value} onChange={(value) => setRow(i, { value })} saved={showSaved} />
                {!showSaved && headers.length > 1 && (
                  <button type="button" className="icon-button secondary outline" aria-label={`Remove header ${row.name || i + 1}`} onClick={() => setHeaders((rows) => rows.filter((_, j) => j !== i))}>
                    <X aria-hidden size={16} />
                  </button>
                )}
              </div>
            ))}
            {!showSaved && (
              <button type="button" className="secondary outline small" onClick={() => setHeaders((rows) => [...rows, { name: '', value: '' }])} disabled={headers.length >= 50}>
                <Plus aria-hidden size={16} /> Add header
              </button>
            )}
          </div>
        )}
      </div>

      <FormError error={save.error} />
      <div className="button-row">
        {showSaved ? (
          type !== 'none' && (
            <button type="button" className="secondary" onClick={() => setReplacing(true)}>
              Replace {type === 'headers' ? 'headers' : type === 'basic' ? 'credentials' : type === 'bearer' ? 'token' : 'key'}
            </button>
          )
        ) : (
          <>
            <button type="submit" aria-busy={save.isPending} disabled={save.isPending}>
              Save authentication
            </button>
            {replacing && (
              <button type="button" className="secondary outline" onClick={() => setReplacing(false)}>
                Keep the saved one
              </button>
            )}
          </>
        )}
        {saved.saved && saved.type !== 'none' && (
          <button type="button" className="secondary outline danger-outline" onClick={() => setConfirmRemove(true)}>
            Remove saved credentials
          </button>
        )}
      </div>
      <ConfirmDialog
        open={confirmRemove}
        title="Remove the saved credentials?"
        confirmLabel="Remove"
        danger
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => (setConfirmRemove(false), remove.reset())}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => setConfirmRemove(false) })}
      >
        <p>Tool calls will reach the API without them from now on. The secret cannot be shown or recovered: to use it again, type it again.</p>
      </ConfirmDialog>
    </form>
  );
}
