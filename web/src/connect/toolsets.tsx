// Toolsets on the Connect tab: each a named subset of the workspace's tools with its own URL, to
// hand one agent "issues" and another "repos admin". Created and edited in a dialog; a new URL
// and deletion are confirmed first, as for the workspace's own URL.
import { useState } from 'react';
import { Layers, Pencil, Plus, RotateCcw, Trash2 } from 'lucide-react';
import type { ToolsetView, WorkspaceView } from '@latchkey/api';
import { useDeleteToolset, useRotateToolsetUrl, useToolsets } from '../api/toolset-queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { CopyButton } from '../ui/copy-button';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { ToolsetDialog } from './toolset-dialog';

function summary(toolset: ToolsetView): string {
  const parts = [
    toolset.tags.length > 0 && `tags ${toolset.tags.join(', ')}`,
    toolset.pathPrefixes.length > 0 && `under ${toolset.pathPrefixes.join(', ')}`,
    toolset.tools.length > 0 && `${toolset.tools.length} picked`,
  ].filter(Boolean);
  return parts.join(' · ');
}

export function Toolsets({ workspace }: { workspace: WorkspaceView }) {
  const list = useToolsets(workspace.id);
  const rotate = useRotateToolsetUrl(workspace.id);
  const remove = useDeleteToolset(workspace.id);
  const [editing, setEditing] = useState<ToolsetView | 'new' | null>(null);
  const [rotating, setRotating] = useState<ToolsetView | null>(null);
  const [deleting, setDeleting] = useState<ToolsetView | null>(null);

  const createButton = (
    <button type="button" className="small" onClick={() => setEditing('new')}>
      <Plus aria-hidden size={16} /> Create toolset
    </button>
  );

  return (
    <section className="panel" aria-labelledby="toolsets-heading">
      <div className="panel-head">
        <div>
          <h2 id="toolsets-heading">Toolsets</h2>
          <p className="muted small-text">
            A named part of this API with its own URL: clients on it see only those tools. Keys can be bound to one.
          </p>
        </div>
        {list.data && list.data.length > 0 && createButton}
      </div>
      {list.isPending ? (
        <Loading label="Loading toolsets…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState icon={<Layers aria-hidden size={28} />} title="No toolsets yet">
          <p>Group tools by tag, path or by hand — “Issues” for one agent, “Repos admin” for another — each with its own URL.</p>
          {createButton}
        </EmptyState>
      ) : (
        <ul className="toolset-list">
          {list.data.map((toolset) => (
            <li key={toolset.id} className="toolset" aria-label={`Toolset ${toolset.name}`}>
              <div className="toolset-head">
                <h3>{toolset.name}</h3>
                {workspace.mcpUrls?.test && <span className={`badge env-badge env-${toolset.environment}`}>{toolset.environment}</span>}
                <span className="badge" title={toolset.matched.join(', ')}>
                  {toolset.matched.length} tool{toolset.matched.length === 1 ? '' : 's'}
                </span>
                {toolset.disabledMatched > 0 && <span className="muted small-text">+{toolset.disabledMatched} switched off</span>}
                {toolset.boundKeys > 0 && (
                  <span className="muted small-text">
                    {toolset.boundKeys} key{toolset.boundKeys === 1 ? '' : 's'} bound
                  </span>
                )}
                <span className="grow" />
                <button type="button" className="secondary outline small" onClick={() => setEditing(toolset)}>
                  <Pencil aria-hidden size={14} /> Edit
                </button>
                <button type="button" className="secondary outline small" onClick={() => setRotating(toolset)}>
                  <RotateCcw aria-hidden size={14} /> New URL
                </button>
                <button type="button" className="secondary outline small danger-outline" onClick={() => setDeleting(toolset)}>
                  <Trash2 aria-hidden size={14} /> Delete
                </button>
              </div>
              <p className="muted small-text">{summary(toolset)}</p>
              <div className="url-row">
                <input
                  className="mono grow"
                  readOnly
                  value={toolset.mcpUrl}
                  onFocus={(e) => e.target.select()}
                  aria-label={`${toolset.name} MCP URL`}
                />
                <CopyButton text={toolset.mcpUrl} label={`Copy ${toolset.name} URL`} className="" />
              </div>
            </li>
          ))}
        </ul>
      )}

      <ToolsetDialog
        workspace={workspace}
        editing={editing === 'new' || editing === null ? undefined : editing}
        open={editing !== null}
        onClose={() => setEditing(null)}
      />
      <ConfirmDialog
        open={rotating !== null}
        title={`New URL for “${rotating?.name}”?`}
        confirmLabel="Replace URL"
        danger
        pending={rotate.isPending}
        error={rotate.error}
        onCancel={() => (setRotating(null), rotate.reset())}
        onConfirm={() => rotating && rotate.mutate(rotating.id, { onSuccess: () => setRotating(null) })}
      >
        <p>The toolset&rsquo;s current URL stops working at once; clients using it need the new one.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the toolset “${deleting?.name}”?`}
        confirmLabel="Delete toolset"
        danger
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => (setDeleting(null), remove.reset())}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        <p>Its URL stops working at once. The tools themselves stay in the workspace.</p>
      </ConfirmDialog>
    </section>
  );
}
