// Console sessions: the admin token is exchanged for an httpOnly cookie; writes made with the
// cookie need the CSRF header; wrong tokens are slowed down; signing out ends the session.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ErrorBody, SessionView } from '../../server/routes/api/types.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { testClock } from '../helpers/clock.js';

/** Where the gateway listens, which is not its PUBLIC_URL when that is set. */
function origin(gw: TestGateway): string {
  return `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}`;
}

async function signIn(gw: TestGateway, token = gw.adminToken) {
  const res = await fetch(`${origin(gw)}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const body = (await res.json()) as SessionView & Partial<ErrorBody>;
  const setCookie = res.headers.getSetCookie();
  const cookie = setCookie[0]?.split(';')[0] ?? '';
  return { res, body, setCookie, cookie };
}

function withCookie(cookie: string, csrf?: string, json = false): Record<string, string> {
  return { cookie, ...(csrf ? { 'x-latchkey-csrf': csrf } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
}

t.test('sign in: an httpOnly, SameSite=Strict cookie that is not the token', async (t) => {
  const gw = await startGateway(t);
  t.same(await (await fetch(`${gw.url}/api/session`)).json(), { signedIn: false }, 'signed out: 200, not an error');

  const { res, body, setCookie, cookie } = await signIn(gw);
  t.equal(res.status, 200);
  t.match(body, { signedIn: true, expiresAt: String, csrfToken: /^[A-Za-z0-9_-]{43}$/ });
  const hours = (Date.parse(body.expiresAt ?? '') - Date.now()) / 3600_000;
  t.ok(hours > 11.9 && hours <= 12, 'twelve hours');
  t.equal(setCookie.length, 1);
  t.match(setCookie[0], /^lk_session=v1\./);
  t.match(setCookie[0], /; HttpOnly/);
  t.match(setCookie[0], /; SameSite=Strict/);
  t.match(setCookie[0], /; Path=\//);
  t.notMatch(setCookie[0], /Secure/, 'not Secure over plain http (it would never be sent back)');
  t.notMatch(setCookie[0], new RegExp(gw.adminToken), 'the cookie does not carry the token');
  t.notMatch(JSON.stringify(body), new RegExp(gw.adminToken));

  const me = await (await fetch(`${gw.url}/api/session`, { headers: withCookie(cookie) })).json();
  t.same(me, body, 'GET /api/session answers the same session and CSRF token');
  const list = await fetch(`${gw.url}/api/workspaces`, { headers: withCookie(cookie) });
  t.equal(list.status, 200, 'the cookie opens the admin API');
  t.notOk(gw.logs().includes(gw.adminToken), 'the token is not logged');
  t.notOk(gw.logs().includes(cookie.split('=')[1]), 'nor the cookie');
});

t.test('over https the cookie is Secure and __Host- prefixed', async (t) => {
  const gw = await startGateway(t, { env: { PUBLIC_URL: 'https://latchkey.example.com' } });
  const { setCookie, cookie } = await signIn(gw);
  t.match(setCookie[0], /^__Host-lk_session=/);
  t.match(setCookie[0], /; Secure/);
  t.equal((await fetch(`${origin(gw)}/api/workspaces`, { headers: withCookie(cookie) })).status, 200);
  t.equal(
    (await fetch(`${origin(gw)}/api/workspaces`, { headers: withCookie(cookie.replace('__Host-', '')) })).status,
    401,
    'only the prefixed name counts',
  );
});

t.test("writes with the cookie need the session's CSRF token; bearer writes do not", async (t) => {
  const gw = await startGateway(t);
  const { cookie, body } = await signIn(gw);
  const post = (headers: Record<string, string>) =>
    fetch(`${gw.url}/api/workspaces`, { method: 'POST', headers, body: JSON.stringify({ name: 'x' }) });

  const none = await post(withCookie(cookie, undefined, true));
  t.equal(none.status, 403);
  t.match(await none.json(), { error: { code: 'LK_CSRF_REJECTED', message: /X-Latchkey-CSRF/ } });
  t.equal((await post(withCookie(cookie, 'A'.repeat(43), true))).status, 403, 'a made-up token');
  const other = await signIn(gw);
  t.equal((await post(withCookie(cookie, other.body.csrfToken, true))).status, 403, "another session's token");
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 0, 'nothing was created');

  t.equal((await post(withCookie(cookie, body.csrfToken, true))).status, 201, 'with the token');
  t.equal((await gw.api('POST', '/api/workspaces', { name: 'y' })).status, 201, 'bearer needs no CSRF token');
  for (const [method, path] of [
    ['PUT', '/auth'],
    ['PATCH', ''],
    ['DELETE', ''],
  ]) {
    const res = await fetch(`${gw.url}/api/workspaces/nope${path}`, { method, headers: withCookie(cookie, undefined, true), body: '{}' });
    t.equal(res.status, 403, `${method} is checked too`);
  }
  t.equal((await fetch(`${gw.url}/api/workspaces`, { headers: withCookie(cookie) })).status, 200, 'reads need no token');
});

t.test('forged or foreign cookies are refused', async (t) => {
  const gw = await startGateway(t);
  const other = await startGateway(t);
  const { cookie } = await signIn(gw);
  const foreign = (await signIn(other)).cookie;
  const status = async (c: string) => (await fetch(`${gw.url}/api/workspaces`, { headers: withCookie(c) })).status;
  t.equal(await status(foreign), 401, 'a cookie of another gateway');
  const [name, value] = cookie.split('=');
  const [v, id, exp, mac] = value.split('.');
  t.equal(await status(`${name}=${v}.${id}.${Number(exp) + 86400}.${mac}`), 401, 'a stretched expiry');
  t.equal(await status(`${name}=garbage`), 401);
  t.equal(await status(`${name}=${v}.${id}.${exp}.${mac}`), 200, 'the real one still works');
});

t.test('sign out ends the session', async (t) => {
  const gw = await startGateway(t);
  const { cookie, body } = await signIn(gw);
  const refused = await fetch(`${gw.url}/api/session`, { method: 'DELETE', headers: withCookie(cookie) });
  t.equal(refused.status, 403, 'signing out needs the CSRF token too');
  const out = await fetch(`${gw.url}/api/session`, { method: 'DELETE', headers: withCookie(cookie, body.csrfToken) });
  t.equal(out.status, 200);
  t.same(await out.json(), { signedIn: false });
  t.match(out.headers.getSetCookie()[0], /^lk_session=;.*Expires=Thu, 01 Jan 1970/, 'the cookie is cleared');
  t.equal(
    (await fetch(`${gw.url}/api/workspaces`, { headers: withCookie(cookie) })).status,
    401,
    'a copy of the old cookie no longer works',
  );
  t.same(await (await fetch(`${gw.url}/api/session`, { headers: withCookie(cookie) })).json(), { signedIn: false });
  t.equal((await fetch(`${gw.url}/api/session`, { method: 'DELETE' })).status, 200, 'signing out when signed out is fine');
});

t.test('a sign-out holds on every gateway process sharing the database, and after a restart', async (t) => {
  const a = await startGateway(t);
  const b = await startGateway(t, { dataDir: a.dataDir, env: { LATCHKEY_ADMIN_TOKEN: a.adminToken, LATCHKEY_MASTER_KEY: '' } });
  const { cookie, body } = await signIn(a);
  const other = await signIn(a);
  t.equal((await fetch(`${b.url}/api/workspaces`, { headers: withCookie(cookie) })).status, 200, 'one session, both processes');
  const out = await fetch(`${b.url}/api/session`, { method: 'DELETE', headers: withCookie(cookie, body.csrfToken) });
  t.equal(out.status, 200, 'signed out through the other process');
  t.equal(
    (await fetch(`${a.url}/api/workspaces`, { headers: withCookie(cookie) })).status,
    401,
    'the process that issued it refuses it too',
  );
  t.equal((await fetch(`${a.url}/api/workspaces`, { headers: withCookie(other.cookie) })).status, 200, 'another session is untouched');
  await a.app.close();
  const again = await startGateway(t, { dataDir: a.dataDir, env: { LATCHKEY_ADMIN_TOKEN: a.adminToken, LATCHKEY_MASTER_KEY: '' } });
  t.equal((await fetch(`${again.url}/api/workspaces`, { headers: withCookie(cookie) })).status, 401, 'still refused after a restart');
  t.equal((await fetch(`${again.url}/api/workspaces`, { headers: withCookie(other.cookie) })).status, 200);
});

t.test('sessions survive a restart; a new admin token ends them', async (t) => {
  const token = `fixed-admin-${randomBytes(8).toString('hex')}`;
  const first = await startGateway(t, { env: { LATCHKEY_ADMIN_TOKEN: token } });
  const { cookie } = await signIn(first, token);
  await first.app.close();
  const again = await startGateway(t, { dataDir: first.dataDir, env: { LATCHKEY_ADMIN_TOKEN: token } });
  t.equal((await fetch(`${again.url}/api/workspaces`, { headers: withCookie(cookie) })).status, 200, 'same key and token: still signed in');
  await again.app.close();
  const rotated = await startGateway(t, { dataDir: first.dataDir, env: { LATCHKEY_ADMIN_TOKEN: `${token}-new` } });
  t.equal((await fetch(`${rotated.url}/api/workspaces`, { headers: withCookie(cookie) })).status, 401, 'new admin token: signed out');
});

t.test('wrong tokens are slowed down per address, on sign-in and bearer alike', async (t) => {
  // The lock-out runs on a clock the test moves.
  const clock = testClock();
  const gw = await startGateway(t, { now: clock.now });
  for (let i = 0; i < 3; i++) {
    const { res, body } = await signIn(gw, `wrong-${i}`);
    t.equal(res.status, 401);
    t.match(body, { error: { code: 'LK_WRONG_ADMIN_TOKEN' } });
  }
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${gw.url}/api/workspaces`, { headers: { authorization: `Bearer wrong-${i}` } });
    t.equal(res.status, 401, 'bearer guesses count too');
  }
  const locked = await signIn(gw);
  t.equal(locked.res.status, 429, 'locked out: even the right token is refused unchecked');
  t.match(locked.body, { error: { code: 'LK_TOO_MANY_ATTEMPTS', message: /try again in 1 seconds/ } });
  t.equal(locked.res.headers.get('retry-after'), '1');
  t.equal(locked.setCookie.length, 0);
  const bearer = await fetch(`${gw.url}/api/workspaces`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
  t.equal(bearer.status, 429);
  t.equal(bearer.headers.get('retry-after'), '1');
  clock.advance(1100);
  t.equal((await signIn(gw)).res.status, 200, 'after the wait the right token works, and resets the count');
  t.equal((await signIn(gw, 'wrong-again')).res.status, 401, 'free attempts again');
});

