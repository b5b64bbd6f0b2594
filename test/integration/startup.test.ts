// The process as a user starts it: banner, generated admin token and master key, health, clean
// SIGTERM, and one-line refusals for bad settings and for the wrong master key.
import t from 'tap';
import { waitUntil } from '../helpers/wait.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function startServer(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { stdout: '', stderr: '', code: null };
  child.stdout.on('data', (d) => (run.stdout += d));
  child.stderr.on('data', (d) => (run.stderr += d));
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve(Object.assign(run, { code }))));
  const listening = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(run.stdout);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`exited ${run.code}: ${run.stderr}`)));
  });
  listening.catch(() => {}); // a run that is expected to fail never listens
  return { child, run, exited, listening };
}

t.test('first start generates the admin token and master key; SIGTERM closes cleanly', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-start-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = startServer({ PORT: '0', DATA_DIR: dataDir });
  t.teardown(() => first.child.kill('SIGKILL'));
  const url = await first.listening;
  // The banner's next lines: waited for, not slept on.
  await waitUntil(() => /Admin token: lka_\S+/.test(first.run.stdout), 'the admin token in the banner');
  const token = /Admin token: (lka_\S+)/.exec(first.run.stdout)?.[1];
  t.ok(token, 'the banner shows the generated admin token');
  t.equal(statSync(path.join(dataDir, 'master.key')).mode & 0o777, 0o600, 'master.key is 0600');
  t.same(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
  t.equal((await fetch(`${url}/api/workspaces`, { headers: { authorization: `Bearer ${token}` } })).status, 200, 'the token works');
  first.child.kill('SIGTERM');
  const done = await first.exited;
  t.equal(done.code, 0, 'exit 0 on SIGTERM');

  const second = startServer({ PORT: '0', DATA_DIR: dataDir });
  t.teardown(() => second.child.kill('SIGKILL'));
  const url2 = await second.listening;
  t.notMatch(second.run.stdout, /Admin token/, 'the token is shown on first start only');
  t.equal(
    (await fetch(`${url2}/api/workspaces`, { headers: { authorization: `Bearer ${token}` } })).status,
    200,
    'and still works after a restart',
  );
  second.child.kill('SIGTERM');
  t.equal((await second.exited).code, 0);

  const wrongKey = startServer({ PORT: '0', DATA_DIR: dataDir, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') });
  const refused = await wrongKey.exited;
  t.equal(refused.code, 1, 'a different master key stops start-up');
  t.match(refused.stderr, /^latchkey: The master key \(LATCHKEY_MASTER_KEY\) is not the one this data was sealed with/);
  t.equal(refused.stderr.trim().split('\n').length, 1, 'in one line');
});

t.test('bad settings stop start-up with one line, not a stack trace', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: '99999' }, /PORT must be a whole number from 0 to 65535/],
    [{ LOG_LEVEL: 'chatty' }, /LOG_LEVEL must be one of/],
    [{ LATCHKEY_MASTER_KEY: randomBytes(31).toString('base64') }, /must decode to 32 bytes, got 31/],
  ];
  for (const [env, message] of cases) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-bad-'));
    const run = await startServer({ DATA_DIR: dataDir, ...env }).exited;
    rmSync(dataDir, { recursive: true, force: true });
    t.equal(run.code, 1, JSON.stringify(env));
    t.match(run.stderr, message);
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.notMatch(run.stderr, /\bat \S+:\d+:\d+/, 'no stack trace');
  }
});

t.test('--help answers and creates nothing; an unknown argument is refused in one line', async (t) => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'lk-help-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = path.join(parent, 'data');
  const help = await startServer({ PORT: '0', DATA_DIR: dataDir }, ['--help']).exited;
  t.equal(help.code, 0);
  t.match(help.stdout, /^Latchkey: a self-hosted MCP gateway/);
  t.match(help.stdout, /DATABASE_URL/);
  t.notOk(existsSync(dataDir), 'no data directory was created');
  const wrong = await startServer({ PORT: '0', DATA_DIR: dataDir }, ['--port', '9000']).exited;
  t.equal(wrong.code, 1);
  t.equal(
    wrong.stderr,
    'latchkey: unknown argument "--port": settings come from the environment (e.g. PORT=9000 npm start); see --help.\n',
  );
  t.notOk(existsSync(dataDir));
});

t.test('npm start builds only what changed since its last build', async (t) => {
  const { isStale, PARTS } = (await import(new URL('../../scripts/start.mjs', import.meta.url).href)) as {
    isStale(root: string, part: unknown): boolean;
    PARTS: { name: string; inputs: string[]; output: string }[];
  };
  const root = mkdtempSync(path.join(os.tmpdir(), 'lk-build-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const server = PARTS.find((part) => part.name === 'server')!;
  const consolePart = PARTS.find((part) => part.name === 'console')!;
  const at = (file: string, seconds: number) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), 'x');
    utimesSync(path.join(root, file), seconds, seconds);
  };
  at('server/app.ts', 1000);
  at('web/src/main.tsx', 1000);
  t.ok(isStale(root, server), 'never built: built');
  at('dist/.build-stamp', 2000);
  at('web/dist/.build-stamp', 2000);
  utimesSync(path.join(root, 'server'), 1000, 1000);
  utimesSync(path.join(root, 'web/src'), 1000, 1000);
  utimesSync(path.join(root, 'web'), 1000, 1000);
  t.notOk(isStale(root, server), 'nothing changed since: no build');
  t.notOk(isStale(root, consolePart));
  at('web/dist/assets/index.js', 3000);
  t.notOk(isStale(root, consolePart), "the build's own output does not count as a change");
  at('server/app.ts', 3000);
  t.ok(isStale(root, server), 'a source changed: built');
  t.notOk(isStale(root, consolePart), 'the console is not rebuilt for a server change');
});
