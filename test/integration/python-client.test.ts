// The Python MCP SDK client (the `mcp` package, pinned) against a real gateway in both eras: in
// `legacy` mode (initialize, 2025-11-25), in `auto` mode (server/discover, then 2026-07-28) and
// pinned to 2026-07-28. It lists the tools, makes a read and a write call and gets a disabled
// tool's error (test/python/client_probe.py). It is installed on first use into a virtual
// environment under node_modules/.cache; where pip cannot install it, the test says so and skips.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';

if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'the protocol does not depend on the database: the SQLite pass runs it');
  process.exit(0);
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const PACKAGE = 'mcp==2.3.0';
const VENV = path.join(ROOT, 'node_modules/.cache/latchkey-python');
const PYTHON = path.join(VENV, 'bin/python');
const PROBE = path.join(ROOT, 'test/python/client_probe.py');

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    // No python3 at all: 'error', and no 'close' to wait for.
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: `${stderr}${String(err)}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The venv with the pinned package, made once; the reason it cannot be, otherwise. */
async function ensurePython(): Promise<string | undefined> {
  const stamp = path.join(VENV, 'latchkey-installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === PACKAGE) return undefined;
  const venv = await run('python3', ['-m', 'venv', '--clear', VENV]);
  if (venv.code !== 0) return `python3 -m venv failed: ${venv.stderr.trim().split('\n').at(-1)}`;
  // No retries: an index that cannot be reached is passed over at once, not after minutes.
  const pip = await run(path.join(VENV, 'bin/pip'), ['install', '--quiet', '--retries', '0', '--timeout', '20', PACKAGE]);
  if (pip.code !== 0) return `pip cannot install ${PACKAGE} here: ${pip.stderr.trim().split('\n').at(-1)}`;
  writeFileSync(stamp, PACKAGE);
  return undefined;
}

const missing = await ensurePython();

t.test('the Python SDK client in both eras', { skip: missing ?? false }, async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems', 'createItem'] });
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { getItem: false } })).status, 200);

  for (const [mode, version] of [
    ['legacy', '2025-11-25'],
    ['auto', '2026-07-28'],
    ['2026-07-28', '2026-07-28'],
  ] as const) {
    const probe = await run(PYTHON, [PROBE, ws.mcpUrl, mode]);
    t.equal(probe.code, 0, `${mode}: the client ran\n${probe.stderr.slice(-800)}`);
    const seen = JSON.parse(probe.stdout.trim().split('\n').at(-1) ?? '{}');
    t.equal(seen.protocolVersion, version, `${mode}: speaks ${version}`);
    t.same(seen.tools, ['listItems', 'createItem', 'listUsers'], `${mode}: the enabled tools`);
    t.equal(seen.readItems, 2, `${mode}: a read call`);
    t.equal(seen.writeError, false, `${mode}: a write call`);
    t.match(upstream.received.at(-1), { method: 'POST', path: '/api/items', body: new RegExp(`from-python-${mode}`) });
    t.match(seen.disabled, /Tool "getItem" is disabled in this workspace/, `${mode}: a disabled tool's error, in words`);
  }
});
