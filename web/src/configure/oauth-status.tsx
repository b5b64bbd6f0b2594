// The saved OAuth connection's health: connected or not, when the access token expires, the last
// refresh, success and failure, and a prominent "Reconnect needed" with the Connect button when
// the provider no longer accepts the grant.
import { AlertTriangle, CheckCircle2, Link2 } from 'lucide-react';
import type { AuthView, OAuthHealthView } from '@latchkey/api';
import { useStartOAuth } from '../api/access-queries';
import { dateTime, timeAgo } from '../ui/format';
import { FormError } from '../ui/states';

const when = (iso: string | null) => (iso ? <span title={dateTime(iso)}>{timeAgo(iso)}</span> : <span className="muted">never</span>);

const NOT_CONNECTED: OAuthHealthView = {
  connected: false,
  expiresAt: null,
  lastRefreshAt: null,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastFailure: null,
  reconnectNeeded: false,
};

export function OAuthStatus({ workspaceId, environment, saved }: { workspaceId: string; environment: string; saved: AuthView }) {
  const start = useStartOAuth(workspaceId, environment);
  const health: OAuthHealthView = saved.health ?? NOT_CONNECTED;
  const code = saved.oauth?.flow === 'authorization_code';
  const connect = code && (
    <button type="button" onClick={() => start.mutate()} aria-busy={start.isPending} disabled={start.isPending}>
      <Link2 aria-hidden size={16} /> {health.connected || health.reconnectNeeded ? 'Connect again' : 'Connect'}
    </button>
  );
  return (
    <section className="oauth-status" aria-labelledby="oauth-status-heading">
      <h3 id="oauth-status-heading">Connection</h3>
      {health.reconnectNeeded ? (
        <div className="callout danger-callout" role="alert">
          <AlertTriangle aria-hidden size={18} />
          <div>
            <strong>Reconnect needed</strong>
            <p>
              {code
                ? 'The provider no longer accepts the saved grant: tool calls fail until someone connects the account again.'
                : 'The provider refused the client credentials: check them and save again.'}
              {health.lastFailure && <> Last error: {health.lastFailure}</>}
            </p>
          </div>
        </div>
      ) : health.connected ? (
        <p className="callout" role="status">
          <CheckCircle2 aria-hidden size={18} />
          <span>
            <strong>Connected.</strong>{' '}
            {code
              ? 'Calls use the approved account; tokens are refreshed ahead of expiry.'
              : 'Calls use a token fetched with the client credentials.'}
          </span>
        </p>
      ) : (
        <p className="callout warning-callout" role="status">
          <Link2 aria-hidden size={18} />
          <span>
            <strong>Not connected yet.</strong>{' '}
            {code ? 'Press Connect and approve access at the provider.' : 'A token is fetched on the first tool call.'}
          </span>
        </p>
      )}
      <dl className="facts oauth-facts">
        <div>
          <dt>Access token expires</dt>
          <dd>
            {health.expiresAt ? (
              <span title={dateTime(health.expiresAt)}>{dateTime(health.expiresAt)}</span>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Last refresh</dt>
          <dd>{when(health.lastRefreshAt)}</dd>
        </div>
        <div>
          <dt>Last successful call</dt>
          <dd>{when(health.lastSuccessAt)}</dd>
        </div>
        <div>
          <dt>Last failure</dt>
          <dd>{when(health.lastFailureAt)}</dd>
        </div>
      </dl>
      {health.lastFailure && !health.reconnectNeeded && <p className="muted small-text">Last failure: {health.lastFailure}</p>}
      <FormError error={start.error} />
      {connect && <div className="button-row">{connect}</div>}
    </section>
  );
}
