// Keeps one connection's access token fresh. The rules, in order of importance:
// - one refresh at a time per token: concurrent callers at expiry share one promise, because with
//   rotating refresh tokens a second refresh would replay a spent token and lose the grant;
// - a refusal the server means (invalid_grant…) marks the connection `reconnectNeeded` and is
//   never retried, so a dead grant costs one request, not one per tool call;
// - a passing failure (network, 5xx) is thrown as is and the next call tries again; while the old
//   token is still valid it keeps being used;
// - the rotated set is saved, and remembered in memory too, so a slow or failed save (or a load()
//   that still returns the old set) cannot make anyone refresh a spent token.
import { OAuthReconnectNeeded, OAuthTokenError } from './errors.js';
import type { TokenSet } from './types.js';

export interface TokenManagerOptions {
  /** The stored token set, undefined when the connection was never made. */
  load(): TokenSet | undefined | Promise<TokenSet | undefined>;
  /** Persists a refreshed set (with its rotated refresh token). */
  save(tokens: TokenSet): void | Promise<void>;
  /** Obtains a new set: refreshTokens(…) for a code grant, clientCredentialsToken(…) for a machine grant. */
  refresh(current: TokenSet): Promise<TokenSet>;
  now?: () => number;
  /** Refresh this long before expiry. Default 60 s, at most half the token's lifetime. */
  marginMs?: number;
  /** Every failed refresh (and failed save), for logs and health; `permanent` ones need a reconnect. */
  onFailure?(error: Error, permanent: boolean): void;
}

export interface TokenManagerState {
  reconnectNeeded: boolean;
  /** Epoch ms. */
  lastRefreshAt?: number;
  lastFailureAt?: number;
  /** The message of the last failure; never contains a secret. */
  lastFailure?: string;
  refreshes: number;
  failures: number;
}

export interface TokenManager {
  /** A valid access token, refreshed first when it is close to expiry. */
  getAccessToken(): Promise<string>;
  /**
   * For an upstream 401 with `staleAccessToken`: refreshes once, unless another caller already
   * replaced that token, in which case the replacement is returned.
   */
  forceRefresh(staleAccessToken: string): Promise<string>;
  /** A snapshot. */
  readonly state: TokenManagerState;
  /** Forgets a refused grant, e.g. after the user connected again and new tokens were saved. */
  reset(): void;
}

const DEFAULT_MARGIN_MS = 60_000;
/** How many stale → fresh replacements are remembered; more than any burst of refreshes needs. */
const REPLACED_KEPT = 16;
const PERMANENT_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

