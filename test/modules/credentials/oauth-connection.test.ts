// The refresh lease shared by several gateway processes, against the test server's real token
// endpoint (client credentials, 2 s tokens). The "other process" is played by the test, through
// the same storage the connection sees.
import t from 'tap';
import { startTestServer } from '../../../test-server/test-server.js';
import { createOAuthConnection, type OAuthStore } from '../../../server/modules/credentials/oauth-connection.js';
import type { OAuthPublicInfo, OAuthSecret } from '../../../server/modules/credentials/oauth-settings.js';
import type { TokenSet } from '../../../server/modules/oauth/index.js';
import { testClock } from '../../helpers/clock.js';

const upstream = await startTestServer({ mode: 'oauth', tokenTtlSeconds: 2 });
t.teardown(() => upstream.close());
const info: OAuthPublicInfo = {
  flow: 'client_credentials',
  tokenUrl: `${upstream.url}/token`,
  clientId: upstream.oauth!.clientId,
  scopes: ['items:read'],
};

/**
 * One database row as every process sees it: the stored secret and the lease. Leases run out on the
 * database's clock, which the test moves; `whenRefused` plays what the lease holder does meanwhile.
 */
function sharedRow(tokens: TokenSet) {
  const clock = testClock();
  const row = {
    secret: { clientSecret: upstream.oauth!.clientSecret, tokens } as OAuthSecret,
    leaseUntil: 0 as number | null,
    releases: 0,
    refusals: 0,
  };
  let whenRefused = () => {};
  let mine = row.secret;
  const store: OAuthStore = {
    loadSecret: () => mine,
    async saveSecret(next) {
      mine = next;
      row.secret = next;
    },
    async saveHealth() {},
    shared: {
      reloadSecret: async () => (mine = row.secret),
      async tryLease(ms) {
        if (row.leaseUntil !== null && row.leaseUntil > clock.now()) {
          row.refusals++;
          whenRefused();
          return false;
        }
        row.leaseUntil = clock.now() + ms;
        return true;
      },
      async releaseLease() {
        row.leaseUntil = null;
        row.releases++;
      },
    },
  };
  return {
    row,
    store,
    clock,
    whenRefused(then: () => void) {
      whenRefused = then;
    },
  };
}

const expired = (accessToken: string): TokenSet => ({
  accessToken,
  tokenType: 'Bearer',
  expiresAt: Date.now() - 1000,
  issuedAt: Date.now() - 3000,
});
const issued = () => upstream.oauth!.stats().tokensIssued;

t.test('another process is renewing: its tokens are taken up, the token endpoint is not asked', async (t) => {
  const { row, store, clock, whenRefused } = sharedRow(expired('old-token'));
  row.leaseUntil = clock.now() + 10_000;
  // The other process saves its tokens once this one has been refused the lease: an order, not a delay.
  whenRefused(() => {
    row.secret = { ...row.secret, tokens: { accessToken: 'saved-by-the-other', tokenType: 'Bearer', expiresAt: Date.now() + 60_000 } };
    row.leaseUntil = null;
  });
  const connection = createOAuthConnection(info, store, {}, { pollMs: 20 });
  const before = issued();
  t.equal(await connection.getAccessToken(), 'saved-by-the-other');
  t.equal(row.refusals, 1, 'it waited while the other held the lease');
  t.equal(issued() - before, 0, 'no second refresh');
});

t.test('a holder that crashed: its lease runs out, then this process renews, saves and releases', async (t) => {
  const { row, store, clock, whenRefused } = sharedRow(expired('old-token'));
  row.leaseUntil = clock.now() + 30_000;
  // Refused once, then the crashed holder's 30 s run out on the database's clock.
  whenRefused(() => clock.advance(30_000));
  const connection = createOAuthConnection(info, store, {}, { pollMs: 20 });
  const before = issued();
  const token = await connection.getAccessToken();
  t.equal(row.refusals, 1, 'refused while the lease held');
  t.not(token, 'old-token');
  t.equal(issued() - before, 1, 'one token from the endpoint');
  t.equal(row.secret.tokens?.accessToken, token, 'saved where the other processes read');
  t.equal(row.leaseUntil, null, 'the lease is released after the save');
  t.equal(row.releases, 1);
});

t.test('a holder that never finishes: the call fails with a clear message, without a refresh of its own', async (t) => {
  const { row, store, clock } = sharedRow(expired('old-token'));
  row.leaseUntil = clock.now() + 60_000;
  // waitMs is how long a caller waits, a timeout kept on real time: short, not moved.
  const connection = createOAuthConnection(info, store, {}, { pollMs: 20, waitMs: 200 });
  const before = issued();
  await t.rejects(connection.getAccessToken(), { message: /Another gateway process is renewing the OAuth tokens/ });
  t.equal(issued() - before, 0);
});

t.test('a failed refresh releases the lease at once', async (t) => {
  const { row, store } = sharedRow(expired('old-token'));
  const broken: OAuthPublicInfo = { ...info, tokenUrl: `${upstream.url}/no-such-endpoint` };
  const connection = createOAuthConnection(broken, store, {}, { pollMs: 20 });
  await t.rejects(connection.getAccessToken());
  t.equal(row.leaseUntil, null, 'released: the next process need not wait for it to run out');
});

t.test('authorization code without a refresh token: at expiry, "reconnect needed" with its reason, asked of nobody again', async (t) => {
  const codeInfo: OAuthPublicInfo = { ...info, flow: 'authorization_code', authorizationUrl: `${upstream.url}/authorize` };
  const { store } = sharedRow(expired('no-refresh-token'));
  const failures: string[] = [];
  const connection = createOAuthConnection(
    codeInfo,
    { ...store, shared: undefined, saveHealth: async (h) => void failures.push(h.lastFailure ?? '') },
    {},
  );
  const first = await connection.getAccessToken().catch((err: unknown) => err);
  t.match(first, { name: 'OAuthReconnectNeeded', reason: 'no_refresh_token', message: /gave no refresh token/ });
  t.match(connection.health(), { reconnectNeeded: true, lastFailure: /gave no refresh token/ }, 'the console shows "reconnect needed"');
  const again = await connection.getAccessToken().catch((err: unknown) => err);
  t.match(again, { reason: 'no_refresh_token' }, 'the next call gets the same answer');
  t.equal(failures.length, 1, 'without trying again: one failure recorded for two calls');
});
