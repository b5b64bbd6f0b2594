/// <reference lib="dom" />
// Issues 5 and 6 in the console, in headless Chromium against a real gateway and the bundled test
// server: an access key created, shown once, used by the MCP SDK client and revoked; and OAuth's
// authorization-code flow (dynamic registration, PKCE), refresh, "Reconnect needed", a code that
// fails PKCE, and client credentials, with no secret or token ever reaching the page.
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startTestServer } from '../../test-server/test-server.js';
import { launchBrowser, openConsole, signIn } from '../helpers/browser.js';
import { startGateway } from '../helpers/gateway.js';
import { testClock } from '../helpers/clock.js';
import { connectClient } from '../helpers/mcp-client.js';
import { markApiRequests } from '../helpers/oauth.js';
import { workspaceFor } from '../helpers/workspace.js';

const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true });

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('an access key: created in the console, shown once, used, revoked', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { name: 'Keys API' });
  const browser = await launchBrowser(t);
  const session = await openConsole(t, browser, gw);
  const { page } = session;
  await signIn(page, gw.adminToken);
  await page.getByRole('heading', { name: 'Keys API', level: 1 }).waitFor();
  await tab(page, 'Connect').click();

  // Empty state, then the creation form: a read-only key for two tools.
  await page.getByRole('heading', { name: 'No access keys yet' }).waitFor();
  await page.getByRole('button', { name: 'Create access key' }).click();
  const form = page.getByRole('dialog', { name: 'Create an access key' });
  await form.getByLabel('Label').fill('CI job');
  await form.getByRole('radio', { name: /Read only/ }).check();
  await form.getByRole('switch', { name: 'Only some tools' }).check();
  await form.getByRole('checkbox', { name: /listItems/ }).check();
  await form.getByRole('checkbox', { name: /getItem/ }).check();
  await form.getByRole('button', { name: 'Create key' }).click();

  // The one-time dialog: the key, a copy button, and the warning.
  const shown = page.getByRole('dialog', { name: 'Your new access key' });
  await shown.waitFor();
  t.match(await shown.innerText(), /you won't see it again/);
  const key = await shown.getByRole('textbox', { name: 'Access key' }).inputValue();
  t.match(key, /^lk_live_/, 'a live key');
  await shown.getByRole('button', { name: 'Copy access key' }).click();
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), key, 'copied');
  await session.screenshot('access-key-dialog');
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'hidden' });
  t.notOk((await page.content()).includes(key), 'after the dialog closes, the key is nowhere in the page');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  t.notOk(storage.includes(key), 'nor in localStorage or sessionStorage');

  const row = page.getByRole('row').filter({ hasText: 'CI job' });
  await row.waitFor();
  t.match(
    await row.innerText(),
    new RegExp(`CI job\\s+${key.slice(0, 12)}…\\s+read\\s+listItems, getItem\\s+live`),
    'label, prefix, scope, tools, environment',
  );

  // Keys mode: the URL alone no longer opens the workspace; snippets carry the header.
  t.match(await page.locator('#panel-connect').innerText(), /Your client needs no API key/);
  await page.getByRole('radio', { name: /URL and an access key/ }).click();
  await waitFor(async () => (await gw.api('GET', `/api/workspaces/${ws.id}`)).body.access === 'keys');
  await page.getByText('needs the URL and a workspace access key').waitFor();
  const connectText = await page.locator('#panel-connect').innerText();
  t.ok(connectText.includes(`"--header",\n        "X-Latchkey-Key:<your-access-key>"`), 'mcp-remote gets --header');
  t.ok(
    connectText.includes(`claude mcp add --transport http keys-api ${ws.mcpUrl} --header "X-Latchkey-Key: <your-access-key>"`),
    'Claude Code gets --header',
  );
  t.ok(connectText.includes(`"headers": {\n        "X-Latchkey-Key": "<your-access-key>"`), 'VS Code and Cursor get headers');
  t.notOk(connectText.includes('needs no API key'), 'the URL-only sentence is gone');
  await t.rejects(connectClient(t, ws.mcpUrl), 'without a key: refused');

  const client = await connectClient(t, ws.mcpUrl, { 'X-Latchkey-Key': key });
  const listed = await client.callTool({ name: 'listItems', arguments: {} });
  t.notOk(listed.isError, 'a tool call with the key');
  t.same((await client.listTools()).tools.map((x) => x.name).sort(), ['getItem', 'listItems'], 'the key sees only its tools');

  // Logs: the caller is the key, by label; the caller filter narrows to it.
  await tab(page, 'Logs').click();
  const logRow = page.getByRole('row').filter({ hasText: 'listItems' });
  await logRow.waitFor();
  t.match(await logRow.innerText(), /listItems\s+200\s+\d+ ms\s+Key “CI job”\s+live/, 'caller label and environment');
  await page.getByLabel('Caller').selectOption({ label: 'MCP URL' });
  await page.getByText('No calls match these filters').waitFor();
  await page.getByLabel('Caller').selectOption({ label: 'Key “CI job”' });
  await logRow.waitFor();
  t.pass("the caller filter finds the key's calls");

  // Revoke behind a confirmation: the very next call is refused.
  await tab(page, 'Connect').click();
  await page.getByRole('button', { name: 'Revoke key “CI job”' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke “CI job”?' });
  await confirm.getByRole('button', { name: 'Revoke key' }).click();
  await page.getByRole('heading', { name: 'No access keys yet' }).waitFor();
  t.same((await gw.api('GET', `/api/workspaces/${ws.id}/keys`)).body.keys, [], 'revoked on the server');
  await t.rejects(client.callTool({ name: 'listItems', arguments: {} }), { code: 401 }, 'the next call with the key gets 401');

  for (const name of ['Configure', 'Connect', 'Logs']) {
    await tab(page, name).click();
    await page.waitForLoadState('networkidle');
    t.notOk((await page.content()).includes(key), `the key is not in the ${name} tab's HTML`);
  }
  t.same(session.problems, [], 'no console errors');
});

