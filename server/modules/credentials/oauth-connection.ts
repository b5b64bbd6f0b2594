// One environment's OAuth connection at call time: a fresh access token for every tool call,
// renewed ahead of expiry and once more on an upstream 401, with its health for the console.
// Storage is injected: this module never touches the database or the vault.
import {
  chooseTokenEndpointAuthMethod,
  clientCredentialsToken,
  createTokenManager,
  isPermanentOAuthFailure,
  refreshTokens,
  type ClientAuth,
  type TokenSet,
} from '../oauth/index.js';
import type { OAuthPublicInfo, OAuthSecret } from './oauth-settings.js';

export interface OAuthHealth {
  connected: boolean;
  /** ISO times. */
  expiresAt?: string;
  lastRefreshAt?: string;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastFailure?: string;
  reconnectNeeded: boolean;
}

export interface OAuthStore {
  loadSecret(): OAuthSecret;
  /** Persists rotated tokens (sealed) together with the health. */
  saveSecret(secret: OAuthSecret, health: OAuthHealth): void;
  saveHealth(health: OAuthHealth): void;
}

export interface OAuthConnection {
  getAccessToken(): Promise<string>;
  forceRefresh(staleAccessToken: string): Promise<string>;
  /** A successful upstream call (kept in memory; persisted with the next health write). */
  markSuccess(): void;
  health(): OAuthHealth;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function clientAuthOf(info: OAuthPublicInfo, secret: OAuthSecret): ClientAuth {
  const clientId = info.clientId ?? secret.registered?.clientId;
  if (!clientId) throw new Error('No OAuth client: connect the workspace first.');
  const clientSecret = info.clientId ? secret.clientSecret : secret.registered?.clientSecret;
  const authMethod = info.clientId ? chooseTokenEndpointAuthMethod(info.tokenEndpointAuthMethods, clientSecret !== undefined) : secret.registered?.tokenEndpointAuthMethod;
  return { clientId, clientSecret, authMethod };
}

export function createOAuthConnection(info: OAuthPublicInfo, store: OAuthStore, stored: Partial<OAuthHealth> = {}): OAuthConnection {
  const health: OAuthHealth = { connected: false, reconnectNeeded: false, ...stored };
  const describe = (tokens: TokenSet | undefined) => {
    health.connected = tokens !== undefined;
    health.expiresAt = iso(tokens?.expiresAt);
  };
  describe(store.loadSecret().tokens);

  function fetchMachineToken(): Promise<TokenSet> {
    const secret = store.loadSecret();
    return clientCredentialsToken({ ...clientAuthOf(info, secret), tokenEndpoint: info.tokenUrl, scopes: info.scopes, audience: info.audience });
  }

  function save(tokens: TokenSet) {
    const secret = store.loadSecret();
    describe(tokens);
    health.reconnectNeeded = false;
    store.saveSecret({ ...secret, tokens }, { ...health });
  }

  let firstFetch: Promise<TokenSet> | undefined;
  const manager = createTokenManager({
    async load() {
      const tokens = store.loadSecret().tokens;
      if (tokens || info.flow !== 'client_credentials') return tokens;
      // client_credentials: fetched on first use, once even when many calls arrive together.
      firstFetch ??= fetchMachineToken()
        .then((fresh) => {
          save(fresh);
          health.lastRefreshAt = new Date().toISOString();
          return fresh;
        })
        .finally(() => {
          firstFetch = undefined;
        });
      return firstFetch;
    },
    save,
    refresh(current) {
      if (info.flow === 'client_credentials') return fetchMachineToken();
      if (!current.refreshToken) throw new Error('The provider gave no refresh token: reconnect the workspace.');
      const secret = store.loadSecret();
      return refreshTokens({ ...clientAuthOf(info, secret), tokenEndpoint: info.tokenUrl, refreshToken: current.refreshToken });
    },
    onFailure(error, permanent) {
      health.lastFailureAt = new Date().toISOString();
      health.lastFailure = error.message;
      if (permanent || isPermanentOAuthFailure(error)) health.reconnectNeeded = true;
      store.saveHealth({ ...health });
    },
  });

  const track = async (token: Promise<string>) => {
    const before = manager.state.refreshes;
    const value = await token;
    if (manager.state.refreshes !== before) health.lastRefreshAt = iso(manager.state.lastRefreshAt) ?? new Date().toISOString();
    return value;
  };

  return {
    getAccessToken: () => track(manager.getAccessToken()),
    forceRefresh: (stale) => track(manager.forceRefresh(stale)),
    markSuccess() {
      health.lastSuccessAt = new Date().toISOString();
    },
    health: () => ({ ...health, reconnectNeeded: health.reconnectNeeded || manager.state.reconnectNeeded }),
  };
}
