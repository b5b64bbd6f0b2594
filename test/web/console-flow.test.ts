/// <reference lib="dom" />
// The console end to end in headless Chromium, against a real gateway and the bundled test
// server: sign in, create a workspace, upload the spec by URL, save the API key, enable a write
// tool, copy the MCP URL, call a tool with the SDK client on that URL, and find the call in the
// Logs tab. Along the way: the secret never reaches the page, and the page logs no errors.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startTestServer } from '../../test-server/test-server.js';
import { launchBrowser, openConsole, signIn, type ConsoleSession } from '../helpers/browser.js';
import { waitUntil } from '../helpers/wait.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true });

t.test('from sign-in to a logged tool call, in the browser', async (t) => {
  const marker = `ts_CONSOLE_SECRET_${randomBytes(10).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'apikey', key: marker });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const browser = await launchBrowser(t);
  const session: ConsoleSession = await openConsole(t, browser, gw);
  const { page } = session;
  const pagesSeen: string[] = [];
  const remember = async () => pagesSeen.push(await page.content());

  // Sign in. The token is sent once and kept nowhere in the browser.
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  await session.screenshot('console-sign-in');
  await remember();
  await signIn(page, gw.adminToken);
  await page.getByRole('heading', { name: 'Create your first workspace' }).waitFor();
  t.pass('signed in: the empty state invites a first workspace');
  const storage = await page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie }),
  );
  t.notMatch(storage, gw.adminToken, 'the admin token is not in localStorage, sessionStorage or a readable cookie');
  const cookies = await session.context.cookies();
  t.match(cookies, [{ name: 'lk_session', httpOnly: true, sameSite: 'Strict' }], 'only the httpOnly session cookie');
  await remember();

  // A workspace, then the four tabs.
  await page.getByLabel('Workspace name').fill('Items API');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('heading', { name: 'Items API', level: 1 }).waitFor();
  t.same(await page.getByRole('tab').allInnerTexts(), ['Upload', 'Configure', 'Connect', 'Logs'], 'four real tabs, in order');
  t.equal(await tab(page, 'Upload').getAttribute('aria-selected'), 'true');
  const workspace = (await gw.api('GET', '/api/workspaces')).body.workspaces[0];
  t.match(page.url(), `/workspaces/${workspace.id}/upload`, 'the URL says where we are');

  // Upload by URL, with the progress state visible while tools are generated.
  await page.getByRole('radio', { name: 'URL' }).check();
  await page.getByLabel('Spec URL').fill(`${upstream.url}/openapi.json`);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/workspaces/*/spec', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole('button', { name: 'Import from URL' }).click();
  await page.getByRole('status').filter({ hasText: 'generating tools' }).waitFor();
  t.pass('a progress state while the spec is imported');
  release();
  const result = page.getByRole('status').filter({ hasText: 'Imported' });
  await result.waitFor();
  await page.unroute('**/api/workspaces/*/spec');
  t.match(await result.innerText(), /Imported Latchkey Test API 1\.0\.0: 5 tools/);
  t.match(await result.innerText(), /OpenAPI 3\.0\.3/);
  await page.getByRole('heading', { name: 'Current spec' }).waitFor();
  await session.screenshot('console-upload', { fullPage: true });
  await remember();

  // Configure: the base URL from the spec, the API key saved once and then shown only as "saved".
  await tab(page, 'Configure').click();
  t.equal(await page.getByLabel('API base URL').inputValue(), upstream.url, 'base URL prefilled from the spec');
  await page.getByRole('radio', { name: /API Key Header/ }).check();
  await page.getByLabel('API key', { exact: true }).fill(marker);
  await page.getByRole('button', { name: 'Save authentication' }).click();
  await page.getByText('saved', { exact: true }).waitFor();
  t.equal(await page.getByRole('textbox', { name: 'API key' }).count(), 0, 'no input holds the key any more');
  t.equal(await page.locator('input[type=password]').count(), 0, 'no password field at all');
  t.ok(await page.getByRole('group', { name: 'API key' }).getByText('saved').isVisible(), 'the key shows as saved');
  t.equal(await page.getByLabel('Header name').inputValue(), 'X-Api-Key', 'the header name came from the spec');
  t.match((await gw.api('GET', `/api/workspaces/${workspace.id}/auth`)).body, {
    type: 'api_key',
    in: 'header',
    name: 'X-Api-Key',
    saved: true,
  });
  await remember();

  // Tools: destructive and write tools are marked; enabling them in bulk asks first.
  const deleteRow = page.locator('.tool-row', { hasText: 'deleteItem' });
  t.ok(await deleteRow.getByText('Destructive').isVisible(), 'DELETE is marked destructive');
  t.ok(await page.locator('.tool-row', { hasText: 'createItem' }).getByText('Writes').isVisible(), 'POST is marked as a write');
  await page.getByRole('button', { name: 'Enable all shown' }).click();
  const confirm = page.getByRole('dialog', { name: /Enable 2 tools that change data/ });
  await confirm.waitFor();
  t.match(await confirm.innerText(), /createItem[\s\S]*deleteItem/);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'hidden' });
  t.notOk(await page.getByRole('switch', { name: 'deleteItem' }).isChecked(), 'cancelled: nothing enabled');

  await page.getByLabel('Search tools').fill('item');
  t.equal(await page.locator('.tool-row').count(), 4, 'search narrows the list');
  await page.getByLabel('Filter by method').selectOption('POST');
  t.equal(await page.locator('.tool-row').count(), 1, 'and so does the method filter');
  // Clicked, then waited for: the switch follows a mutation, not only the click.
  const createItem = page.getByRole('switch', { name: 'createItem' });
  await createItem.click();
  await waitUntil(() => createItem.isChecked(), 'the createItem switch to show enabled');
  await page.getByLabel('Filter by method').selectOption('');
  await page.getByLabel('Search tools').fill('');
  await t.resolves(
    waitUntil(
      async () =>
        (await gw.api('GET', `/api/workspaces/${workspace.id}/tools`)).body.tools.find((x: { name: string }) => x.name === 'createItem')
          .enabled,
      'createItem enabled on the server',
    ),
    'createItem enabled on the server',
  );
  await page.getByText('4 enabled').waitFor();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await session.screenshot('console-configure', { fullPage: true, forDocs: true });
  await remember();

  // Connect: copy the URL; it is all a client needs.
  await tab(page, 'Connect').click();
  await page.getByText('Your client needs no API key').waitFor();
  await page.getByRole('button', { name: 'Copy MCP URL' }).click();
  await page.getByRole('button', { name: 'Copy MCP URL: copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  t.equal(copied, workspace.mcpUrl, "the copied URL is the workspace's MCP URL");
  const connectText = await page.locator('#panel-connect').innerText();
  for (const snippet of [
    `"mcp-remote@latest",\n        "${copied}"`,
    `claude mcp add --transport http items-api ${copied}`,
    '.vscode/mcp.json',
    'Cursor',
    'Windsurf',
  ]) {
    t.ok(connectText.includes(snippet), `the Connect tab shows ${snippet.split('\n')[0]}`);
  }
  await page.getByRole('button', { name: 'Copy Claude Code snippet' }).click();
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), `claude mcp add --transport http items-api ${copied}`);
  await session.screenshot('console-connect', { fullPage: true, forDocs: true });
  await remember();

  // A real MCP client on the copied URL.
  const client = await connectClient(t, copied);
  const made = await client.callTool({ name: 'createItem', arguments: { body: { name: 'console-widget', price: 3.5 } } });
  t.notOk(made.isError, textOf(made));
  t.equal(upstream.received.at(-1)!.headers['x-api-key'], marker, 'the upstream got the key the console saved');

  // Logs: the call, newest first, with its status; the detail view shows what went upstream.
  await tab(page, 'Logs').click();
  const row = page.getByRole('row').filter({ hasText: 'createItem' });
  await row.waitFor();
  t.match(await row.innerText(), /createItem\s+201\s+\d+ ms\s+MCP URL/);
  await session.screenshot('console-logs', { forDocs: true });
  await row.getByRole('button', { name: /Details/ }).click();
  const detail = page.getByRole('dialog', { name: /createItem/ });
  await detail.waitFor();
  const detailText = await detail.innerText();
  t.match(detailText, new RegExp(`POST\\s+${upstream.url}/api/items`), 'upstream method and URL');
  t.match(detailText, /console-widget/, 'the arguments');
  t.match(detailText, /Response \(start\)[\s\S]*console-widget/, 'the start of the response');
  await remember();
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'hidden' });

  // Filters and auto-refresh: a failing call shows up by itself under "Failed".
  await page.getByLabel('Result').selectOption('error');
  await page.getByText('No calls match these filters').waitFor();
  await page.getByRole('switch', { name: 'Auto-refresh' }).check();
  const failed = await client.callTool({ name: 'getItem', arguments: { id: 'no-such-item' } });
  t.ok(failed.isError);
  await page.getByRole('row').filter({ hasText: 'getItem' }).filter({ hasText: '404' }).waitFor();
  // Export: every call the filters match, as a file the browser downloads.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
  t.match(download.suggestedFilename(), /^latchkey-logs-.+\.csv$/);
  const exported = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\r\n');
  t.match(exported[0], /^id,at,environment,tool,/, 'the CSV header');
  t.ok(
    exported.length >= 2 && exported.slice(1).every((line) => line.includes(',getItem,') && line.includes(',false,')),
    'only the failed calls, as filtered',
  );
  t.notOk(exported.join('\n').includes(marker), 'no secret in the export');
  t.pass('auto-refresh brought in the failed call');
  await page.getByRole('switch', { name: 'Auto-refresh' }).uncheck();
  await page.getByLabel('Result').selectOption('');

  // A narrow window still works: tabs reachable, nothing cut off horizontally.
  await page.setViewportSize({ width: 420, height: 900 });
  await tab(page, 'Configure').click();
  await page.getByRole('switch', { name: 'createItem' }).waitFor();
  const overflow = await page.evaluate(() => ({
    by: document.documentElement.scrollWidth - window.innerWidth,
    // The outermost elements that stick out, to say what to fix.
    culprits: Array.from(document.querySelectorAll('body *'))
      .filter(
        (el) =>
          el.getBoundingClientRect().right > window.innerWidth + 1 &&
          !(el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 1),
      )
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  }));
  t.same(overflow, { by: 0, culprits: [] }, 'no horizontal scrolling at 420 px');
  await session.screenshot('console-narrow', { fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });

  // Keyboard: arrow keys move between tabs.
  await tab(page, 'Configure').focus();
  await page.keyboard.press('ArrowRight');
  t.equal(await tab(page, 'Connect').getAttribute('aria-selected'), 'true', 'ArrowRight selects the next tab');
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Connect', 'and focuses it');

  // Rotate the URL: asks first, then the old URL stops working at once.
  await page.getByRole('button', { name: 'Rotate URL' }).click();
  await page.getByRole('dialog', { name: 'Rotate the MCP URL?' }).getByRole('button', { name: 'Rotate URL' }).click();
  await page.getByText('New URL ready').waitFor();
  const rotated = await page.getByRole('textbox', { name: 'MCP URL' }).inputValue();
  t.not(rotated, copied, 'a new URL is shown');
  const old = await fetch(copied, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
  });
  t.equal(old.status, 404, 'the old URL answers 404');
  await remember();

  // Rename, and a second workspace deleted behind its confirmation.
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('Workspace name').fill('Items API (prod)');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.getByRole('heading', { name: 'Items API (prod)', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'New' }).click();
  await page.getByLabel('Workspace name').fill('Scratch');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('heading', { name: 'Scratch', level: 1 }).waitFor();
  const list = page.getByRole('complementary', { name: 'Workspaces' });
  t.match(await list.innerText(), /Items API \(prod\)\s+4 \/ 5 tools enabled\s+Last call/, 'the list shows tool counts and the last call');
  t.match(await list.innerText(), /Scratch\s+No spec yet\s+No calls yet/);
  await page.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: 'Delete “Scratch”?' });
  await del.getByRole('button', { name: 'Cancel' }).click();
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 2, 'cancel keeps it');
  await page.getByRole('button', { name: 'Delete' }).click();
  await del.getByRole('button', { name: 'Delete workspace' }).click();
  await page.getByRole('heading', { name: 'Items API (prod)', level: 1 }).waitFor();
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 1, 'deleted');

  // The secret never reached the page: not in any HTML it showed, nor in any response it got.
  for (const name of ['Upload', 'Configure', 'Connect', 'Logs']) {
    await tab(page, name).click();
    await page.locator(`#panel-${name.toLowerCase()}`).waitFor();
    await page.waitForLoadState('networkidle');
    await remember();
  }
  const responses = await session.responseBodies();
  t.ok(responses.length > 20, `${responses.length} responses recorded`);
  t.ok(
    responses.some((r) => r.url.endsWith('/auth')),
    'the auth responses are among them',
  );
  t.same(
    responses.filter((r) => r.body.includes(marker)).map((r) => r.url),
    [],
    'no response the page received holds the secret',
  );
  t.same(pagesSeen.filter((html) => html.includes(marker)).length, 0, `none of the ${pagesSeen.length} page snapshots holds the secret`);
  t.same(
    responses.filter((r) => r.body.includes(gw.adminToken)).map((r) => r.url),
    [],
    'nor the admin token',
  );

  // Sign out: back to the form, and the cookie no longer opens the API.
  const cookie = (await session.context.cookies())[0];
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin token').waitFor();
  t.same(await session.context.cookies(), [], 'the cookie is gone');
  const replay = await fetch(`${gw.url}/api/workspaces`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
  t.equal(replay.status, 401, 'a copy of the old cookie is refused');
  await page.reload();
  await page.getByLabel('Admin token').waitFor();

  t.same(session.problems, [], 'no console errors or warnings on any page');
});