/** A code for the same client and redirect URI, but a PKCE challenge of our own: the gateway's verifier will not match it. */
async function codeWithAnotherChallenge(authorizeUrl: string): Promise<string> {
  const url = new URL(authorizeUrl);
  const verifier = randomBytes(32).toString('base64url');
  url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
  url.searchParams.set('state', 'someone-else');
  const html = await (await fetch(url)).text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(
      m[1],
      m[2].replace(/&#(\d+);/g, (_x, c) => String.fromCharCode(Number(c))),
    );
  form.set('decision', 'approve');
  const approved = await fetch(new URL('/authorize', url), { method: 'POST', body: form, redirect: 'manual' });
  return new URL(approved.headers.get('location')!).searchParams.get('code')!;
}

t.test('OAuth in the console: connect, refresh, reconnect needed, a failed PKCE exchange, client credentials', async (t) => {
  // Token lifetimes on a clock the test moves, shared by the provider and the gateway.
  const clock = testClock();
  const upstream = await startTestServer({ mode: 'oauth', tokenTtlSeconds: 2, now: clock.now });
  t.teardown(() => upstream.close());
  const oauth = upstream.oauth!;
  const gw = await startGateway(t, { now: clock.now });
  const browser = await launchBrowser(t);
  const session = await openConsole(t, browser, gw);
  const { page } = session;
  const pagesSeen: string[] = [];
  const remember = async () => pagesSeen.push(await page.content());
  const notFound: string[] = [];
  page.on('console', (message) => void (message.text().includes('status of 404') && notFound.push(message.location().url)));

  // A workspace and its spec, through the console.
  await signIn(page, gw.adminToken);
  await page.getByLabel('Workspace name').fill('OAuth API');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('heading', { name: 'OAuth API', level: 1 }).waitFor();
  await page.getByRole('radio', { name: 'URL' }).check();
  await page.getByLabel('Spec URL').fill(`${upstream.url}/openapi.json`);
  await page.getByRole('button', { name: 'Import from URL' }).click();
  await page.getByRole('status').filter({ hasText: 'Imported' }).waitFor();
  const ws = (await gw.api('GET', '/api/workspaces')).body.workspaces[0] as { id: string; mcpUrl: string };

  // The OAuth card: authorization code, the issuer discovered, no client id (dynamic registration).
  await tab(page, 'Configure').click();
  await page.getByRole('radio', { name: /OAuth 2\.0/ }).check();
  t.equal(await page.getByLabel('Flow').inputValue(), 'authorization_code');
  await page.getByLabel('Issuer URL').fill(upstream.url);
  t.equal(
    await page.getByRole('textbox', { name: 'Redirect URI to register with the provider' }).inputValue(),
    `${gw.url}/oauth/callback`,
    'the redirect URI to register',
  );
  await page.getByRole('button', { name: 'Save authentication' }).click();
  await page.getByText('Not connected yet.').waitFor();
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body.oauth, {
    flow: 'authorization_code',
    issuer: `${upstream.url}/`,
    tokenUrl: `${upstream.url}/token`,
  });
  await page.getByRole('button', { name: 'Copy redirect URI' }).click();
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), `${gw.url}/oauth/callback`, 'the redirect URI copies');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await session.screenshot('oauth-card', { fullPage: true });
  await remember();

  // Connect: off to the provider, Approve, and back on Configure, connected.
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.waitForURL(`${upstream.url}/authorize?**`);
  t.equal(oauth.stats().registrations, 1, 'Latchkey registered itself');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${gw.url}/workspaces/${ws.id}/configure`);
  await page.getByRole('status').filter({ hasText: 'OAuth connected' }).waitFor();
  await page.getByText('Connected.', { exact: false }).first().waitFor();
  t.equal(new URL(page.url()).search, '', 'the callback parameters were cleaned from the address bar');
  await page.getByText('Kept sealed with the client Latchkey registered.').waitFor();
  t.equal(await tab(page, 'Configure').getAttribute('aria-selected'), 'true');
  await session.screenshot('oauth-connected', { fullPage: true });
  await remember();

  // Tool calls with the connected account, and again past the 2 s token lifetime (a refresh).
  const client = await connectClient(t, ws.mcpUrl);
  const first = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(first.isError, 'a tool call with the connected account');
  const sent = markApiRequests(upstream);
  clock.advance(2100);
  const refreshes = oauth.stats().refreshes;
  const later = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(later.isError, 'and again past the token lifetime');
  t.equal(oauth.stats().refreshes, refreshes + 1, 'the token was refreshed');
  t.same(sent(), { count: 1, withOldToken: 0 }, 'at expiry, before the call, not after the API refused the old token');
  await page.reload();
  const facts = page.locator('.oauth-facts');
  await facts.waitFor();
  t.match(
    await facts.innerText(),
    /Last refresh\s+just now[\s\S]*Last successful call\s+just now/i,
    'the health shows the refresh and the call',
  );

  // The grant is revoked at the provider: calls fail, and Configure says "Reconnect needed".
  oauth.revokeRefreshTokens();
  oauth.expireAccessTokens();
  const dead = await client.callTool({ name: 'listUsers', arguments: {} });
  t.ok(dead.isError, 'a tool call fails once the grant is gone');
  await page.reload();
  const reconnect = page.getByRole('alert').filter({ hasText: 'Reconnect needed' });
  await reconnect.waitFor();
  t.ok(await page.getByRole('button', { name: 'Connect again' }).isVisible(), 'with the Connect button');
  await session.screenshot('oauth-reconnect-needed', { fullPage: true });
  await remember();

  // A code that fails PKCE: the gateway's exchange is refused and the console shows the provider's message.
  await page.getByRole('button', { name: 'Connect again' }).click();
  await page.waitForURL(`${upstream.url}/authorize?**`);
  const foreignCode = await codeWithAnotherChallenge(page.url());
  // The provider's answer to Approve is a redirect to /oauth/callback (which a route cannot see by
  // itself: Playwright routes only the first request of a redirect chain), so the answer is taken
  // over and its Location rewritten with the other code.
  const isApprove = (url: URL) => url.origin === upstream.url && url.pathname === '/authorize';
  let replaced = 0;
  await page.route(isApprove, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const answer = await route.fetch({ maxRedirects: 0 });
    const location = new URL(answer.headers().location);
    t.equal(`${location.origin}${location.pathname}`, `${gw.url}/oauth/callback`, 'the provider sends the browser back to the callback');
    location.searchParams.set('code', foreignCode);
    replaced++;
    await route.fulfill({ status: 302, headers: { location: location.href } });
  });
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${gw.url}/workspaces/${ws.id}/configure`);
  const banner = page.getByRole('alert').filter({ hasText: 'The OAuth connection failed' });
  await banner.waitFor();
  t.match(await banner.innerText(), /PKCE verification failed: code_verifier does not match the code_challenge/, "the provider's message");
  t.equal(replaced, 1, 'the code was swapped on the way back');
  await page.unroute(isApprove);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  t.equal(await banner.count(), 0, 'the banner can be dismissed');
  await remember();

  // Connecting again for real recovers.
  await page.getByRole('button', { name: 'Connect again' }).click();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('status').filter({ hasText: 'OAuth connected' }).waitFor();
  const back = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(back.isError, 'calls work again after reconnecting');

  // Client credentials: the secret is saved, shows as "saved", and never comes back.
  await page.getByRole('button', { name: 'Change OAuth settings' }).click();
  await page.getByLabel('Flow').selectOption('client_credentials');
  await page.getByRole('textbox', { name: 'Client ID' }).fill(oauth.clientId);
  await page.getByLabel('Client secret').fill(oauth.clientSecret);
  await page.getByRole('button', { name: 'Save authentication' }).click();
  await page.getByRole('group', { name: 'Client secret' }).getByText('saved').waitFor();
  t.equal(await page.locator('input[type=password]').count(), 0, 'no field holds the secret any more');
  const machine = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(machine.isError, 'a tool call with client credentials');
  await page.reload();
  await page.getByText('Connected.').waitFor();
  await remember();

  // Disconnect behind a confirmation: the tokens are revoked and the card goes back to none.
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('dialog', { name: 'Disconnect OAuth?' }).getByRole('button', { name: 'Disconnect' }).click();
  await page.getByText('Calls go to the API without credentials.').waitFor();
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { type: 'none', saved: false });

  // No client secret or access token reached the page.
  await page.waitForLoadState('networkidle');
  await remember();
  const tokens = [
    ...new Set(
      upstream.received
        .map((r) => r.headers.authorization)
        .filter((h): h is string => Boolean(h))
        .map((h) => h.replace(/^Bearer /, '')),
    ),
  ];
  t.ok(tokens.length >= 3, `${tokens.length} access tokens seen by the upstream`);
  const secrets = [oauth.clientSecret, ...tokens];
  const responses = await session.responseBodies();
  t.ok(
    responses.some((r) => r.url.includes('/auth')),
    'the auth responses are among those checked',
  );
  t.same(
    responses.filter((r) => secrets.some((s) => r.body.includes(s))).map((r) => r.url),
    [],
    'no response the page received holds a client secret or an access token',
  );
  t.same(
    pagesSeen.filter((html) => secrets.some((s) => html.includes(s))).length,
    0,
    `none of the ${pagesSeen.length} page snapshots does either`,
  );
  // The provider's approve page has no favicon: Chromium's 404 for it is the only message allowed.
  t.same(
    [...new Set(notFound)],
    notFound.length ? [`${upstream.url}/favicon.ico`] : [],
    "nothing but the provider page's favicon was missing",
  );
  t.same(
    session.problems.filter((p) => !(notFound.length && p.includes('status of 404'))),
    [],
    'no console errors',
  );
});
