// Logs: the newest calls first, filtered by tool, result, caller and environment, page by page, optionally refreshing.
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ChevronLeft, ChevronRight, Download, RefreshCw, ScrollText } from 'lucide-react';
import type { LogItem, LogQuery, WorkspaceView } from '@latchkey/api';
import { useAccessKeys } from '../api/access-queries';
import { keys, useLogs, useTools } from '../api/queries';
import { dateTime, timeAgo } from '../ui/format';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { LogDetail } from './log-detail';

const PAGE_SIZE = 25;
const REFRESH_MS = 3000;

export function StatusBadge({ item }: { item: LogItem }) {
  const text = item.status ?? (item.ok ? 'OK' : 'Error');
  return <span className={`badge status ${item.ok ? 'status-ok' : 'status-error'}`}>{text}</span>;
}

export function callerText(item: LogItem): string {
  if (item.caller === 'url') return 'MCP URL';
  if (item.caller.startsWith('toolset:')) return `Toolset “${item.callerLabel ?? item.caller.slice('toolset:'.length)}”`;
  return item.callerLabel ? `Key “${item.callerLabel}”` : `Key ${item.caller}`;
}

export function LogsTab({ workspace, onConnect }: { workspace: WorkspaceView; onConnect(): void }) {
  const tools = useTools(workspace.id);
  const [tool, setTool] = useState('');
  const [result, setResult] = useState<'' | 'ok' | 'error'>('');
  const [caller, setCaller] = useState('');
  const [environment, setEnvironment] = useState<'' | 'live' | 'test'>('');
  const accessKeys = useAccessKeys(workspace.id);
  const withTest = Boolean(workspace.mcpUrls?.test);
  const [cursors, setCursors] = useState<string[]>([]);
  const [autoRefresh, setAutoRefresh] = useState(false);
  const [open, setOpen] = useState<LogItem | null>(null);
  const cursor = cursors.at(-1);
  const query: LogQuery = {
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
    ...(tool ? { tool } : {}),
    ...(result ? { ok: result === 'ok' } : {}),
    ...(caller ? { caller } : {}),
    ...(environment ? { environment } : {}),
  };
  // Only the first page refreshes: older pages do not change.
  const logs = useLogs(workspace.id, query, autoRefresh && !cursor ? REFRESH_MS : false);
  const filtered = Boolean(tool || result || caller || environment);
  // A newer call than the list knows of: its "last call" is stale.
  const client = useQueryClient();
  const newest = logs.data?.items[0]?.at;
  useEffect(() => {
    if (newest && (!workspace.lastCallAt || newest > workspace.lastCallAt))
      void client.invalidateQueries({ queryKey: keys.workspaces, exact: true });
  }, [newest, workspace.lastCallAt, client]);

  const resetPaging = () => setCursors([]);
  // Every call the filters match, not only this page: streamed by the API as a file.
  const exportUrl = (format: 'jsonl' | 'csv') => {
    const params = new URLSearchParams({
      format,
      ...(tool ? { tool } : {}),
      ...(result ? { ok: String(result === 'ok') } : {}),
      ...(caller ? { caller } : {}),
      ...(environment ? { environment } : {}),
    });
    return `/api/workspaces/${encodeURIComponent(workspace.id)}/logs/export?${params}`;
  };

  return (
    <section className="panel" aria-labelledby="logs-heading">
      <div className="panel-head">
        <h2 id="logs-heading">Calls</h2>
        <div className="logs-toolbar">
          <label>
            Tool
            <select value={tool} onChange={(e) => (setTool(e.target.value), resetPaging())}>
              <option value="">All tools</option>
              {(tools.data ?? []).map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Result
            <select value={result} onChange={(e) => (setResult(e.target.value as typeof result), resetPaging())}>
              <option value="">All</option>
              <option value="ok">Succeeded</option>
              <option value="error">Failed</option>
            </select>
          </label>
          <label>
            Caller
            <select value={caller} onChange={(e) => (setCaller(e.target.value), resetPaging())}>
              <option value="">All callers</option>
              <option value="url">MCP URL</option>
              {(accessKeys.data ?? []).map((k) => (
                <option key={k.id} value={k.id}>
                  Key “{k.label}”
                </option>
              ))}
            </select>
          </label>
          {(withTest || environment) && (
            <label>
              Environment
              <select value={environment} onChange={(e) => (setEnvironment(e.target.value as typeof environment), resetPaging())}>
                <option value="">Both</option>
                <option value="live">Live</option>
                <option value="test">Test</option>
              </select>
            </label>
          )}
          <label className="switch-label">
            <input type="checkbox" role="switch" checked={autoRefresh} onChange={(e) => setAutoRefresh(e.target.checked)} />
            Auto-refresh
          </label>
          <button
            type="button"
            className="secondary outline small"
            onClick={() => void logs.refetch()}
            aria-busy={logs.isFetching && !logs.isPending}
          >
            <RefreshCw aria-hidden size={16} /> Refresh
          </button>
          <a
            className="secondary outline small"
            role="button"
            href={exportUrl('csv')}
            download
            title="Every call these filters match, as CSV"
          >
            <Download aria-hidden size={16} /> CSV
          </a>
          <a
            className="secondary outline small"
            role="button"
            href={exportUrl('jsonl')}
            download
            title="Every call these filters match, as JSON Lines"
          >
            <Download aria-hidden size={16} /> JSONL
          </a>
        </div>
      </div>

      {logs.isPending ? (
        <Loading label="Loading calls…" />
      ) : logs.isError ? (
        <ErrorState error={logs.error} onRetry={() => void logs.refetch()} />
      ) : logs.data.items.length === 0 ? (
        filtered || cursor ? (
          <EmptyState title="No calls match these filters" />
        ) : (
          <EmptyState icon={<ScrollText aria-hidden size={28} />} title="No calls yet">
            <p>When an MCP client calls a tool, the call shows up here: what was sent upstream, the status and how long it took.</p>
            <button type="button" className="secondary" onClick={onConnect}>
              Connect a client
            </button>
          </EmptyState>
        )
      ) : (
        <>
          <div className="table-scroll">
            <table className="logs-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Tool</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Latency
                  </th>
                  <th scope="col">Caller</th>
                  <th scope="col">Env</th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {logs.data.items.map((item) => (
                  <tr key={item.id} className={item.ok ? undefined : 'failed'}>
                    <td title={dateTime(item.at)}>{timeAgo(item.at)}</td>
                    <td className="mono">{item.tool}</td>
                    <td>
                      <StatusBadge item={item} />
                    </td>
                    <td className="num">{item.durationMs} ms</td>
                    <td>{callerText(item)}</td>
                    <td>{item.environment && <span className={`badge env-badge env-${item.environment}`}>{item.environment}</span>}</td>
                    <td className="num">
                      <button
                        type="button"
                        className="link"
                        onClick={() => setOpen(item)}
                        aria-label={`Details of the ${item.tool} call at ${dateTime(item.at)}`}
                      >
                        Details
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages of calls">
            <button
              type="button"
              className="secondary outline small"
              disabled={cursors.length === 0}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              <ChevronLeft aria-hidden size={16} /> Newer
            </button>
            <span className="muted small-text">Page {cursors.length + 1}</span>
            <button
              type="button"
              className="secondary outline small"
              disabled={!logs.data.nextCursor}
              onClick={() => setCursors((c) => [...c, logs.data.nextCursor!])}
            >
              Older <ChevronRight aria-hidden size={16} />
            </button>
          </nav>
        </>
      )}
      <LogDetail item={open} onClose={() => setOpen(null)} />
    </section>
  );
}
