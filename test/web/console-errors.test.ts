// The console when things go wrong: a wrong admin token, too many of them, an invalid spec, a
// request forged without the CSRF token. Each shows a clear message and changes nothing.
import t from 'tap';
import { launchBrowser, openConsole, signIn } from '../helpers/browser.js';
import { startGateway } from '../helpers/gateway.js';
import { testClock } from '../helpers/clock.js';

// What Chromium logs by itself for an answer >= 400 that a test provokes on purpose.
const expectedFailure = (status: number) => (problem: string) => problem.includes(`status of ${status}`);

t.test('a wrong admin token is refused, and repeated ones are slowed down', async (t) => {
  // The lock-out runs on a clock the test moves.
  const clock = testClock();
  const gw = await startGateway(t, { now: clock.now });
  const browser = await launchBrowser(t);
  const { page, problems, context } = await openConsole(t, browser, gw);

  await signIn(page, 'not-the-admin-token');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.match(await alert.innerText(), /That is not the admin token/);
  t.equal(await page.getByLabel('Admin token').inputValue(), '', 'the field is cleared');
  t.same(await context.cookies(), [], 'no session cookie');

  // Five free attempts in all, then each wrong one locks the address out for longer.
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Admin token').fill(`wrong-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':not([aria-busy="true"])')).waitFor();
  }
  await page.getByLabel('Admin token').fill(gw.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Too many wrong tokens' }).waitFor();
  t.match(await page.getByRole('alert').innerText(), /Try again in \d+ seconds/, 'even the right token waits while locked out');
  t.same(await context.cookies(), []);

  clock.advance(2100);
  await signIn(page, gw.adminToken);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  t.pass('after the wait, the right token signs in');
  t.same(
    problems.filter((p) => !expectedFailure(401)(p) && !expectedFailure(429)(p)),
    [],
    'no other console errors',
  );
});

t.test("an invalid spec shows the parser's message and where", async (t) => {
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'Broken' });
  const browser = await launchBrowser(t);
  const { page, problems } = await openConsole(t, browser, gw);
  await signIn(page, gw.adminToken);
  await page.getByRole('heading', { name: 'Broken', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Upload an OpenAPI spec' }).waitFor();

  await page.getByRole('radio', { name: 'Paste' }).check();
  await page
    .getByLabel('Spec text (JSON or YAML)')
    .fill('openapi: 3.0.3\ninfo:\n  title: Broken\npaths:\n  /items:\n    get:\n      responses: "nope"\n');
  await page.getByRole('button', { name: 'Import spec' }).click();
  const error = page.getByRole('alert').filter({ hasText: 'The spec was not imported' });
  await error.waitFor();
  const text = await error.innerText();
  t.match(text, /not a valid OpenAPI document/, "the parser's message");
  t.match(text, /at \/(info|paths)/, 'and where, as a JSON pointer');
  t.match(text, /Nothing was changed/);
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.toolCount, 0, 'nothing imported');

  await page.getByLabel('Spec text (JSON or YAML)').fill('{ "openapi": "3.0.3", ');
  await page.getByRole('button', { name: 'Import spec' }).click();
  await error.filter({ hasText: 'neither JSON nor YAML' }).waitFor();
  t.pass('unreadable text says so');

  // A file picked from disk goes the same way (multipart).
  await page.getByRole('radio', { name: 'File' }).check();
  await page.getByLabel('Spec file').setInputFiles({
    name: 'tiny.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(
      'openapi: 3.0.3\ninfo: { title: Tiny, version: "2.1" }\nservers: [{ url: "https://api.example.com" }]\npaths:\n  /ping:\n    get: { operationId: ping, responses: { "200": { description: ok } } }\n',
    ),
  });
  await page.getByRole('status').filter({ hasText: 'Imported Tiny 2.1: 1 tool' }).waitFor();
  t.pass('a file upload imports');
  t.same(
    problems.filter((p) => !expectedFailure(422)(p)),
    [],
    'no other console errors',
  );
});

t.test('a cookie-authenticated write without the CSRF token is refused', async (t) => {
  const gw = await startGateway(t);
  const browser = await launchBrowser(t);
  const { page, context } = await openConsole(t, browser, gw);
  await signIn(page, gw.adminToken);
  await page.getByRole('heading', { name: 'Create your first workspace' }).waitFor();

  // The browser's own cookie, sent the way a forged form or script would: no CSRF header.
  const forged = await context.request.post(`${gw.url}/api/workspaces`, { data: { name: 'forged' } });
  t.equal(forged.status(), 403);
  t.match(await forged.json(), { error: { code: 'LK_CSRF_REJECTED' } });
  const fromPage = await page.evaluate(async () => {
    const res = await fetch('/api/workspaces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"forged"}',
    });
    return res.status;
  });
  t.equal(fromPage, 403, 'even from the page itself, without the header');
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 0, 'nothing was created');
  const read = await context.request.get(`${gw.url}/api/workspaces`);
  t.equal(read.status(), 200, 'reads need no CSRF token');

  // The console itself sends the token: creating through the UI works.
  await page.getByLabel('Workspace name').fill('Real');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('heading', { name: 'Real', level: 1 }).waitFor();
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 1);
});
