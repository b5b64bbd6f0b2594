// Connect: the MCP URL of each environment, who may call (URL alone or with an access key), the
// rate limit, a snippet per client, toolsets, the access keys, and rotating the URL when it has leaked.
import { useState } from 'react';
import { KeyRound, RotateCcw, ShieldCheck } from 'lucide-react';
import type { WorkspaceView } from '@latchkey/api';
import { useRotateUrl } from '../api/queries';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { CopyButton } from '../ui/copy-button';
import { AccessKeys } from './access-keys';
import { AccessSection } from './access-section';
import { Toolsets } from './toolsets';
import { KEY_HEADER, snippetsFor } from './snippets';

export function ConnectTab({ workspace }: { workspace: WorkspaceView }) {
  const rotate = useRotateUrl(workspace.id);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState(false);
  const testUrl = workspace.mcpUrls?.test;
  const [snippetEnv, setSnippetEnv] = useState<'live' | 'test'>('live');
  const url = snippetEnv === 'test' && testUrl ? testUrl : workspace.mcpUrl;
  const keys = workspace.access === 'keys';

  return (
    <div className="stack">
      <section className="panel" aria-labelledby="url-heading">
        <h2 id="url-heading">MCP URL</h2>
        <div className="url-row">
          <input className="mono grow" readOnly value={workspace.mcpUrl} onFocus={(e) => e.target.select()} aria-label="MCP URL" />
          <CopyButton text={workspace.mcpUrl} label="Copy MCP URL" className="" />
        </div>
        {testUrl && (
          <>
            <p className="muted small-text env-url-label">
              <span className="badge env-badge env-test">test</span> The test environment's URL: its own base URL and credentials.
            </p>
            <div className="url-row">
              <input className="mono grow" readOnly value={testUrl} onFocus={(e) => e.target.select()} aria-label="Test environment URL" />
              <CopyButton text={testUrl} label="Copy test environment URL" className="" />
            </div>
          </>
        )}
        {rotated && (
          <p className="notice" role="status">
            New URL ready. The old one no longer works: update your clients.
          </p>
        )}
        {keys ? (
          <p className="callout">
            <KeyRound aria-hidden size={18} />
            <span>
              Your client needs the URL and a workspace access key, sent as <span className="mono">{KEY_HEADER}</span> — never the upstream
              API's key: its credentials stay sealed in Latchkey and are added to each call.
              {testUrl && ' A test key reaches only the test environment, a live key only live.'}
            </span>
          </p>
        ) : (
          <p className="callout">
            <ShieldCheck aria-hidden size={18} />
            <span>
              Your client needs no API key: this URL is all it needs. The API's credentials stay sealed in Latchkey and are added to each
              call. Treat the URL like a password.
            </span>
          </p>
        )}
      </section>

      <AccessSection workspace={workspace} />

      <section className="panel" aria-labelledby="clients-heading">
        <div className="panel-head">
          <h2 id="clients-heading">Add it to your client</h2>
          {testUrl && (
            <fieldset className="segmented snippet-env">
              <legend className="visually-hidden">Snippets for</legend>
              {(['live', 'test'] as const).map((env) => (
                <label key={env} className={snippetEnv === env ? 'active' : undefined}>
                  <input type="radio" name="snippet-env" value={env} checked={snippetEnv === env} onChange={() => setSnippetEnv(env)} />
                  {env === 'live' ? 'Live' : 'Test'}
                </label>
              ))}
            </fieldset>
          )}
        </div>
        {keys && (
          <p className="muted small-text">
            Replace the placeholder with an access key{testUrl ? ` for the ${snippetEnv} environment` : ''}.
          </p>
        )}
        <div className="snippets">
          {snippetsFor(url, workspace.slug, { withKey: keys }).map((s) => (
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

      <Toolsets workspace={workspace} />

      <AccessKeys workspace={workspace} />

      <section className="panel danger-zone" aria-labelledby="rotate-heading">
        <div>
          <h2 id="rotate-heading">Rotate the URL</h2>
          <p className="muted">
            If the URL has leaked, replace it. The current URL stops working at once, and every client must get the new one.
          </p>
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