t.test('behind a trusted proxy the lock-out follows the client, not the proxy', async (t) => {
  // Five free attempts, then the sixth wrong one locks its address out.
  const lockOut = async (gw: TestGateway, client: string) => {
    for (let i = 0; i < 6; i++) {
      await fetch(`${gw.url}/api/workspaces`, { headers: { authorization: `Bearer wrong-${i}`, 'x-forwarded-for': client } });
    }
  };
  const asClient = (gw: TestGateway, client: string) =>
    fetch(`${gw.url}/api/workspaces`, { headers: { authorization: `Bearer ${gw.adminToken}`, 'x-forwarded-for': client } });

  const trusting = await startGateway(t, { env: { LATCHKEY_TRUST_PROXY: 'loopback' } });
  await lockOut(trusting, '203.0.113.7');
  t.equal((await asClient(trusting, '203.0.113.7')).status, 429, 'the guessing client is locked out');
  t.equal((await asClient(trusting, '198.51.100.9')).status, 200, 'another client behind the same proxy is not');

  // By default X-Forwarded-For is not believed: a client cannot dodge the lock-out by naming another address.
  const plain = await startGateway(t);
  await lockOut(plain, '203.0.113.7');
  t.equal((await asClient(plain, '198.51.100.9')).status, 429, 'the header is ignored, the socket address is locked');
});
