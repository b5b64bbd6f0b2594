// Creating or editing a toolset: a name, the environment its URL serves (new toolsets, when the
// workspace has test), and what it holds — tags, path prefixes and tools picked by hand, any of
// which matches. The preview counts the tools with the gateway's own matching as the user picks.
import { useMemo, useState, type FormEvent } from 'react';
import type { ToolsetView, ToolView, WorkspaceView } from '@latchkey/api';
import { normaliseSelection, toolsetMatcher } from '@latchkey/toolset';
import { useCreateToolset, useUpdateToolset } from '../api/toolset-queries';
import { useTools } from '../api/queries';
import { ToolChecklist } from './tool-checklist';
import { Modal } from '../ui/modal';
import { FormError } from '../ui/states';

/** Tools shown at once in the picker: a filter narrows a large API's list. */
const SHOWN = 150;

export function ToolsetDialog({
  workspace,
  editing,
  open,
  onClose,
}: {
  workspace: WorkspaceView;
  /** The toolset to edit; undefined: a new one. */
  editing?: ToolsetView;
  open: boolean;
  onClose(): void;
}) {
  return (
    <Modal open={open} title={editing ? `Edit “${editing.name}”` : 'Create a toolset'} onClose={onClose} className="key-dialog">
      <ToolsetForm key={editing?.id ?? 'new'} workspace={workspace} editing={editing} onClose={onClose} />
    </Modal>
  );
}

function tagCounts(tools: readonly ToolView[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const tool of tools) for (const tag of tool.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
}

function ToolsetForm({ workspace, editing, onClose }: { workspace: WorkspaceView; editing?: ToolsetView; onClose(): void }) {
  const create = useCreateToolset(workspace.id);
  const update = useUpdateToolset(workspace.id);
  const saving = editing ? update : create;
  const tools = useTools(workspace.id);
  const [name, setName] = useState(editing?.name ?? '');
  const [environment, setEnvironment] = useState<'live' | 'test'>('live');
  const [tags, setTags] = useState<string[]>(editing?.tags ?? []);
  const [prefixes, setPrefixes] = useState((editing?.pathPrefixes ?? []).join('\n'));
  const [picked, setPicked] = useState<string[]>(editing?.tools ?? []);
  const [filter, setFilter] = useState('');
  const withTest = Boolean(workspace.mcpUrls?.test) && !editing;
  const all = useMemo(() => tools.data ?? [], [tools.data]);

  const selection = normaliseSelection({ tags, tools: picked, pathPrefixes: prefixes.split('\n') });
  const held = all.filter(toolsetMatcher(selection));
  const enabled = held.filter((t) => t.enabled).length;
  const empty = selection.tags.length + selection.tools.length + selection.pathPrefixes.length === 0;

  const needle = filter.trim().toLowerCase();
  const shown = all.filter((t) => !needle || t.name.toLowerCase().includes(needle) || t.path.toLowerCase().includes(needle));

  function submit(event: FormEvent) {
    event.preventDefault();
    const body = { name: name.trim(), ...selection };
    const done = { onSuccess: onClose };
    if (editing) update.mutate({ toolsetId: editing.id, ...body }, done);
    else create.mutate({ ...body, ...(withTest ? { environment } : {}) }, done);
  }

  const toggle = (list: string[], value: string, on: boolean) => (on ? [...list, value] : list.filter((v) => v !== value));

  return (
    <form onSubmit={submit}>
      <div className="grid-2">
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Issues, Repos admin…"
            maxLength={100}
            required
            autoFocus
          />
        </label>
        {withTest && (
          <label>
            Environment
            <select value={environment} onChange={(e) => setEnvironment(e.target.value as 'live' | 'test')}>
              <option value="live">Live</option>
              <option value="test">Test</option>
            </select>
          </label>
        )}
      </div>
      {tools.isPending ? (
        <p className="muted small-text">Loading tools…</p>
      ) : tools.isError ? (
        <FormError error={tools.error} />
      ) : (
        <>
          <fieldset>
            <legend>Tags</legend>
            {tagCounts(all).length === 0 ? (
              <p className="muted small-text">The spec tags no operations: pick paths or tools instead.</p>
            ) : (
              <ul className="key-tools toolset-tags" aria-label="Tags">
                {tagCounts(all).map(([tag, count]) => (
                  <li key={tag}>
                    <label>
                      <input
                        type="checkbox"
                        checked={tags.includes(tag)}
                        onChange={(e) => setTags((l) => toggle(l, tag, e.target.checked))}
                      />
                      {tag} <span className="muted small-text">{count}</span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
          </fieldset>
          <label>
            Path prefixes{' '}
            <span className="muted">
              (one per line, e.g. /repos/{'{owner}'}/{'{repo}'}/issues)
            </span>
            <textarea className="mono" rows={2} value={prefixes} onChange={(e) => setPrefixes(e.target.value)} />
          </label>
          <fieldset>
            <legend>Tools picked by hand</legend>
            <input
              type="search"
              placeholder="Filter by name or path"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              aria-label="Filter tools"
            />
            <ToolChecklist
              tools={shown.slice(0, SHOWN)}
              picked={picked}
              label="Tools in this toolset"
              onToggle={(name, on) => setPicked((l) => toggle(l, name, on))}
            />
            {shown.length > SHOWN && <p className="muted small-text">{shown.length - SHOWN} more: narrow the filter to see them.</p>}
          </fieldset>
          <p className="muted small-text" role="status" aria-label="Toolset preview">
            {empty
              ? 'Pick at least one tag, path prefix or tool.'
              : `Holds ${enabled} enabled tool${enabled === 1 ? '' : 's'}${held.length > enabled ? ` (and ${held.length - enabled} switched off)` : ''}.`}
          </p>
        </>
      )}
      <FormError error={saving.error} />
      <footer>
        <button type="button" className="secondary outline" onClick={onClose} disabled={saving.isPending}>
          Cancel
        </button>
        <button type="submit" aria-busy={saving.isPending} disabled={saving.isPending || empty}>
          {editing ? 'Save toolset' : 'Create toolset'}
        </button>
      </footer>
    </form>
  );
}
