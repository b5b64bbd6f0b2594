// Every tool with its switch. Search and filters narrow the list; "enable all shown" asks first
// when it would turn on tools that write or delete.
import { useMemo, useState } from 'react';
import { Search, Wrench } from 'lucide-react';
import type { ToolView, WorkspaceView } from '@latchkey/api';
import { useToggleTools, useTools } from '../api/queries';
import { MethodBadge, RiskBadge, toolRisk } from '../ui/badges';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { plural } from '../ui/format';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';

function matches(tool: ToolView, search: string, method: string, tag: string): boolean {
  if (method && tool.method !== method) return false;
  if (tag && !tool.tags.includes(tag)) return false;
  if (!search) return true;
  const q = search.toLowerCase();
  return [tool.name, tool.path, tool.summary, tool.description].some((text) => text?.toLowerCase().includes(q));
}

export function ToolList({ workspace, onUpload }: { workspace: WorkspaceView; onUpload(): void }) {
  const tools = useTools(workspace.id);
  const toggle = useToggleTools(workspace.id);
  const [search, setSearch] = useState('');
  const [method, setMethod] = useState('');
  const [tag, setTag] = useState('');
  const [pendingBulk, setPendingBulk] = useState<ToolView[] | null>(null);

  const all = tools.data ?? [];
  const methods = useMemo(() => [...new Set(all.map((t) => t.method))].sort(), [all]);
  const tags = useMemo(() => [...new Set(all.flatMap((t) => t.tags))].sort(), [all]);
  const visible = all.filter((t) => matches(t, search, method, tag));

  if (tools.isPending) return <Loading label="Loading tools…" />;
  if (tools.isError) return <ErrorState error={tools.error} onRetry={() => void tools.refetch()} />;
  if (all.length === 0)
    return (
      <EmptyState icon={<Wrench aria-hidden size={28} />} title="No tools yet">
        <p>Tools come from the spec: one per operation.</p>
        <button type="button" onClick={onUpload}>
          Upload a spec
        </button>
      </EmptyState>
    );

  const setAll = (list: ToolView[], enabled: boolean) => {
    const changing = list.filter((t) => t.enabled !== enabled);
    if (changing.length > 0) toggle.mutate(Object.fromEntries(changing.map((t) => [t.name, enabled])));
  };
  function enableVisible() {
    const risky = visible.filter((t) => !t.enabled && toolRisk(t) !== 'read');
    if (risky.length > 0) setPendingBulk(risky);
    else setAll(visible, true);
  }

  const enabledCount = all.filter((t) => t.enabled).length;
  return (
    <>
      <div className="tool-toolbar">
        <label className="search">
          <span className="visually-hidden">Search tools</span>
          <Search aria-hidden size={16} />
          <input type="search" placeholder="Search tools" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label>
          <span className="visually-hidden">Method</span>
          <select value={method} onChange={(e) => setMethod(e.target.value)} aria-label="Filter by method">
            <option value="">All methods</option>
            {methods.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        {tags.length > 0 && (
          <label>
            <span className="visually-hidden">Tag</span>
            <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Filter by tag">
              <option value="">All tags</option>
              {tags.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="tool-summary">
        <span className="muted" aria-live="polite">
          {visible.length === all.length ? plural(all.length, 'tool') : `${visible.length} of ${plural(all.length, 'tool')} shown`} ·{' '}
          {enabledCount} enabled
        </span>
        <div className="button-row">
          <button type="button" className="secondary outline small" onClick={enableVisible} disabled={visible.every((t) => t.enabled)}>
            Enable all shown
          </button>
          <button
            type="button"
            className="secondary outline small"
            onClick={() => setAll(visible, false)}
            disabled={visible.every((t) => !t.enabled)}
          >
            Disable all shown
          </button>
        </div>
      </div>
      <FormError error={toggle.error} />
      {visible.length === 0 ? (
        <EmptyState title="No tool matches">
          <button type="button" className="secondary outline small" onClick={() => (setSearch(''), setMethod(''), setTag(''))}>
            Clear the filters
          </button>
        </EmptyState>
      ) : (
        <ul className="tool-list">
          {visible.map((tool) => (
            <li key={tool.name} className={`tool-row${tool.enabled ? ' enabled' : ''}`}>
              <input
                type="checkbox"
                role="switch"
                aria-label={tool.name}
                checked={tool.enabled}
                onChange={(e) => toggle.mutate({ [tool.name]: e.target.checked })}
              />
              <MethodBadge method={tool.method} />
              <div className="tool-text">
                <span className="tool-name mono">{tool.name}</span>
                {tool.summary && <span className="tool-summary-text">{tool.summary}</span>}
                <span className="tool-path mono">{tool.path}</span>
              </div>
              <div className="tool-marks">
                <RiskBadge tool={tool} />
                {tool.deprecated && <span className="badge deprecated">Deprecated</span>}
                {tool.tags.slice(0, 3).map((t) => (
                  <span key={t} className="badge tag">
                    {t}
                  </span>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={pendingBulk !== null}
        title={`Enable ${plural(pendingBulk?.length ?? 0, 'tool')} that change data?`}
        confirmLabel={`Enable ${plural(visible.filter((t) => !t.enabled).length, 'tool')}`}
        danger={pendingBulk?.some((t) => toolRisk(t) === 'destructive')}
        onCancel={() => setPendingBulk(null)}
        onConfirm={() => {
          setAll(visible, true);
          setPendingBulk(null);
        }}
      >
        <p>An MCP client will be able to call these with the saved credentials:</p>
        <ul className="risky-list">
          {pendingBulk?.map((t) => (
            <li key={t.name}>
              <MethodBadge method={t.method} /> <span className="mono">{t.name}</span> <RiskBadge tool={t} />
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  );
}
