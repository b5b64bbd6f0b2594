import { AlertTriangle, CheckCircle2 } from 'lucide-react';
import type { SpecChanges, SpecSummary, SpecWarningView } from '@latchkey/api';
import { ApiError, errorMessage } from '../api/client';
import { dateTime, plural } from '../ui/format';
import { SecurityReview } from './security-review';

function Facts({ summary }: { summary: SpecSummary }) {
  return (
    <dl className="facts">
      <div>
        <dt>Title</dt>
        <dd>{summary.title}</dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd>{summary.version}</dd>
      </div>
      <div>
        <dt>Format</dt>
        <dd>{summary.openapi.startsWith('2') ? `Swagger ${summary.openapi}` : `OpenAPI ${summary.openapi}`}</dd>
      </div>
      <div>
        <dt>Tools</dt>
        <dd>{summary.toolCount}</dd>
      </div>
    </dl>
  );
}

function Warnings({ warnings }: { warnings: SpecWarningView[] }) {
  if (warnings.length === 0) return null;
  return (
    <details className="warnings" open={warnings.length <= 5}>
      <summary>
        <AlertTriangle aria-hidden size={16} /> {plural(warnings.length, 'warning')}
      </summary>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>
            {w.message}
            {w.pointer && <code className="pointer">{w.pointer}</code>}
          </li>
        ))}
      </ul>
    </details>
  );
}

function Changes({ changes }: { changes: SpecChanges }) {
  const groups = [
    ['Added', changes.added, 'added'],
    ['Removed', changes.removed, 'removed'],
    ['Changed', changes.changed, 'changed'],
  ] as const;
  if (groups.every(([, names]) => names.length === 0)) return <p className="muted">No tools were added, removed or changed.</p>;
  return (
    <div className="changes">
      {groups.map(([label, names, kind]) =>
        names.length === 0 ? null : (
          <div key={kind} className={`change-group change-${kind}`}>
            <h4>
              {label} ({names.length})
            </h4>
            <ul>
              {names.map((n) => (
                <li key={n} className="mono">
                  {n}
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </div>
  );
}

export function UploadResult({ summary, firstUpload, onConfigure }: { summary: SpecSummary; firstUpload: boolean; onConfigure(): void }) {
  return (
    <div className="result result-ok" role="status">
      <h3>
        <CheckCircle2 aria-hidden size={20} /> Imported {summary.title} {summary.version}: {plural(summary.toolCount, 'tool')}
      </h3>
      <Facts summary={summary} />
      <Warnings warnings={summary.warnings} />
      <SecurityReview report={summary.securityReport} />
      {!firstUpload && summary.changes && <Changes changes={summary.changes} />}
      <p>
        {firstUpload ? 'Read-only tools are enabled; tools that write start disabled. ' : ''}
        <button type="button" className="link" onClick={onConfigure}>
          Set up auth and tools in Configure →
        </button>
      </p>
    </div>
  );
}

export function UploadError({ error }: { error: unknown }) {
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="result result-error" role="alert">
      <h3>
        <AlertTriangle aria-hidden size={20} /> The spec was not imported
      </h3>
      <p>{errorMessage(error)}</p>
      {details.length > 0 && (
        <ul className="problems">
          {details.slice(0, 50).map((d, i) => (
            <li key={i}>
              {d.message}
              {d.pointer && (
                <>
                  {' at '}
                  <code className="pointer">{d.pointer}</code>
                </>
              )}
            </li>
          ))}
          {details.length > 50 && <li>… and {details.length - 50} more</li>}
        </ul>
      )}
      <p className="muted small-text">Nothing was changed: the previous spec and tools are still in place.</p>
    </div>
  );
}

/** `review`: false right after an upload, whose answer above already shows the security review. */
export function CurrentSpec({ summary, review = true }: { summary: SpecSummary; review?: boolean }) {
  return (
    <>
      <Facts summary={summary} />
      <p className="muted small-text">
        Uploaded {dateTime(summary.uploadedAt)}
        {summary.sourceUrl && (
          <>
            {' from '}
            <span className="mono">{summary.sourceUrl}</span>
          </>
        )}
      </p>
      <Warnings warnings={summary.warnings} />
      {review && <SecurityReview report={summary.securityReport} />}
    </>
  );
}
