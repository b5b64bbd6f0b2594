// The OAuth 2.0 card's settings: the flow, where the provider is (an issuer to discover, or the
// two endpoints), the client, scopes and audience. The client secret is a secret field: once
// saved it shows "saved" and is never sent back.
import type { AuthView, OAuthInput } from '@latchkey/api';
import { CopyButton } from '../ui/copy-button';
import { SecretField } from './secret-field';

export interface OAuthDraft {
  flow: 'client_credentials' | 'authorization_code';
  locate: 'issuer' | 'endpoints';
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  audience: string;
}

export function oauthDraftOf(saved: AuthView): OAuthDraft {
  const o = saved.type === 'oauth2' ? saved.oauth : undefined;
  return {
    flow: o?.flow ?? 'authorization_code',
    locate: o && !o.issuer ? 'endpoints' : 'issuer',
    issuer: o?.issuer ?? '',
    authorizationUrl: o?.authorizationUrl ?? '',
    tokenUrl: o?.tokenUrl ?? '',
    clientId: o?.clientId ?? '',
    clientSecret: '',
    scopes: o?.scopes?.join(' ') ?? '',
    audience: o?.audience ?? '',
  };
}

export function oauthInputOf(d: OAuthDraft): OAuthInput {
  const text = (value: string) => (value.trim() ? value.trim() : undefined);
  const scopes = d.scopes.split(/[\s,]+/).filter(Boolean);
  return {
    type: 'oauth2',
    flow: d.flow,
    ...(d.locate === 'issuer'
      ? { issuer: text(d.issuer) }
      : { authorizationUrl: d.flow === 'authorization_code' ? text(d.authorizationUrl) : undefined, tokenUrl: text(d.tokenUrl) }),
    clientId: text(d.clientId),
    clientSecret: d.clientSecret || undefined,
    ...(scopes.length ? { scopes } : {}),
    ...(d.flow === 'client_credentials' ? { audience: text(d.audience) } : {}),
  };
}

interface OAuthFieldsProps {
  draft: OAuthDraft;
  onChange(change: Partial<OAuthDraft>): void;
  /** Saved and not being changed: read-only, the secret as "saved". */
  saved: boolean;
  /** Whether a client secret is known to be saved (client credentials always has one). */
  secretSaved: boolean;
  /** Saved settings: whether a client secret is sealed for the client in use. */
  hasClientSecret?: boolean;
  redirectUri: string;
}

export function OAuthFields({ draft, onChange, saved, secretSaved, hasClientSecret, redirectUri }: OAuthFieldsProps) {
  const code = draft.flow === 'authorization_code';
  return (
    <div className="oauth-fields">
      <div className="grid-2">
        <label>
          Flow
          <select
            value={draft.flow}
            onChange={(e) => onChange({ flow: e.target.value as OAuthDraft['flow'] })}
            disabled={saved}
            aria-describedby="flow-hint"
          >
            <option value="authorization_code">Authorization code</option>
            <option value="client_credentials">Client credentials</option>
          </select>
          <small id="flow-hint">
            {code
              ? 'A person connects their account once; Latchkey refreshes the tokens.'
              : 'Machine to machine: Latchkey fetches tokens with the client id and secret.'}
          </small>
        </label>
        <label>
          Find the provider's endpoints
          <select value={draft.locate} onChange={(e) => onChange({ locate: e.target.value as OAuthDraft['locate'] })} disabled={saved}>
            <option value="issuer">Discover them from the issuer</option>
            <option value="endpoints">Enter them myself</option>
          </select>
        </label>
      </div>
      {draft.locate === 'issuer' ? (
        <label>
          Issuer URL
          <input
            type="url"
            value={draft.issuer}
            onChange={(e) => onChange({ issuer: e.target.value })}
            placeholder="https://auth.example.com"
            required
            readOnly={saved}
            spellCheck={false}
            aria-describedby="issuer-hint"
          />
          <small id="issuer-hint">
            Its metadata (/.well-known/oauth-authorization-server or openid-configuration) names the endpoints
            {code ? ' and whether Latchkey can register itself' : ''}.
          </small>
        </label>
      ) : (
        <div className={code ? 'grid-2' : undefined}>
          {code && (
            <label>
              Authorization URL
              <input
                type="url"
                value={draft.authorizationUrl}
                onChange={(e) => onChange({ authorizationUrl: e.target.value })}
                placeholder="https://auth.example.com/authorize"
                required
                readOnly={saved}
                spellCheck={false}
              />
            </label>
          )}
          <label>
            Token URL
            <input
              type="url"
              value={draft.tokenUrl}
              onChange={(e) => onChange({ tokenUrl: e.target.value })}
              placeholder="https://auth.example.com/token"
              required
              readOnly={saved}
              spellCheck={false}
            />
          </label>
        </div>
      )}
      <div className="grid-2">
        <label>
          Client ID{code && <span className="muted"> (optional)</span>}
          <input
            value={draft.clientId}
            onChange={(e) => onChange({ clientId: e.target.value })}
            required={!code}
            readOnly={saved}
            spellCheck={false}
            aria-describedby={code ? 'client-id-hint' : undefined}
            placeholder={saved && code && !draft.clientId ? 'Registered by Latchkey' : undefined}
          />
          {code && (
            <small id="client-id-hint">
              Leave empty to let Latchkey register itself (dynamic client registration), where the provider offers it.
            </small>
          )}
        </label>
        {saved && !secretSaved ? (
          <div className="field">
            <span className="field-label">Client secret</span>
            <p className="muted small-text">{clientSecretNote(code && !draft.clientId, hasClientSecret)}</p>
          </div>
        ) : (
          <SecretField
            label="Client secret"
            value={draft.clientSecret}
            onChange={(clientSecret) => onChange({ clientSecret })}
            saved={saved}
            required={!code}
            placeholder={code ? 'Optional for public clients' : undefined}
          />
        )}
      </div>
      <div className={code ? undefined : 'grid-2'}>
        <label>
          Scopes <span className="muted">(optional)</span>
          <input
            value={draft.scopes}
            onChange={(e) => onChange({ scopes: e.target.value })}
            placeholder={saved ? 'None' : 'read:items write:items'}
            readOnly={saved}
            spellCheck={false}
          />
        </label>
        {!code && (
          <label>
            Audience <span className="muted">(optional)</span>
            <input
              value={draft.audience}
              onChange={(e) => onChange({ audience: e.target.value })}
              placeholder={saved ? 'None' : 'https://api.example.com'}
              readOnly={saved}
              spellCheck={false}
            />
          </label>
        )}
      </div>
      {code && (
        <div className="field">
          <span className="field-label" id="redirect-uri-label">
            Redirect URI to register with the provider
          </span>
          <div className="url-row">
            <input
              className="mono grow"
              readOnly
              value={redirectUri}
              aria-labelledby="redirect-uri-label"
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={redirectUri} label="Copy redirect URI" className="" />
          </div>
        </div>
      )}
    </div>
  );
}

function clientSecretNote(registered: boolean, hasSecret: boolean | undefined): string {
  if (hasSecret === false)
    return registered ? 'None: Latchkey registered a public client (PKCE only).' : 'None: a public client (PKCE only).';
  return registered ? 'Kept sealed with the client Latchkey registered.' : 'Saved and sealed in the gateway; never shown.';
}