/** True when retrying cannot help: the server refused the grant or the client itself. */
export function isPermanentOAuthFailure(error: unknown): boolean {
  return error instanceof OAuthReconnectNeeded || (error instanceof OAuthTokenError && PERMANENT_ERRORS.has(error.error));
}

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  const state: TokenManagerState = { reconnectNeeded: false, refreshes: 0, failures: 0 };
  // Keyed by access token: every refresh yields a new one, even where the refresh token stays.
  const inflight = new Map<string, Promise<TokenSet>>();
  const replaced = new Map<string, TokenSet>();
  /** The access token of the set whose refresh was refused; cleared when other tokens appear. */
  let refusedToken: string | undefined;
  let refusal: OAuthReconnectNeeded | undefined;

  function latest(set: TokenSet): TokenSet {
    let current = set;
    for (let hops = 0; hops < REPLACED_KEPT; hops++) {
      const next = replaced.get(current.accessToken);
      if (!next) break;
      current = next;
    }
    return current;
  }

  function isExpired(set: TokenSet): boolean {
    return set.expiresAt !== undefined && now() >= set.expiresAt;
  }

  function needsRefresh(set: TokenSet): boolean {
    if (set.expiresAt === undefined) return false;
    // A token that lives 2 s must not be refreshed on every call because the margin is 60 s.
    const lifetime = set.issuedAt === undefined ? Infinity : set.expiresAt - set.issuedAt;
    return now() >= set.expiresAt - Math.min(marginMs, lifetime / 2);
  }

  function recordFailure(error: Error, permanent: boolean): void {
    state.failures++;
    state.lastFailureAt = now();
    state.lastFailure = error.message;
    options.onFailure?.(error, permanent);
  }

  async function loadCurrent(): Promise<TokenSet> {
    const stored = await options.load();
    if (!stored) throw new OAuthReconnectNeeded('This connection has no OAuth tokens yet: connect it first.', 'not_connected');
    const current = latest(stored);
    if (refusedToken !== undefined && current.accessToken !== refusedToken) {
      // Different tokens than the refused ones: someone connected again.
      refusedToken = undefined;
      refusal = undefined;
      state.reconnectNeeded = false;
    }
    return current;
  }

  function refreshFrom(current: TokenSet): Promise<TokenSet> {
    const key = current.accessToken;
    const running = inflight.get(key);
    if (running) return running;
    const successor = replaced.get(key);
    if (successor) return Promise.resolve(latest(successor));

    // Started on the next tick so that the map entry exists before anything can settle.
    const work = Promise.resolve()
      .then(() => options.refresh(current))
      .then(
        async (fresh) => {
          const merged: TokenSet = {
            ...fresh,
            ...(fresh.refreshToken === undefined && current.refreshToken !== undefined ? { refreshToken: current.refreshToken } : {}),
            ...(fresh.scope === undefined && current.scope !== undefined ? { scope: current.scope } : {}),
          };
          replaced.set(key, merged);
          if (replaced.size > REPLACED_KEPT) replaced.delete(replaced.keys().next().value as string);
          state.refreshes++;
          state.lastRefreshAt = now();
          try {
            await options.save(merged);
          } catch (err) {
            // The new set still works from memory; losing it on restart is what the log must say.
            recordFailure(err instanceof Error ? err : new Error(String(err)), false);
          }
          return merged;
        },
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          const permanent = isPermanentOAuthFailure(error);
          recordFailure(error, permanent);
          if (!permanent) throw error;
          refusedToken = key;
          state.reconnectNeeded = true;
          refusal =
            error instanceof OAuthReconnectNeeded
              ? error
              : new OAuthReconnectNeeded(`Reconnect needed: the tokens cannot be renewed. ${error.message}`, 'refresh_refused', {
                  cause: error,
                });
          throw refusal;
        },
      )
      .finally(() => inflight.delete(key));
    inflight.set(key, work);
    return work;
  }

  function refusedError(): OAuthReconnectNeeded {
    return (
      refusal ?? new OAuthReconnectNeeded('Reconnect needed: the authorization server refused to renew the tokens.', 'refresh_refused')
    );
  }

  async function getAccessToken(): Promise<string> {
    const current = await loadCurrent();
    if (refusedToken !== undefined) {
      // Refused already: no new attempt. The token serves until it really expires.
      if (!isExpired(current)) return current.accessToken;
      throw refusedError();
    }
    if (!needsRefresh(current)) return current.accessToken;
    try {
      return (await refreshFrom(current)).accessToken;
    } catch (err) {
      // Refreshing early failed; the token in hand has not expired yet, so it still does the job.
      if (!isExpired(current)) return current.accessToken;
      throw err;
    }
  }

  async function forceRefresh(staleAccessToken: string): Promise<string> {
    const current = await loadCurrent();
    const running = inflight.get(staleAccessToken);
    if (running) return (await running).accessToken;
    if (current.accessToken !== staleAccessToken) return getAccessToken();
    if (refusedToken !== undefined) throw refusedError();
    return (await refreshFrom(current)).accessToken;
  }

  return {
    getAccessToken,
    forceRefresh,
    get state() {
      return { ...state };
    },
    reset() {
      refusedToken = undefined;
      refusal = undefined;
      state.reconnectNeeded = false;
    },
  };
}
