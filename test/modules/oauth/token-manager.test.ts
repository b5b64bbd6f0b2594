import t, { type Test } from 'tap';
import {
  clientCredentialsToken,
  createTokenManager,
  OAuthReconnectNeeded,
  OAuthRequestFailed,
  OAuthTokenError,
  refreshTokens,
  type RegisteredClient,
  type TokenManagerOptions,
  type TokenSet,
} from '../../../server/modules/oauth/index.js';
import { assertNoSecrets, connect, manualClock, startOAuthServer, thrown, type OAuthFixture } from './fixtures/setup.js';

/** A token manager over the real test server, with an in-memory store and a hand-moved clock. */
async function managed(t: Test, overrides: Partial<TokenManagerOptions> = {}, fixtureOptions: { tokenTtlSeconds?: number } = {}) {
  const fixture: OAuthFixture = await startOAuthServer(t, fixtureOptions);
  const clock = manualClock(Date.now());
  const { client, tokens } = await connect(fixture, clock.now);
  let stored: TokenSet | undefined = tokens;
  const saved: TokenSet[] = [];
  const failures: Array<{ error: Error; permanent: boolean }> = [];
  const refreshWith = (c: RegisteredClient) => (current: TokenSet) =>
    refreshTokens(
      {
        tokenEndpoint: fixture.metadata.token_endpoint,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        refreshToken: current.refreshToken ?? '',
      },
      { now: clock.now },
    );
  const manager = createTokenManager({
    load: () => stored,
    save: (set) => {
      saved.push(set);
      stored = set;
    },
    refresh: refreshWith(client),
    now: clock.now,
    onFailure: (error, permanent) => failures.push({ error, permanent }),
    ...overrides,
  });
  return {
    fixture,
    clock,
    client,
    tokens,
    manager,
    saved,
    failures,
    store: {
      get: () => stored,
      set: (set: TokenSet | undefined) => {
        stored = set;
      },
    },
  };
}

t.test('a fresh token is returned as is, without a refresh', async (t) => {
  const { manager, tokens, fixture, saved } = await managed(t);
  t.equal(await manager.getAccessToken(), tokens.accessToken);
  t.equal(await manager.getAccessToken(), tokens.accessToken);
  t.equal(fixture.server.stats().refreshes, 0);
  t.same(saved, []);
  t.match(manager.state, { reconnectNeeded: false, refreshes: 0, failures: 0 });
});

t.test('refreshes ahead of expiry by the margin, and saves the rotated refresh token', async (t) => {
  const { manager, tokens, fixture, clock, saved } = await managed(t, { marginMs: 60_000 });
  clock.set((tokens.expiresAt ?? 0) - 61_000);
  t.equal(await manager.getAccessToken(), tokens.accessToken, 'outside the margin: no refresh');
  clock.advance(2000);
  const fresh = await manager.getAccessToken();
  t.not(fresh, tokens.accessToken, 'inside the margin: refreshed');
  t.equal(fixture.server.stats().refreshes, 1);
  t.equal(saved.length, 1);
  t.equal(saved[0].accessToken, fresh);
  t.not(saved[0].refreshToken, tokens.refreshToken, 'the rotated refresh token is what was saved');
  t.match(saved[0].refreshToken, /^rt_/);
  t.equal(await manager.getAccessToken(), fresh, 'then the new one is used');
  t.equal(fixture.server.stats().refreshes, 1);
  t.match(manager.state, { refreshes: 1, lastRefreshAt: clock.now(), reconnectNeeded: false });
  const api = await fetch(`${fixture.server.url}/api/items`, { headers: { authorization: `Bearer ${fresh}` } });
  t.equal(api.status, 200);
});

t.test('ten concurrent callers at expiry share exactly one refresh', async (t) => {
  const { manager, tokens, fixture, clock, saved } = await managed(t);
  clock.set((tokens.expiresAt ?? 0) + 1000);
  const results = await Promise.all(Array.from({ length: 10 }, () => manager.getAccessToken()));
  t.equal(new Set(results).size, 1, 'everyone got the same token');
  t.not(results[0], tokens.accessToken);
  t.match(fixture.server.stats(), { refreshes: 1, refreshFailures: 0 });
  t.equal(saved.length, 1, 'saved once');
  // And again, with the new set expired too: still one refresh for the whole burst.
  clock.set((saved[0].expiresAt ?? 0) + 1000);
  const second = await Promise.all(Array.from({ length: 10 }, () => manager.getAccessToken()));
  t.equal(new Set(second).size, 1);
  t.equal(fixture.server.stats().refreshes, 2);
});

