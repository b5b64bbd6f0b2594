// The provider sends the browser back through /oauth/callback to Configure with
// `?environment=…&oauth=connected` or `&oauth=error&message=…`. Read once, then cleaned from the
// address bar so a reload or a shared link does not show it again.
import { useEffect, useState } from 'react';
import { CheckCircle2, X } from 'lucide-react';
import { FormError } from '../ui/states';

export interface OAuthReturn {
  environment?: 'live' | 'test';
  outcome?: { ok: true } | { ok: false; message: string };
}

/** The callback's parameters, read without side effects (a state initializer may run twice). */
export function readOAuthReturn(): OAuthReturn {
  const params = new URLSearchParams(window.location.search);
  if (!params.has('oauth') && !params.has('environment')) return {};
  const env = params.get('environment');
  const oauth = params.get('oauth');
  return {
    environment: env === 'test' || env === 'live' ? env : undefined,
    outcome:
      oauth === 'connected'
        ? { ok: true }
        : oauth === 'error'
          ? { ok: false, message: params.get('message') || 'The provider did not complete the connection.' }
          : undefined,
  };
}

export function OAuthBanner({ outcome }: { outcome: OAuthReturn['outcome'] }) {
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    if (window.location.search) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  if (!outcome || dismissed) return null;
  return (
    <div className={`oauth-banner ${outcome.ok ? 'oauth-banner-ok' : 'oauth-banner-error'}`}>
      {outcome.ok ? (
        <p className="notice success-notice" role="status">
          <CheckCircle2 aria-hidden size={18} /> OAuth connected: tool calls now use the account you approved.
        </p>
      ) : (
        <FormError error={new Error(`The OAuth connection failed: ${outcome.message}`)} />
      )}
      <button type="button" className="icon-button secondary outline" aria-label="Dismiss" onClick={() => setDismissed(true)}>
        <X aria-hidden size={16} />
      </button>
    </div>
  );
}
