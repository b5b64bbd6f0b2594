// One environment's OAuth connection at call time: a fresh access token for every tool call,
// renewed ahead of expiry and once more on an upstream 401, with its health for the console.
// Storage is injected: this module never touches the database or the vault.
import {
  chooseTokenEndpointAuthMethod,
  clientCredentialsToken,
  createTokenManager,
  isPermanentOAuthFailure,
  OAuthReconnectNeeded,
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

/** What the admin API shows: every field always there, null while it is not known. */
export type OAuthHealthReport = Required<{
  [K in keyof OAuthHealth]: undefined extends OAuthHealth[K] ? Exclude<OAuthHealth[K], undefined> | null : OAuthHealth[K];
}>;

export function healthReport(health: Partial<OAuthHealth>): OAuthHealthReport {
  return {
    connected: health.connected ?? false,
    expiresAt: health.expiresAt ?? null,
    lastRefreshAt: health.lastRefreshAt ?? null,
    lastSuccessAt: health.lastSuccessAt ?? null,
    lastFailureAt: health.lastFailureAt ?? null,
    lastFailure: health.lastFailure ?? null,
    reconnectNeeded: health.reconnectNeeded ?? false,
  };
}

export interface OAuthStore {
  loadSecret(): OAuthSecret;
  /** Persists rotated tokens (sealed) together with the health. */
  saveSecret(secret: OAuthSecret, health: OAuthHealth): Promise<void>;
  saveHealth(health: OAuthHealth): Promise<void>;
  /**
   * Set when several processes share the storage: a refresh then runs under a lease, and tokens
   * another process saved are taken up instead of being refreshed a second time.
   */
  shared?: SharedOAuthStore;
}

export interface SharedOAuthStore {
  /** The secret as stored now (another process may have saved rotated tokens); becomes loadSecret()'s. */
  reloadSecret(): Promise<OAuthSecret>;
  /** Takes the refresh lease for `ms` unless another process holds it. */
  tryLease(ms: number): Promise<boolean>;
  releaseLease(): Promise<void>;
}

export interface OAuthConnectionOptions {
  /** How long a refresh may hold the lease (a crashed holder's runs out then). */
  leaseMs?: number;
  /** How long to wait for another process's refresh before giving up on this call. */
  waitMs?: number;
  pollMs?: number;
  /** The clock token lifetimes are measured by (tests move it instead of waiting); Date.now by default. */
  now?: () => number;
}

export interface OAuthConnection {
  getAccessToken(): Promise<string>;
  forceRefresh(staleAccessToken: string): Promise<string>;
  /** A successful upstream call (kept in memory; persisted with the next health write). */
  markSuccess(): void;
  health(): OAuthHealthReport;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The secret of the client in use: the one given with a client id, else the registered client's. */
export function clientSecretOf(info: OAuthPublicInfo, secret: OAuthSecret): string | undefined {
  return info.clientId ? secret.clientSecret : secret.registered?.clientSecret;
}

export function clientAuthOf(info: OAuthPublicInfo, secret: OAuthSecret): ClientAuth {
  const clientId = info.clientId ?? secret.registered?.clientId;
  if (!clientId) throw new Error('No OAuth client: connect the workspace first.');
  const clientSecret = clientSecretOf(info, secret);
  const authMethod = info.clientId
    ? chooseTokenEndpointAuthMethod(info.tokenEndpointAuthMethods, clientSecret !== undefined)
    : secret.registered?.tokenEndpointAuthMethod;
  return { clientId, clientSecret, authMethod };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createOAuthConnection(
  info: OAuthPublicInfo,
  store: OAuthStore,
  stored: Partial<OAuthHealth> = {},
  opts: OAuthConnectionOptions = {},
): OAuthConnection {
  const leaseMs = opts.leaseMs ?? 30_000;
  const waitMs = opts.waitMs ?? leaseMs + 5_000;
  const pollMs = opts.pollMs ?? 100;
  const now = opts.now ?? Date.now;
  const health: OAuthHealth = { connected: false, reconnectNeeded: false, ...stored };
  const describe = (tokens: TokenSet | undefined) => {
    health.connected = tokens !== undefined;
    health.expiresAt = iso(tokens?.expiresAt);
  };
  describe(store.loadSecret().tokens);

  function fetchMachineToken(): Promise<TokenSet> {
    const secret = store.loadSecret();
    return clientCredentialsToken(
      {
        ...clientAuthOf(info, secret),
        tokenEndpoint: info.tokenUrl,
        scopes: info.scopes,
        audience: info.audience,
      },
      { now },
    );
  }

  // True while this process holds the refresh lease: from before the refresh until its tokens
  // are saved, so nobody else can read the old set in between and refresh it again.
  let leased = false;
  async function releaseLease() {
    if (!leased) return;
    leased = false;
    await store.shared?.releaseLease();
  }

  async function save(tokens: TokenSet) {
    try {
      const secret = store.loadSecret();
      describe(tokens);
      health.reconnectNeeded = false;
      await store.saveSecret({ ...secret, tokens }, { ...health });
    } finally {
      await releaseLease();
    }
  }

  function provider(current: TokenSet): Promise<TokenSet> {
    if (info.flow === 'client_credentials') return fetchMachineToken();
    // Nothing to renew with: a reconnect, not a failure to retry on every call.
    if (!current.refreshToken)
      throw new OAuthReconnectNeeded(
        'Reconnect needed: the provider gave no refresh token, so the expired access token cannot be renewed. Press Connect again.',
        'no_refresh_token',
      );
    const secret = store.loadSecret();
    return refreshTokens({ ...clientAuthOf(info, secret), tokenEndpoint: info.tokenUrl, refreshToken: current.refreshToken }, { now });
  }

  /** Tokens another process saved in place of `current`, if it did. */
  async function replacedElsewhere(shared: SharedOAuthStore, current: TokenSet): Promise<TokenSet | undefined> {
    const { tokens } = await shared.reloadSecret();
    return tokens && tokens.accessToken !== current.accessToken ? tokens : undefined;
  }

  async function refreshShared(shared: SharedOAuthStore, current: TokenSet): Promise<TokenSet> {
    const giveUpAt = Date.now() + waitMs;
    for (;;) {
      const elsewhere = await replacedElsewhere(shared, current);
      if (elsewhere) return elsewhere;
      if (await shared.tryLease(leaseMs)) {
        leased = true;
        try {
          // Looked at again under the lease: a refresh may have been saved since the last look.
          return (await replacedElsewhere(shared, current)) ?? (await provider(current));
        } catch (err) {
          await releaseLease();
          throw err;
        }
        // On success the lease is released once the new set is saved (save() above).
      }
      if (Date.now() >= giveUpAt)
        throw new Error('Another gateway process is renewing the OAuth tokens and has not finished; try again shortly.');
      await sleep(pollMs);
    }
  }

  let firstFetch: Promise<TokenSet> | undefined;
  const manager = createTokenManager({
    now,
    async load() {
      const tokens = store.loadSecret().tokens;
      if (tokens || info.flow !== 'client_credentials') return tokens;
      // client_credentials: fetched on first use, once even when many calls arrive together.
      firstFetch ??= fetchMachineToken()
        .then(async (fresh) => {
          await save(fresh);
          health.lastRefreshAt = new Date().toISOString();
          return fresh;
        })
        .finally(() => {
          firstFetch = undefined;
        });
      return firstFetch;
    },
    save,
    refresh: (current) => (store.shared ? refreshShared(store.shared, current) : provider(current)),
    onFailure(error, permanent) {
      health.lastFailureAt = new Date().toISOString();
      health.lastFailure = error.message;
      if (permanent || isPermanentOAuthFailure(error)) health.reconnectNeeded = true;
      // Health is for display: a failed write must not turn a refresh failure into another error.
      store.saveHealth({ ...health }).catch(() => {});
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
    health: () => healthReport({ ...health, reconnectNeeded: health.reconnectNeeded || manager.state.reconnectNeeded }),
  };
}
