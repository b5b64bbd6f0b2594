/// <reference lib="dom" />
// Issue 17: OAuth connect with the provider on another site than the gateway (gateway on
// 127.0.0.1, provider on localhost: two sites to a browser). The console's session cookie is
// SameSite=Strict, so the browser coming back from the provider does not send it; the flow's own
// Lax cookie binds the state to the browser instead. Another browser with the state is refused.
import t from 'tap';
import type { Page } from 'playwright-core';
import { startTestServer } from '../../test-server/test-server.js';
import { launchBrowser, openConsole, signIn } from '../helpers/browser.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { workspaceFor } from '../helpers/workspace.js';

const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true });

t.test('OAuth connect with the provider on another site: the flow cookie carries the binding', async (t) => {
  const upstream = await startTestServer({ mode: 'oauth', host: 'localhost' });
  t.teardown(() => upstream.close());
  const oauth = upstream.oauth!;
  const gw = await startGateway(t, { env: { LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true' } });
  t.match(upstream.url, /^http:\/\/localhost:\d+$/, 'the provider is reached as localhost');
  t.match(gw.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the gateway as 127.0.0.1: another site');
  const ws = await workspaceFor(t, gw, upstream, { name: 'Cross Site' });
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'oauth2', flow: 'authorization_code', issuer: upstream.url });
  t.equal(saved.status, 200, saved.text);

  const browser = await launchBrowser(t);
  const session = await openConsole(t, browser, gw);
  const { page, context } = session;
  await signIn(page, gw.adminToken);
  await page
    .getByRole('link', { name: /Cross Site/ })
    .first()
    .click();
  await tab(page, 'Configure').click();
  await page.getByText('Not connected yet.').waitFor();

  // Connect: the flow's cookie is set beside the session cookie, for the callback alone.
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.waitForURL(`${upstream.url}/authorize?**`);
  const state = new URL(page.url()).searchParams.get('state')!;
  const cookies = await context.cookies(gw.url + '/oauth/callback');
  const sessionCookie = cookies.find((c) => c.name === 'lk_session')!;
  const flowCookie = cookies.find((c) => c.name.startsWith('lk_oauth_')) ?? {
    name: 'missing',
    value: 'missing',
    sameSite: '',
    httpOnly: false,
    path: '',
    expires: 0,
  };
  t.ok(sessionCookie, 'the console session cookie');
  t.equal(sessionCookie.sameSite, 'Strict', 'which stays SameSite=Strict');
  t.not(flowCookie.name, 'missing', 'and a cookie for this flow');
  t.match(flowCookie, { sameSite: 'Lax', httpOnly: true, path: '/oauth/callback' }, 'Lax, httpOnly, only sent to the callback');
  const lifetime = flowCookie.expires - Date.now() / 1000;
  t.ok(lifetime > 60 && lifetime <= 600 + 5, `short-lived (${Math.round(lifetime)} s left)`);
  // No secret in it: not the session, not the state, not the admin token; and nowhere stored.
  const sessionId = sessionCookie.value.split('.')[1];
  for (const [name, value] of [
    ['session cookie', sessionCookie.value],
    ['session id', sessionId],
    ['state', state],
    ['admin token', gw.adminToken],
  ] as const) {
    t.notOk(flowCookie.value.includes(value) || value.includes(flowCookie.value), `the flow cookie is not the ${name}`);
  }
  t.match(flowCookie.value, /^[A-Za-z0-9_-]{43}$/, 'an opaque 256-bit value');

  // Approve on the provider's site: back at the callback without the Strict session cookie.
  const callbackRequests: Promise<string>[] = [];
  page.on('request', (request) => {
    // allHeaders(): the cookies the network stack attached are not in headers().
    if (request.url().startsWith(`${gw.url}/oauth/callback`)) callbackRequests.push(request.allHeaders().then((h) => h.cookie ?? ''));
  });
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${gw.url}/workspaces/${ws.id}/configure`);
  await page.getByRole('status').filter({ hasText: 'OAuth connected' }).waitFor();
  await page.getByText('Connected.', { exact: false }).first().waitFor();
  const callbackCookies = await Promise.all(callbackRequests);
  t.equal(callbackCookies.length, 1, 'the browser came back through the callback once');
  t.notOk(callbackCookies[0].includes('lk_session='), 'without the session cookie (cross-site: the reason for the flow cookie)');
  t.ok(callbackCookies[0].includes(`${flowCookie.name}=`), 'with the flow cookie');
  t.same(
    (await context.cookies(gw.url + '/oauth/callback')).filter((c) => c.name.startsWith('lk_oauth_')),
    [],
    'the flow cookie is cleared once used',
  );
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body.health, { connected: true });
  const client = await connectClient(t, ws.mcpUrl);
  const call = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(call.isError, 'a tool call with the connected account');

  // The same state from another browser (signed in too, but without this flow's cookie): refused.
  await page.getByRole('button', { name: 'Connect again' }).click();
  await page.waitForURL(`${upstream.url}/authorize?**`);
  const authorizeUrl = page.url();
  const other = await openConsole(t, browser, gw);
  await signIn(other.page, gw.adminToken);
  await other.page
    .getByRole('link', { name: /Cross Site/ })
    .first()
    .waitFor();
  await other.page.goto(authorizeUrl);
  const refused = other.page.waitForResponse((r) => r.url().startsWith(`${gw.url}/oauth/callback`));
  await other.page.getByRole('button', { name: 'Approve' }).click();
  t.equal((await refused).status(), 403, 'a state used from another browser is refused');
  await other.page.getByText('started in another browser').waitFor();
  // …and, being single-use, it is gone for the first browser too.
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('unknown or was already used').waitFor();
  t.equal(oauth.stats().registrations, 1, 'Latchkey registered itself once');

  // The flow cookie's value was never stored or logged.
  const db = (await storedBytes(gw)).toString('latin1');
  t.notOk(db.includes(flowCookie.value), 'not in the database');
  t.notOk(gw.logs().includes(flowCookie.value), 'not in the log');
  t.notOk(gw.logs().includes(state), 'nor the state');
  t.same(
    session.problems.filter((p) => !p.includes('status of 40')),
    [],
    'no console errors',
  );
});
