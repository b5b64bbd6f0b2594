// Creating an access key: a label, read or write, optionally a narrower tool list or a toolset, the
// environment (when the workspace has test; a toolset brings its own), an optional expiry. The answer's key goes straight to the
// one-time dialog; the mutation is reset so the cache does not keep it.
import { useState, type FormEvent } from 'react';
import type { KeySchemaProfile, KeyToolMode, NewAccessKeyBody, WorkspaceView } from '@latchkey/api';
import { PROFILE_LABELS } from '../configure/schema-profile-form';
import { TOOL_MODE_LABELS } from '../configure/tool-mode-form';
import { useCreateAccessKey } from '../api/access-queries';
import { useToolsets } from '../api/toolset-queries';
import { useTools } from '../api/queries';
import { ToolChecklist } from './tool-checklist';
import { Modal } from '../ui/modal';
import { FormError } from '../ui/states';

export interface CreatedKey {
  key: string;
  label: string;
  environment: string;
}

export function CreateKeyDialog({
  workspace,
  open,
  onClose,
  onCreated,
}: {
  workspace: WorkspaceView;
  open: boolean;
  onClose(): void;
  onCreated(created: CreatedKey): void;
}) {
  return (
    <Modal open={open} title="Create an access key" onClose={onClose} className="key-dialog">
      <CreateKeyForm workspace={workspace} onClose={onClose} onCreated={onCreated} />
    </Modal>
  );
}

function CreateKeyForm({
  workspace,
  onClose,
  onCreated,
}: {
  workspace: WorkspaceView;
  onClose(): void;
  onCreated(created: CreatedKey): void;
}) {
  const create = useCreateAccessKey(workspace.id);
  const tools = useTools(workspace.id);
  const [label, setLabel] = useState('');
  const [scope, setScope] = useState<'read' | 'write'>('write');
  const [limitTools, setLimitTools] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const [environment, setEnvironment] = useState<'live' | 'test'>('live');
  const [expires, setExpires] = useState('');
  const [profile, setProfile] = useState<KeySchemaProfile | ''>('');
  const [mode, setMode] = useState<KeyToolMode | ''>('');
  const toolsets = useToolsets(workspace.id);
  const [toolsetId, setToolsetId] = useState('');
  const withTest = Boolean(workspace.mcpUrls?.test);

  function submit(event: FormEvent) {
    event.preventDefault();
    const body: NewAccessKeyBody = {
      label: label.trim(),
      scope,
      ...(limitTools && picked.length ? { tools: picked } : {}),
      ...(withTest ? { environment } : {}),
      // The key stops working at the start of that day, local time.
      ...(expires ? { expiresAt: new Date(`${expires}T00:00:00`).toISOString() } : {}),
      ...(profile ? { schemaProfile: profile } : {}),
      ...(mode ? { toolMode: mode } : {}),
      // A bound key takes the toolset's environment.
      ...(toolsetId ? { toolsetId, environment: toolsets.data?.find((ts) => ts.id === toolsetId)?.environment as 'live' | 'test' } : {}),
    };
    create.mutate(body, {
      onSuccess: (created) => {
        onCreated({ key: created.key ?? '', label: created.label, environment: created.environment });
        create.reset();
      },
    });
  }

  const toggle = (name: string, on: boolean) => setPicked((list) => (on ? [...list, name] : list.filter((n) => n !== name)));
  // Tomorrow in local time, like the expiry itself: UTC's date (toISOString) is a day off in the
  // evening west of UTC and in the morning east of it.
  const next = new Date();
  next.setDate(next.getDate() + 1);
  const tomorrow = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-${String(next.getDate()).padStart(2, '0')}`;

  return (
    <form onSubmit={submit}>
      <label>
        Label
        <input
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          placeholder="GitHub Actions, Alice's laptop…"
          maxLength={100}
          required
          autoFocus
        />
      </label>
      <fieldset>
        <legend>Scope</legend>
        <label>
          <input type="radio" name="key-scope" value="write" checked={scope === 'write'} onChange={() => setScope('write')} />
          Read and write: every enabled tool
        </label>
        <label>
          <input type="radio" name="key-scope" value="read" checked={scope === 'read'} onChange={() => setScope('read')} />
          Read only: GET and HEAD tools
        </label>
      </fieldset>
      <fieldset>
        <legend>Tools</legend>
        <label>
          <input type="checkbox" role="switch" checked={limitTools} onChange={(e) => setLimitTools(e.target.checked)} />
          Only some tools
        </label>
        {limitTools &&
          (tools.isPending ? (
            <p className="muted small-text">Loading tools…</p>
          ) : tools.isError ? (
            <FormError error={tools.error} />
          ) : (tools.data ?? []).length === 0 ? (
            <p className="muted small-text">This workspace has no tools yet: upload a spec first.</p>
          ) : (
            <ToolChecklist tools={tools.data} picked={picked} label="Tools this key may call" onToggle={toggle} />
          ))}
      </fieldset>
      <div className="grid-2">
        {(toolsets.data ?? []).length > 0 && (
          <label>
            Toolset
            <select value={toolsetId} onChange={(e) => setToolsetId(e.target.value)}>
              <option value="">None: the whole workspace</option>
              {toolsets.data!.map((ts) => (
                <option key={ts.id} value={ts.id}>
                  {ts.name}
                  {withTest ? ` (${ts.environment})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {withTest && !toolsetId && (
          <label>
            Environment
            <select value={environment} onChange={(e) => setEnvironment(e.target.value as 'live' | 'test')}>
              <option value="live">Live</option>
              <option value="test">Test</option>
            </select>
          </label>
        )}
        <label>
          Expires on <span className="muted">(optional)</span>
          <input type="date" value={expires} min={tomorrow} onChange={(e) => setExpires(e.target.value)} />
        </label>
        <label>
          Tool schemas
          <select value={profile} onChange={(e) => setProfile(e.target.value as KeySchemaProfile | '')}>
            <option value="">The workspace&rsquo;s choice</option>
            <option value="default">{PROFILE_LABELS.default}</option>
            <option value="openai">{PROFILE_LABELS.openai}</option>
            <option value="gemini">{PROFILE_LABELS.gemini}</option>
          </select>
        </label>
        <label>
          Tool mode
          <select value={mode} onChange={(e) => setMode(e.target.value as KeyToolMode | '')}>
            <option value="">The workspace&rsquo;s choice</option>
            <option value="all">{TOOL_MODE_LABELS.all}</option>
            <option value="dynamic">{TOOL_MODE_LABELS.dynamic}</option>
          </select>
        </label>
      </div>
      <FormError error={create.error} />
      <footer>
        <button type="button" className="secondary outline" onClick={onClose} disabled={create.isPending}>
          Cancel
        </button>
        <button type="submit" aria-busy={create.isPending} disabled={create.isPending || (limitTools && picked.length === 0)}>
          Create key
        </button>
      </footer>
    </form>
  );
}