t.test('a load() that still returns the spent set never causes a second refresh', async (t) => {
  // save() that does not persist: load keeps answering the original set.
  const holder: { set?: TokenSet } = {};
  const { manager, tokens, fixture, clock, failures } = await managed(t, {
    load: () => holder.set,
    save: () => {
      throw new Error('disk full');
    },
  });
  holder.set = tokens;
  clock.set((tokens.expiresAt ?? 0) + 1000);
  const first = await manager.getAccessToken();
  const again = await manager.getAccessToken();
  t.equal(again, first, 'the rotated set is remembered in memory');
  t.match(fixture.server.stats(), { refreshes: 1, refreshFailures: 0 }, 'the spent refresh token was not replayed');
  t.same(
    failures.map((f) => [f.error.message, f.permanent]),
    [['disk full', false]],
    'the failed save is reported, as not permanent',
  );
  t.equal(manager.state.reconnectNeeded, false);
});

t.test('revoked refresh tokens: reconnectNeeded, a clear error, and no retry loop', async (t) => {
  const { manager, tokens, fixture, clock, failures } = await managed(t);
  fixture.server.oauth?.revokeRefreshTokens();
  clock.set((tokens.expiresAt ?? 0) + 1000);

  const errors = await Promise.all(Array.from({ length: 5 }, () => thrown(() => manager.getAccessToken())));
  for (const error of errors) t.type(error, OAuthReconnectNeeded);
  t.match(errors[0], {
    code: 'LK_OAUTH_RECONNECT_NEEDED',
    reason: 'refresh_refused',
    message: /^Reconnect needed: the tokens cannot be renewed\. .*invalid_grant/,
  });
  t.type((errors[0] as OAuthReconnectNeeded).cause, OAuthTokenError);

  for (let i = 0; i < 5; i++) {
    const later = await thrown(() => manager.getAccessToken());
    t.type(later, OAuthReconnectNeeded, `call ${i + 1} after the refusal`);
  }
  const forced = await thrown(() => manager.forceRefresh(tokens.accessToken));
  t.type(forced, OAuthReconnectNeeded, 'forceRefresh does not retry either');

  t.match(fixture.server.stats(), { refreshes: 0, refreshFailures: 1 }, 'exactly one attempt reached the server');
  t.equal(failures.length, 1);
  t.equal(failures[0].permanent, true);
  t.match(manager.state, { reconnectNeeded: true, failures: 1, lastFailure: /invalid_grant/, lastFailureAt: clock.now() });
  for (const error of errors) assertNoSecrets(t, error, [tokens.accessToken, tokens.refreshToken], 'reconnect error');
});

t.test('a refusal during the early-refresh window keeps using the token until it really expires', async (t) => {
  const { manager, tokens, fixture, clock } = await managed(t, { marginMs: 60_000 });
  fixture.server.oauth?.revokeRefreshTokens();
  clock.set((tokens.expiresAt ?? 0) - 30_000);
  t.equal(await manager.getAccessToken(), tokens.accessToken, 'still valid: served');
  t.equal(manager.state.reconnectNeeded, true, 'but the connection is flagged');
  t.equal(await manager.getAccessToken(), tokens.accessToken);
  t.equal(fixture.server.stats().refreshFailures, 1, 'one attempt only');
  clock.set(tokens.expiresAt ?? 0);
  t.type(await thrown(() => manager.getAccessToken()), OAuthReconnectNeeded, 'expired: reconnect needed');
});

t.test('a transient failure is thrown without flagging a reconnect; the next call tries again', async (t) => {
  let attempts = 0;
  const { manager, tokens, clock, failures } = await managed(t, {
    refresh: async () => {
      attempts++;
      throw new OAuthRequestFailed('Could not reach http://127.0.0.1:1/token: the connection was refused.', 'ECONNREFUSED');
    },
  });
  clock.set((tokens.expiresAt ?? 0) + 1);
  const first = await thrown(() => manager.getAccessToken());
  t.type(first, OAuthRequestFailed);
  t.equal(manager.state.reconnectNeeded, false);
  const second = await thrown(() => manager.getAccessToken());
  t.type(second, OAuthRequestFailed);
  t.equal(attempts, 2, 'one attempt per call, never a loop');
  t.same(
    failures.map((f) => f.permanent),
    [false, false],
  );

  const real = await managed(t);
  await real.fixture.server.close();
  real.clock.set((real.tokens.expiresAt ?? 0) + 1);
  const unreachable = await thrown(() => real.manager.getAccessToken());
  t.type(unreachable, OAuthRequestFailed);
  // A pooled keep-alive socket may notice the close first, so refused or closed are both right.
  t.match(unreachable, { reason: /^(ECONNREFUSED|UND_ERR_SOCKET)$/ });
  t.equal(real.manager.state.reconnectNeeded, false, 'an unreachable server is no reason to reconnect');
});

