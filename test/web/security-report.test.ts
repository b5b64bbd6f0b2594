/// <reference lib="dom" />
// Issue 17 in the console, in headless Chromium: the import-time security report on the Upload tab
// (after an upload, and on a later visit), "No findings" for a spec without risks, and the
// Configure tab's banner when a re-upload moved the API and the saved credentials are held back.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import type { SecurityFinding, SpecSummary } from '../../server/routes/api/types.js';
import { launchBrowser, openConsole, signIn } from '../helpers/browser.js';
import { startGateway } from '../helpers/gateway.js';

const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true });

function petStore(server: string, opts: { risky: boolean }) {
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } };
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
  return JSON.stringify(
    {
      openapi: '3.0.3',
      info: { title: opts.risky ? 'Risky Pets' : 'Calm Pets', version: '1.0.0' },
      servers: [{ url: server }],
      paths: {
        '/pets': {
          get: { operationId: 'listPets', summary: 'List pets', responses: ok },
          ...(opts.risky
            ? {
                post: {
                  operationId: 'createPet',
                  summary: 'Add a pet',
                  requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
                  responses: ok,
                },
              }
            : {}),
        },
        '/pets/{id}': {
          get: { operationId: 'getPet', summary: 'One pet', parameters: id, responses: ok },
          ...(opts.risky ? { delete: { operationId: 'deletePet', summary: 'Remove a pet', parameters: id, responses: ok } } : {}),
        },
      },
      ...(opts.risky
        ? { components: { securitySchemes: { queryKey: { type: 'apiKey', in: 'query', name: 'api_key' } } }, security: [{ queryKey: [] }] }
        : {}),
    },
    null,
    2,
  );
}

async function pasteSpec(page: Page, text: string) {
  await page.getByRole('radio', { name: 'Paste' }).check();
  await page.getByLabel('Spec text (JSON or YAML)').fill(text);
  await page.getByRole('button', { name: 'Import spec' }).click();
}

/** Every finding is shown in `region`: its message, and the tools it names. */
async function expectFindings(t: Test, region: Locator, findings: SecurityFinding[]) {
  const text = await region.innerText();
  for (const finding of findings) {
    t.ok(text.includes(finding.message), `shown: ${finding.severity} ${finding.kind}`);
    for (const tool of (finding.tools ?? []).slice(0, 8)) t.ok(text.includes(tool), `  with its tool ${tool}`);
  }
  // Grouped by severity, the most severe first.
  const order = ['High', 'Medium', 'Info'].filter((label) => findings.some((f) => f.severity === label.toLowerCase()));
  const positions = order.map((label) => text.indexOf(label));
  t.ok(
    positions.every((p) => p >= 0),
    `a group per severity present (${order.join(', ')})`,
  );
  t.same(
    [...positions].sort((a, b) => a - b),
    positions,
    'high first, then medium, then info',
  );
}

t.test('the Upload tab shows the security review; the Configure tab shows held-back credentials', async (t) => {
  const gw = await startGateway(t);
  const browser = await launchBrowser(t);
  const session = await openConsole(t, browser, gw);
  const { page } = session;

  await signIn(page, gw.adminToken);
  await page.getByLabel('Workspace name').fill('Risky Pets');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('heading', { name: 'Risky Pets', level: 1 }).waitFor();
  const ws = (await gw.api('GET', '/api/workspaces')).body.workspaces[0] as { id: string };

  // A spec with writes, a key in the query string, and plain http.
  await pasteSpec(page, petStore('http://api.example.com/v1', { risky: true }));
  const result = page.getByRole('status').filter({ hasText: 'Imported Risky Pets' });
  await result.waitFor();
  const review = result.getByRole('region', { name: 'Security review' });
  await review.waitFor();
  const stored = (await gw.api('GET', `/api/workspaces/${ws.id}/spec`)).body as SpecSummary;
  const findings = stored.securityReport?.findings ?? [];
  const kinds = new Set(findings.map((f) => f.kind));
  for (const kind of ['writes', 'credential_in_query', 'plain_http'] as const) t.ok(kinds.has(kind), `the report has a "${kind}" finding`);
  t.ok(findings.find((f) => f.kind === 'writes')?.tools?.includes('deletePet'), 'the writes finding names deletePet');
  await expectFindings(t, review, findings);
  t.notOk((await review.innerText()).includes('No findings'), 'not "No findings"');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  // The picture: the import's answer at the top of the window, its review whole below.
  await result.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await session.screenshot('console-security-report', { forDocs: true });

  // On a later visit the current spec shows the same review.
  await page.reload();
  await tab(page, 'Upload').click();
  const current = page.getByRole('region', { name: 'Security review' });
  await current.waitFor();
  t.equal(await current.count(), 1, 'one review on the page');
  await expectFindings(t, current, findings);

  // Credentials saved for api.example.com; a re-upload moves the API to another host: held back.
  const secret = `sk_${randomBytes(12).toString('hex')}`;
  t.equal(
    (await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', in: 'query', name: 'api_key', value: secret })).status,
    200,
    'a key saved',
  );
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { held: false, origin: 'http://api.example.com' });

  // A calm spec (read-only, https, no scheme) on another host: "No findings", and the key is held.
  await tab(page, 'Upload').click();
  await pasteSpec(page, petStore('https://calm.example.org', { risky: false }));
  const calm = page.getByRole('status').filter({ hasText: 'Imported Calm Pets' });
  await calm.waitFor();
  const calmReview = calm.getByRole('region', { name: 'Security review' });
  await calmReview.getByText('No findings').waitFor();
  t.same((await gw.api('GET', `/api/workspaces/${ws.id}/spec`)).body.securityReport, { findings: [] }, 'the API agrees: no findings');
  t.match(
    (await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body,
    { held: true, origin: 'http://api.example.com' },
    'the saved key is held back',
  );

  await tab(page, 'Configure').click();
  const banner = page.getByRole('alert').filter({ hasText: 'saved credentials are held back' });
  await banner.waitFor();
  const bannerText = await banner.innerText();
  t.match(bannerText, /The API's address changed/, 'the banner says why');
  t.ok(bannerText.includes('http://api.example.com') && bannerText.includes('https://calm.example.org'), 'from where to where');
  await session.screenshot('console-held-credentials', { fullPage: true });
  await banner.getByRole('button', { name: /Confirm/ }).click();
  await banner.waitFor({ state: 'detached' });
  t.match(
    (await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body,
    { held: false, origin: 'https://calm.example.org' },
    'confirmed for the new origin',
  );

  // The key never reached the page.
  await page.waitForLoadState('networkidle');
  const responses = await session.responseBodies();
  t.same(
    responses.filter((r) => r.body.includes(secret)).map((r) => r.url),
    [],
    'no response the page received holds the key',
  );
  t.notOk((await page.content()).includes(secret), 'nor the page');
  t.same(session.problems, [], 'no console errors');
});
