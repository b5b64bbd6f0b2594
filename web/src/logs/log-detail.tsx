// One call in full: what went upstream (the gateway masks secrets before storing it), the
// arguments, and the start of the response or the error.
import { useEffect, useRef } from 'react';
import { X } from 'lucide-react';
import type { LogItem } from '@latchkey/api';
import { MethodBadge } from '../ui/badges';
import { dateTime, prettyJson } from '../ui/format';
import { callerText, StatusBadge } from './logs-tab';

export function LogDetail({ item, onClose }: { item: LogItem | null; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (item && !dialog.open) dialog.showModal();
    if (!item && dialog.open) dialog.close();
  }, [item]);
  return (
    <dialog ref={ref} className="log-detail" onCancel={(e) => (e.preventDefault(), onClose())} aria-labelledby="log-detail-title">
      {item && (
        <article>
          <header>
            <h2 id="log-detail-title">
              <span className="mono">{item.tool}</span> <StatusBadge item={item} />
            </h2>
            <button type="button" className="icon-button secondary outline" aria-label="Close" onClick={onClose} autoFocus>
              <X aria-hidden size={18} />
            </button>
          </header>
          <dl className="facts">
            <div>
              <dt>Time</dt>
              <dd>{dateTime(item.at)}</dd>
            </div>
            <div>
              <dt>Latency</dt>
              <dd>{item.durationMs} ms</dd>
            </div>
            <div>
              <dt>Caller</dt>
              <dd>{callerText(item)}</dd>
            </div>
            {item.environment && (
              <div>
                <dt>Environment</dt>
                <dd>{item.environment}</dd>
              </div>
            )}
            {item.userAgent && (
              <div>
                <dt>Client</dt>
                <dd className="mono small-text">{item.userAgent}</dd>
              </div>
            )}
          </dl>
          <h3>Upstream request</h3>
          {item.method && item.url ? (
            <p className="upstream-line">
              <MethodBadge method={item.method} /> <span className="mono">{item.url}</span>
            </p>
          ) : (
            <p className="muted">Not sent: the gateway refused the call before it reached the API.</p>
          )}
          <h3>Arguments</h3>
          {item.arguments ? <pre className="code">{prettyJson(item.arguments)}</pre> : <p className="muted">None</p>}
          {item.error && (
            <>
              <h3>Error</h3>
              <pre className="code code-error">{item.error}</pre>
            </>
          )}
          {item.responseExcerpt && (
            <>
              <h3>Response (start)</h3>
              <pre className="code">{prettyJson(item.responseExcerpt)}</pre>
            </>
          )}
        </article>
      )}
    </dialog>
  );
}