t.test('forceRefresh after an upstream 401: refreshes once, even for concurrent callers', async (t) => {
  const { manager, tokens, fixture } = await managed(t);
  fixture.server.oauth?.expireAccessTokens();
  const refused = await fetch(`${fixture.server.url}/api/items`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.same(await refused.json(), { error: 'TOKEN_EXPIRED' }, 'the upstream refuses a token the manager thinks is valid');

  const results = await Promise.all(Array.from({ length: 5 }, () => manager.forceRefresh(tokens.accessToken)));
  t.equal(new Set(results).size, 1);
  t.not(results[0], tokens.accessToken);
  t.equal(fixture.server.stats().refreshes, 1);
  const retried = await fetch(`${fixture.server.url}/api/items`, { headers: { authorization: `Bearer ${results[0]}` } });
  t.equal(retried.status, 200);

  t.equal(await manager.forceRefresh(tokens.accessToken), results[0], 'a late caller with the old token gets the replacement');
  t.equal(fixture.server.stats().refreshes, 1, 'without another refresh');
  const again = await manager.forceRefresh(results[0]);
  t.not(again, results[0], 'a 401 on the new token refreshes again');
  t.equal(fixture.server.stats().refreshes, 2);
});

t.test('connecting again clears reconnectNeeded', async (t) => {
  const { manager, tokens, fixture, clock, store } = await managed(t);
  fixture.server.oauth?.revokeRefreshTokens();
  clock.set((tokens.expiresAt ?? 0) + 1000);
  await thrown(() => manager.getAccessToken());
  t.equal(manager.state.reconnectNeeded, true);

  const { tokens: reconnected } = await connect(fixture, clock.now);
  store.set(reconnected);
  t.equal(await manager.getAccessToken(), reconnected.accessToken);
  t.equal(manager.state.reconnectNeeded, false);

  manager.reset();
  t.equal(manager.state.reconnectNeeded, false, 'reset() is harmless when nothing was refused');
});

t.test('no tokens yet: OAuthReconnectNeeded not_connected', async (t) => {
  const manager = createTokenManager({
    load: () => undefined,
    save: () => {},
    refresh: async () => ({ accessToken: 'x', tokenType: 'Bearer' }),
  });
  const error = await thrown(() => manager.getAccessToken());
  t.match(error, { reason: 'not_connected', code: 'LK_OAUTH_RECONNECT_NEEDED' });
});

t.test('short-lived tokens: the margin shrinks to half the lifetime instead of refreshing every call', async (t) => {
  const { manager, fixture, clock, saved } = await managed(t, {}, { tokenTtlSeconds: 2 });
  const first = await manager.getAccessToken();
  t.equal(await manager.getAccessToken(), first);
  t.equal(fixture.server.stats().refreshes, 0, 'a 2 s token is not refreshed right away despite the 60 s margin');
  clock.advance(1100);
  const second = await manager.getAccessToken();
  t.not(second, first, 'past half its life it is');
  t.equal(saved.length, 1);
});

t.test('client credentials: the manager re-requests a token when it runs out', async (t) => {
  const fixture = await startOAuthServer(t, { tokenTtlSeconds: 1 });
  const clock = manualClock(Date.now());
  const obtain = () =>
    clientCredentialsToken(
      { tokenEndpoint: fixture.metadata.token_endpoint, clientId: fixture.clientId, clientSecret: fixture.clientSecret },
      { now: clock.now },
    );
  let stored: TokenSet | undefined = await obtain();
  const manager = createTokenManager({ load: () => stored, save: (set) => void (stored = set), refresh: obtain, now: clock.now });
  const first = await manager.getAccessToken();
  clock.advance(2000);
  const second = await manager.getAccessToken();
  t.not(second, first);
  t.equal(fixture.server.stats().tokensIssued, 2);
  t.equal(stored?.refreshToken, undefined, 'no refresh token appears from nowhere');
  const api = await fetch(`${fixture.server.url}/api/users`, { headers: { authorization: `Bearer ${second}` } });
  t.equal(api.status, 200);

  const wrong = createTokenManager({
    load: () => ({ ...(stored as TokenSet), expiresAt: 0 }),
    save: () => {},
    refresh: () =>
      clientCredentialsToken({ tokenEndpoint: fixture.metadata.token_endpoint, clientId: fixture.clientId, clientSecret: 'rotated-away' }),
    now: clock.now,
  });
  const error = await thrown(() => wrong.getAccessToken());
  t.type(error, OAuthReconnectNeeded, 'invalid_client is permanent too');
  assertNoSecrets(t, error, ['rotated-away', fixture.clientSecret], 'invalid_client');
});
