// The `latchkey` command (issue #14): --help, one clear line and a non-zero exit for a mistake,
// and `admin-token reset` against a real data directory: the new token opens the restarted
// gateway, the old one no longer does.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

// Runs on SQLite files of its own; the PostgreSQL pass would only repeat it.
if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'uses a data directory of its own');
  process.exit(0);
}

function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['bin/latchkey.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

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
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(out)));
  });
  await new Promise((r) => setTimeout(r, 50)); // the banner's next lines
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
  const help = cli(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: latchkey <command>/);
  t.match(help.stdout, /admin-token reset/);
  const wrong = cli(['admin-token', 'rotate']);
  t.equal(wrong.code, 2);
  t.equal(wrong.stderr, 'latchkey: unknown command "admin-token rotate"; see latchkey --help.\n');
});

t.test('admin-token reset: the new token opens the restarted gateway, the old one does not', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const empty = cli(['admin-token', 'reset'], { DATA_DIR: path.join(dataDir, 'nothing-here') });
  t.equal(empty.code, 1);
  t.match(empty.stderr, /^latchkey: No Latchkey data in .*nothing-here .*start the gateway once/);

  const first = await gateway(dataDir);
  const oldToken = /Admin token: (lka_\S+)/.exec(first.stdout)?.[1];
  t.ok(oldToken, 'the first start printed a token');
  await first.stop();

  const reset = cli(['admin-token', 'reset'], { DATA_DIR: dataDir });
  t.equal(reset.code, 0, reset.stderr);
  const newToken = /^ {2}(lka_\S+)$/m.exec(reset.stdout)?.[1];
  t.ok(newToken && newToken !== oldToken, 'a new token, printed once');
  t.match(reset.stdout, /Restart the gateway \(every node\) to use it/);

  const second = await gateway(dataDir);
  t.teardown(() => second.stop());
  t.notMatch(second.stdout, /Admin token:/, 'the restarted gateway makes no token of its own');
  const status = async (token: string) => (await fetch(`${second.url}/api/workspaces`, { headers: { authorization: `Bearer ${token}` } })).status;
  t.equal(await status(newToken!), 200, 'the new token works');
  t.equal(await status(oldToken!), 401, 'the old one no longer does');

  const fromEnv = cli(['admin-token', 'reset'], { DATA_DIR: dataDir, LATCHKEY_ADMIN_TOKEN: 'an-admin-token-from-the-env' });
  t.equal(fromEnv.code, 1);
  t.match(fromEnv.stderr, /^latchkey: LATCHKEY_ADMIN_TOKEN is set/);
});
