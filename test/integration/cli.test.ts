// The `latchkey` command (issue #14): --help, one clear line and a non-zero exit for a mistake,
// and `admin-token reset` against a real data directory: the new token opens the restarted
// gateway, the old one no longer does.
import t from 'tap';
import { spawnLatchkey } from '../helpers/latchkey-cli.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { startTestServer } from '../../test-server/test-server.js';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

// Runs on SQLite files of its own; the PostgreSQL pass would only repeat it.
if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'uses a data directory of its own');
  process.exit(0);
}

/** Runs the command without blocking this process: the test server it may call lives here. */
const cli = (args: string[], env: Record<string, string> = {}) => spawnLatchkey(args, { ...process.env, ...env }).done;

async function gateway(dataDir: string): Promise<{ url: string; stdout: string; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.LATCHKEY_ADMIN_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', r));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      // The banner is one write: once its last line has ended, the admin token (if any) is there too.
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.endsWith('\n')) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(out)));
  });
  return {
    url,
    stdout: out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

t.test('--help, and a mistake answered in one line', async (t) => {
  const help = await cli(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: latchkey <command>/);
  t.match(help.stdout, /admin-token reset/);
  const wrong = await cli(['admin-token', 'rotate']);
  t.equal(wrong.code, 2);
  t.equal(wrong.stderr, 'latchkey: unknown command "admin-token rotate"; see latchkey --help.\n');
});

t.test('admin-token reset: the new token opens the restarted gateway, the old one does not', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const empty = await cli(['admin-token', 'reset'], { DATA_DIR: path.join(dataDir, 'nothing-here') });
  t.equal(empty.code, 1);
  t.match(empty.stderr, /^latchkey: No Latchkey data in .*nothing-here .*start the gateway once/);

  const first = await gateway(dataDir);
  const oldToken = /Admin token: (lka_\S+)/.exec(first.stdout)?.[1];
  t.ok(oldToken, 'the first start printed a token');
  await first.stop();

  const reset = await cli(['admin-token', 'reset'], { DATA_DIR: dataDir });
  t.equal(reset.code, 0, reset.stderr);
  const newToken = /^ {2}(lka_\S+)$/m.exec(reset.stdout)?.[1];
  t.ok(newToken && newToken !== oldToken, 'a new token, printed once');
  t.match(reset.stdout, /Restart the gateway \(every node\) to use it/);

  const second = await gateway(dataDir);
  t.teardown(() => second.stop());
  t.notMatch(second.stdout, /Admin token:/, 'the restarted gateway makes no token of its own');
  const status = async (token: string) =>
    (await fetch(`${second.url}/api/workspaces`, { headers: { authorization: `Bearer ${token}` } })).status;
  t.equal(await status(newToken!), 200, 'the new token works');
  t.equal(await status(oldToken!), 401, 'the old one no longer does');

  const fromEnv = await cli(['admin-token', 'reset'], { DATA_DIR: dataDir, LATCHKEY_ADMIN_TOKEN: 'an-admin-token-from-the-env' });
  t.equal(fromEnv.code, 1);
  t.match(fromEnv.stderr, /^latchkey: LATCHKEY_ADMIN_TOKEN is set/);
});

t.test('doctor: every check passes on a healthy install; a wrong master key and a dead API are named', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-doctor-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const none = await cli(['doctor'], { DATA_DIR: path.join(dataDir, 'nothing-here') });
  t.equal(none.code, 1);
  t.match(none.stdout, /^FAIL {2}database: no data at SQLite at .*nothing-here/m);

  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await gateway(dataDir);
  const token = /Admin token: (lka_\S+)/.exec(gw.stdout)![1];
  const api = (method: string, p: string, body?: unknown) =>
    fetch(gw.url + p, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<any>);
  const live = await api('POST', '/api/workspaces', { name: 'Items' });
  // As content: the gateway process does not fetch from private addresses by default.
  await api('POST', `/api/workspaces/${live.id}/spec`, { content: await (await fetch(`${upstream.url}/openapi.json`)).text() });
  await gw.stop();

  const healthy = await cli(['doctor'], { DATA_DIR: dataDir });
  t.equal(healthy.code, 0, healthy.stdout);
  t.match(healthy.stdout, /^ok {3}settings: every setting is valid$/m);
  t.match(healthy.stdout, /^ok {3}database: SQLite at .* answers$/m);
  t.match(healthy.stdout, /^ok {3}migrations: all applied$/m);
  t.match(healthy.stdout, /^ok {3}master key: .*master\.key opens the sealed data$/m);
  t.match(healthy.stdout, new RegExp(`^ok {3}workspace "Items" \\(live\\): ${upstream.url} answers \\(HTTP \\d+\\)$`, 'm'));
  t.match(healthy.stdout, /^Nothing wrong found\.$/m);

  await upstream.close();
  const wrongKey = Buffer.alloc(32, 7).toString('base64');
  const sick = await cli(['doctor'], { DATA_DIR: dataDir, LATCHKEY_MASTER_KEY: wrongKey });
  t.equal(sick.code, 1);
  t.match(sick.stdout, /^FAIL {2}master key: LATCHKEY_MASTER_KEY is not the key this data was sealed with/m);
  t.match(sick.stdout, /^FAIL {2}workspace "Items" \(live\): .* cannot be reached: ECONNREFUSED$/m);
  t.match(sick.stdout, /^2 problems found\.$/m);
  t.notOk(sick.stdout.includes(wrongKey) || sick.stdout.includes(token), 'no key or token printed');

  const badSetting = await cli(['doctor'], { DATA_DIR: dataDir, PORT: 'eighty' });
  t.equal(badSetting.code, 1);
  t.match(badSetting.stdout, /^FAIL {2}settings: PORT/m);
});
