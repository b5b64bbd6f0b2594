// Connect: the MCP URL, a snippet per client, and rotating the URL when it has leaked.
import { useState } from 'react';
import { KeyRound, RotateCcw, ShieldCheck } from 'lucide-react';
import type { WorkspaceView } from '@latchkey/api';
import { useRotateUrl } from '../api/queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { CopyButton } from '../ui/copy-button';
import { snippetsFor } from './snippets';

export function ConnectTab({ workspace }: { workspace: WorkspaceView }) {
  const rotate = useRotateUrl(workspace.id);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState(false);
  const url = workspace.mcpUrl;

  return (
    <div className="stack">
      <section className="panel" aria-labelledby="url-heading">
        <h2 id="url-heading">MCP URL</h2>
        <div className="url-row">
          <input className="mono grow" readOnly value={url} onFocus={(e) => e.target.select()} aria-label="MCP URL" />
          <CopyButton text={url} label="Copy MCP URL" className="" />
        </div>
        {rotated && (
          <p className="notice" role="status">
            New URL ready. The old one no longer works: update your clients.
          </p>
        )}
        <p className="callout">
          <ShieldCheck aria-hidden size={18} />
          <span>
            Your client needs no API key: this URL is all it needs. The API's credentials stay sealed in Latchkey and are added to each call. Treat the URL like a password.
          </span>
        </p>
        {workspace.access === 'keys' && (
          <p className="callout warning-callout">
            <KeyRound aria-hidden size={18} />
            <span>This workspace also requires an access key: clients send it as a header alongside the URL.</span>
          </p>
        )}
      </section>

      <section className="panel" aria-labelledby="clients-heading">
        <h2 id="clients-heading">Add it to your client</h2>
        <div className="snippets">
          {snippetsFor(url, workspace.slug).map((s) => (
            <article key={s.client} className="snippet" aria-labelledby={`snippet-${s.client}`}>
              <header>
                <div>
                  <h3 id={`snippet-${s.client}`}>{s.client}</h3>
                  <span className="muted small-text">{s.where}</span>
                </div>
                <CopyButton text={s.text} label={`Copy ${s.client} snippet`} />
              </header>
              <pre className={`code ${s.language}`}>
                <code>{s.text}</code>
              </pre>
            </article>
          ))}
        </div>
      </section>

      <section className="panel danger-zone" aria-labelledby="rotate-heading">
        <div>
          <h2 id="rotate-heading">Rotate the URL</h2>
          <p className="muted">If the URL has leaked, replace it. The current URL stops working at once, and every client must get the new one.</p>
        </div>
        <button type="button" className="secondary outline danger-outline" onClick={() => setConfirming(true)}>
          <RotateCcw aria-hidden size={16} /> Rotate URL
        </button>
      </section>

      <ConfirmDialog
        open={confirming}
        title="Rotate the MCP URL?"
        confirmLabel="Rotate URL"
        danger
        pending={rotate.isPending}
        error={rotate.error}
        onCancel={() => (setConfirming(false), rotate.reset())}
        onConfirm={() =>
          rotate.mutate(undefined, {
            onSuccess: () => {
              setConfirming(false);
              setRotated(true);
            },
          })
        }
      >
        <p>The current URL stops working immediately. Clients using it will fail until you give them the new one.</p>
      </ConfirmDialog>
    </div>
  );
}
