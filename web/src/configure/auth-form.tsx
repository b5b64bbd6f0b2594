// Auth as cards, per environment. The editor is keyed by the saved settings' time, so after a save
// it starts again from what the server says: secret fields show "saved", and no typed secret stays
// in memory.
import { useState, type FormEvent } from 'react';
import type { ApiKeyPlacement, AuthInput, AuthType, AuthView, WorkspaceView } from '@latchkey/api';
import { useAuth, useDeleteAuth, useSaveAuth } from '../api/queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorState, FormError, Loading } from '../ui/states';
import { AuthCards } from './auth-cards';
import { HeaderRows, rowsToHeaders, type HeaderRow } from './header-rows';
import { HeldCredentials } from './held-credentials';
import { OAuthFields, oauthDraftOf, oauthInputOf, type OAuthDraft } from './oauth-fields';
import { OAuthStatus } from './oauth-status';
import { SecretField } from './secret-field';

export function AuthForm({ workspace, environment = 'live' }: { workspace: WorkspaceView; environment?: string }) {
  const auth = useAuth(workspace.id, environment);
  if (auth.isPending) return <Loading label="Loading authentication…" />;
  if (auth.isError) return <ErrorState error={auth.error} onRetry={() => void auth.refetch()} />;
  return (
    <>
      <HeldCredentials workspace={workspace} environment={environment} auth={auth.data} />
      <AuthEditor key={`${auth.data.type}:${auth.data.updatedAt}`} workspace={workspace} environment={environment} saved={auth.data} />
    </>
  );
}

const REPLACE_LABEL: Partial<Record<AuthType, string>> = {
  headers: 'Replace headers',
  passthrough: 'Replace stored headers',
  basic: 'Replace credentials',
  bearer: 'Replace token',
  api_key: 'Replace key',
  oauth2: 'Change OAuth settings',
};

const savedRows = (saved: AuthView, type: AuthType, fallback: HeaderRow[]) =>
  saved.type === type && saved.headerNames?.length ? saved.headerNames.map((name) => ({ name, value: '' })) : fallback;

function AuthEditor({ workspace, environment, saved }: { workspace: WorkspaceView; environment: string; saved: AuthView }) {
  const save = useSaveAuth(workspace.id, environment);
  const remove = useDeleteAuth(workspace.id, environment);
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
  const [headers, setHeaders] = useState<HeaderRow[]>(savedRows(saved, 'headers', [{ name: '', value: '' }]));
  const [passHeaders, setPassHeaders] = useState<HeaderRow[]>(savedRows(saved, 'passthrough', []));
  const [oauth, setOAuth] = useState<OAuthDraft>(() => oauthDraftOf(saved));
  const showSaved = type === savedType && !replacing;
  const oauthSaved = saved.type === 'oauth2' && saved.saved;
  const redirectUri = saved.oauth?.redirectUri ?? `${new URL(workspace.mcpUrl).origin}/oauth/callback`;

  function input(): AuthInput {
    switch (type) {
      case 'bearer':
        return { type, token };
      case 'api_key':
        return { type, in: keyIn, ...(keyName.trim() ? { name: keyName.trim() } : {}), value: keyValue };
      case 'basic':
        return { type, username, password };
      case 'headers':
        return { type, headers: rowsToHeaders(headers) };
      case 'passthrough':
        return { type, headers: rowsToHeaders(passHeaders) };
      case 'oauth2':
        return oauthInputOf(oauth);
      default:
        return { type: 'none' };
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(input());
  }

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
                <input
                  value={keyName}
                  onChange={(e) => setKeyName(e.target.value)}
                  placeholder="From the spec, e.g. X-Api-Key"
                  readOnly={showSaved}
                  spellCheck={false}
                />
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
        {type === 'headers' && <HeaderRows rows={headers} onChange={setHeaders} saved={showSaved} minRows={1} />}
        {type === 'passthrough' && (
          <>
            <p className="muted">
              Each caller brings its own credentials: the <span className="mono">Authorization</span>,{' '}
              <span className="mono">X-API-Key</span> and other <span className="mono">X-*</span> headers of every MCP request are forwarded
              to the API for that one call, and never stored, cached or logged (Latchkey's own <span className="mono">X-Latchkey-*</span>{' '}
              headers stay behind).
            </p>
            <p className="muted small-text">Optional: headers to add to every call; they win over the caller's.</p>
            {showSaved && passHeaders.length === 0 ? (
              <p className="muted small-text">No stored headers.</p>
            ) : (
              <HeaderRows rows={passHeaders} onChange={setPassHeaders} saved={showSaved} minRows={0} addLabel="Add a stored header" />
            )}
          </>
        )}
        {type === 'oauth2' && (
          <OAuthFields
            draft={oauth}
            onChange={(change) => setOAuth((d) => ({ ...d, ...change }))}
            saved={showSaved}
            secretSaved={oauthSaved && saved.oauth?.flow === 'client_credentials'}
            hasClientSecret={saved.oauth?.hasClientSecret}
            redirectUri={redirectUri}
          />
        )}
      </div>

      <FormError error={save.error} />
      <div className="button-row">
        {showSaved ? (
          type !== 'none' && (
            <button type="button" className="secondary" onClick={() => setReplacing(true)}>
              {REPLACE_LABEL[type]}
            </button>
          )
        ) : (
          <>
            <button type="submit" aria-busy={save.isPending} disabled={save.isPending}>
              Save authentication
            </button>
            {replacing && (
              <button type="button" className="secondary outline" onClick={() => (setReplacing(false), setOAuth(oauthDraftOf(saved)))}>
                Keep the saved one
              </button>
            )}
          </>
        )}
        {saved.saved && saved.type !== 'none' && (
          <button type="button" className="secondary outline danger-outline" onClick={() => setConfirmRemove(true)}>
            {saved.type === 'oauth2' ? 'Disconnect' : 'Remove saved credentials'}
          </button>
        )}
      </div>
      {type === 'oauth2' && oauthSaved && showSaved && <OAuthStatus workspaceId={workspace.id} environment={environment} saved={saved} />}
      <ConfirmDialog
        open={confirmRemove}
        title={saved.type === 'oauth2' ? 'Disconnect OAuth?' : 'Remove the saved credentials?'}
        confirmLabel={saved.type === 'oauth2' ? 'Disconnect' : 'Remove'}
        danger
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => (setConfirmRemove(false), remove.reset())}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => setConfirmRemove(false) })}
      >
        {saved.type === 'oauth2' ? (
          <p>
            The gateway revokes the tokens at the provider (where it offers revocation) and deletes them with the OAuth settings. Tool calls
            reach the API without credentials until you connect again.
          </p>
        ) : (
          <p>
            Tool calls will reach the API without them from now on. The secret cannot be shown or recovered: to use it again, type it again.
          </p>
        )}
      </ConfirmDialog>
    </form>
  );
}
