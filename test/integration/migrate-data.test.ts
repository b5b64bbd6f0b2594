// Moving an install (issue #12): an SQLite gateway populated through the admin API and used over
// MCP, then `npm run migrate-data -- --from DIR --to URL`, then a gateway on PostgreSQL with the
// same master key. Every workspace, tool toggle, credential, environment, key and log row is
// there, the MCP URLs are the same, and calls work. A second run into the filled database is refused.
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describePostgres } from '../../server/db/client.js';
import { COPIED_TABLES } from '../../server/db/copy-data.js';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startCluster } from '../helpers/postgres.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command as a user runs it, in an environment with no DATA_DIR, DATABASE_URL or master key. */
function migrateData(args: string[]): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() };
  const child = spawn('npm', ['run', '--silent', 'migrate-data', '--', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The counts table the command prints: table → [source, target]. */
function countsFrom(stdout: string): Map<string, [number, number]> {
  const counts = new Map<string, [number, number]>();
  for (const match of stdout.matchAll(/^ {2}([a-z_]+) +(\d+) +(\d+) +(ok|MISMATCH)$/gm))
    counts.set(match[1], [Number(match[2]), Number(match[3])]);
  return counts;
}

type Admin = (method: string, urlPath: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** The admin API with a given token (the gateways here generate theirs: its hash is one of the rows copied). */
function adminOf(gw: TestGateway, token: string): Admin {
  return async (method, urlPath, body) => {
    const res = await fetch(gw.url + urlPath, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Everything the admin API shows of an install, with the gateway's own address taken out. */
async function everything(gw: TestGateway, admin: Admin) {
  const ids = ((await admin('GET', '/api/workspaces')).body.workspaces as { id: string }[]).map((w) => w.id);
  const each = [];
  for (const id of ids) {
    const get = async (p: string) => (await admin('GET', `/api/workspaces/${id}${p}`)).body;
    // Logs first: reading them writes the calls still queued, which the other views count.
    const logs = await get('/logs?limit=200');
    const environments = await get('/environments');
    each.push({
      workspace: await get(''),
      spec: await get('/spec'),
      tools: await get('/tools'),
      environments,
      liveAuth: await get('/auth'),
      testAuth: environments.environments.some((e: { name: string }) => e.name === 'test') ? await get('/auth?environment=test') : null,
      keys: await get('/keys'),
      logs,
    });
  }
  const { workspaces } = (await admin('GET', '/api/workspaces')).body;
  return JSON.parse(JSON.stringify({ workspaces, each }).split(gw.url).join('GATEWAY'));
}

async function tableCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of COPIED_TABLES) counts[table] = Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
    return counts;
  } finally {
    await client.end();
  }
}

t.test('migrate-data from a populated SQLite install: everything is there afterwards and calls work', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  // The cluster trusts local connections, so the password is ignored; it is there to be hidden.
  const withPassword = new URL(await cluster.createDatabase());
  withPassword.password = `pw-${randomBytes(8).toString('hex')}`;
  const databaseUrl = withPassword.toString();
  const live = await startTestServer({ mode: 'apikey' });
  const sandbox = await startTestServer({ mode: 'apikey' });
  t.teardown(() => Promise.all([live.close(), sandbox.close()]));
  const masterKey = randomBytes(32).toString('base64');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-migrate-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

  // 1. An SQLite install, set up as a user would.
  const before = await startGateway(t, { dataDir, env: { DATABASE_URL: '', LATCHKEY_MASTER_KEY: masterKey, LATCHKEY_ADMIN_TOKEN: '' } });
  const adminToken = before.app.adminAuth.generatedToken!;
  t.ok(adminToken, 'the install generated its admin token');
  const a = adminOf(before, adminToken);

  const items = (await a('POST', '/api/workspaces', { name: 'Items API' })).body;
  t.equal((await a('POST', `/api/workspaces/${items.id}/spec`, { url: `${live.url}/openapi.json` })).status, 200, 'spec imported');
  t.equal((await a('PUT', `/api/workspaces/${items.id}/auth`, { type: 'api_key', value: live.key })).status, 200, 'live key saved');
  t.equal(
    (await a('POST', `/api/workspaces/${items.id}/environments`, { name: 'test', baseUrl: sandbox.url })).status,
    201,
    'test environment',
  );
  t.equal(
    (await a('PUT', `/api/workspaces/${items.id}/auth?environment=test`, { type: 'api_key', value: sandbox.key })).status,
    200,
    'test key saved',
  );
  t.equal(
    (await a('PATCH', `/api/workspaces/${items.id}/tools`, { tools: { createItem: true, listUsers: false } })).status,
    200,
    'tools toggled',
  );
  t.equal((await a('PATCH', `/api/workspaces/${items.id}`, { access: 'keys' })).status, 200, 'access keys required');
  const liveKey = (await a('POST', `/api/workspaces/${items.id}/keys`, { label: 'CI job' })).body;
  const testKey = (await a('POST', `/api/workspaces/${items.id}/keys`, { label: 'staging reader', environment: 'test', scope: 'read' }))
    .body;

  const users = (await a('POST', '/api/workspaces', { name: 'Users API' })).body;
  t.equal((await a('POST', `/api/workspaces/${users.id}/spec`, { url: `${live.url}/openapi.json` })).status, 200);
  t.equal((await a('PUT', `/api/workspaces/${users.id}/auth`, { type: 'api_key', value: live.key })).status, 200);
  t.equal((await a('PATCH', `/api/workspaces/${users.id}/tools`, { tools: { getItem: false } })).status, 200);
  const usersOnly = (await a('POST', `/api/workspaces/${users.id}/toolsets`, { name: 'Users', tags: ['users'] })).body;

  const withLiveKey = await connectClient(t, items.mcpUrl, { 'x-latchkey-key': liveKey.key });
  t.notOk(
    (await withLiveKey.callTool({ name: 'createItem', arguments: { body: { name: 'copied along' } } })).isError,
    'a write before the move',
  );
  t.notOk((await withLiveKey.callTool({ name: 'listItems', arguments: {} })).isError);
  t.ok((await withLiveKey.callTool({ name: 'getItem', arguments: { id: 'no-such-item' } })).isError, 'a failed call is logged too');
  const withTestKey = await connectClient(t, items.mcpUrl, { 'x-latchkey-key': testKey.key });
  t.notOk((await withTestKey.callTool({ name: 'listItems', arguments: {} })).isError);
  const byUrl = await connectClient(t, users.mcpUrl);
  for (let i = 0; i < 3; i++) t.notOk((await byUrl.callTool({ name: 'listUsers', arguments: {} })).isError);

  const expected = await everything(before, a);
  const logRows = expected.each.reduce((n: number, w: { logs: { items: unknown[] } }) => n + w.logs.items.length, 0);
  t.equal(logRows, 7, 'seven calls logged');
  await before.app.close();

  // 2. The copy, without the master key.
  const run = await migrateData(['--from', dataDir, '--to', databaseUrl]);
  t.comment(run.stdout.trim().split('\n').slice(-22).join('\n'));
  t.equal(run.code, 0, `exit code 0 (stderr: ${run.stderr.trim()})`);
  t.match(run.stdout, `into ${describePostgres(databaseUrl)}`, 'says where the data goes');
  t.notOk((run.stdout + run.stderr).includes(withPassword.password), 'never prints the password');
  t.notOk((run.stdout + run.stderr).includes(masterKey), 'never prints the master key');
  t.match(run.stdout, /All 12 tables match: \d+ rows copied/);
  t.match(
    run.stdout,
    /LATCHKEY_MASTER_KEY is unset: give every node, as LATCHKEY_MASTER_KEY, the key this install was started with/,
    'says which key the nodes need',
  );
  const counts = countsFrom(run.stdout);
  t.same([...counts.keys()], COPIED_TABLES, 'a count for every table');
  const toolRows = expected.each.reduce((n: number, w: { tools: { tools: unknown[] } }) => n + w.tools.tools.length, 0);
  for (const [table, rows] of Object.entries({
    workspaces: 2,
    environments: 3,
    access_keys: 2,
    toolsets: 1,
    specs: 2,
    tools: toolRows,
    credentials: 3,
    call_logs: logRows,
  })) {
    t.same(counts.get(table), [rows, rows], `${table}: ${rows} in both`);
  }
  const [settingsSource, settingsTarget] = counts.get('settings') ?? [0, -1];
  t.ok(settingsSource >= 2 && settingsTarget === settingsSource, 'settings: the admin token hash and the vault check at least');

  // 3. A gateway on PostgreSQL with the same master key, and nothing of the old data dir.
  const after = await startGateway(t, { env: { DATABASE_URL: databaseUrl, LATCHKEY_MASTER_KEY: masterKey, LATCHKEY_ADMIN_TOKEN: '' } });
  t.equal(after.app.store.dialect, 'postgres');
  t.equal(after.app.adminAuth.generatedToken, undefined, 'no new admin token: the copied one stands');
  const b = adminOf(after, adminToken);
  const found = await everything(after, b);
  t.same(found, expected, 'every workspace, spec, tool toggle, environment, credential view, key and log row, as before');
  const mcpUrls = (all: { each: { workspace: { mcpUrls: Record<string, string> } }[] }) =>
    all.each.flatMap((w) => Object.values(w.workspace.mcpUrls));
  t.equal(mcpUrls(found).length, 3);
  t.ok(
    mcpUrls(found).every((url) => /^GATEWAY\/mcp\/\S{20,}$/.test(url)),
    'three MCP URLs, each with its token',
  );
  t.same(mcpUrls(found), mcpUrls(expected), 'MCP URLs unchanged but for the host');
  t.same(
    found.each.map((w: { liveAuth: { saved: boolean }; testAuth: { saved: boolean } | null }) => [
      w.liveAuth.saved,
      w.testAuth?.saved ?? 'no test environment',
    ]),
    [
      [true, true],
      [true, 'no test environment'],
    ],
    'credentials saved where they were',
  );

  // Calls: the sealed credentials open with the same key, the access keys and URL tokens still match.
  const onB = (url: string) => url.replace(before.url, after.url);
  const liveBefore = live.received.length;
  const liveAfter = await connectClient(t, onB(items.mcpUrl), { 'x-latchkey-key': liveKey.key });
  const listed = await liveAfter.callTool({ name: 'listItems', arguments: { q: 'copied along' } });
  t.notOk(listed.isError, `the live key calls through PostgreSQL: ${textOf(listed).slice(0, 200)}`);
  t.match(textOf(listed), 'copied along', 'the upstream answered');
  t.equal(live.received.at(-1)!.headers['x-api-key'], live.key, 'with the live credentials, opened after the copy');
  t.ok(live.received.length > liveBefore);
  const names = (await liveAfter.listTools()).tools.map((tool) => tool.name);
  t.ok(names.includes('createItem') && !names.includes('listUsers'), 'tool toggles kept');
  const testAfter = await connectClient(t, onB(items.mcpUrl), { 'x-latchkey-key': testKey.key });
  t.notOk((await testAfter.callTool({ name: 'listItems', arguments: {} })).isError, 'the test key works');
  t.equal(sandbox.received.at(-1)!.headers['x-api-key'], sandbox.key, 'with the test credentials, to the test base URL');
  const toolsetAfter = await connectClient(t, onB(usersOnly.mcpUrl));
  t.same(
    (await toolsetAfter.listTools()).tools.map((tool) => tool.name),
    ['listUsers'],
    "a toolset's URL, sealed token and all, works after the move",
  );
  const urlAfter = await connectClient(t, onB(users.mcpUrl));
  t.notOk((await urlAfter.callTool({ name: 'listUsers', arguments: {} })).isError, 'the opaque URL works');
  t.notOk(
    (await urlAfter.listTools()).tools.some((tool) => tool.name === 'getItem'),
    'its toggles too',
  );

  const copiedIds = expected.each.flatMap((w: { logs: { items: { id: string }[] } }) => w.logs.items.map((i) => Number(i.id)));
  const newLogs = (await b('GET', `/api/workspaces/${items.id}/logs?limit=200`)).body.items as { id: string }[];
  t.equal(newLogs.length, expected.each[0].logs.items.length + 2, 'the new calls are logged beside the copied ones');
  t.ok(Number(newLogs[0].id) > Math.max(...copiedIds), 'new log ids continue after the copied ones');

  // 4. A second run into the now non-empty database is refused and changes nothing.
  const countsBefore = await tableCounts(databaseUrl);
  const again = await migrateData(['--from', dataDir, '--to', databaseUrl]);
  t.equal(again.code, 1, 'exit code 1');
  t.match(again.stderr, /is not empty \(settings: \d+, workspaces: 2, .*call_logs: \d+/, 'says what the database holds');
  t.match(again.stderr, /nothing was changed/);
  t.notMatch(again.stdout, /tables match/);
  t.notOk((again.stdout + again.stderr).includes(withPassword.password), 'nor the password there');
  t.same(await tableCounts(databaseUrl), countsBefore, 'no row added or removed');
});

t.test('an install whose key is DATA_DIR/master.key: the printed hint is what the nodes need', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  const databaseUrl = await cluster.createDatabase();
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-migrate-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // No LATCHKEY_MASTER_KEY: the gateway generates DATA_DIR/master.key, the default install.
  const before = await startGateway(t, { dataDir, env: { DATABASE_URL: '', LATCHKEY_MASTER_KEY: '' } });
  const ws = (await before.api('POST', '/api/workspaces', { name: 'Items API' })).body;
  await before.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.equal((await before.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: upstream.key })).status, 200);
  await before.app.close();

  const run = await migrateData(['--from', dataDir, '--to', databaseUrl]);
  t.equal(run.code, 0, `exit code 0 (stderr: ${run.stderr.trim()})`);
  const hint = /^ {2}LATCHKEY_MASTER_KEY="\$\(cat '(.+)'\)"$/m.exec(run.stdout);
  t.ok(hint, 'prints the command that gives the nodes the key');
  t.equal(hint?.[1], path.join(dataDir, 'master.key'), "naming the install's key file");
  const keyText = readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim();
  t.notOk(run.stdout.includes(keyText), 'not the key itself');

  const after = await startGateway(t, { env: { DATABASE_URL: databaseUrl, LATCHKEY_MASTER_KEY: keyText } });
  t.match((await after.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { type: 'api_key', saved: true });
  const client = await connectClient(t, ws.mcpUrl.replace(before.url, after.url));
  t.notOk((await client.callTool({ name: 'listItems', arguments: {} })).isError, 'the credentials open with the key from the file');
  t.equal(upstream.received.at(-1)!.headers['x-api-key'], upstream.key);
});
