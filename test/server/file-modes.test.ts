// Issue 17: the database holds sealed secrets and call logs, so its files are the owner's alone:
// a data dir Latchkey creates is 0700, latchkey.db and its -wal/-shm are 0600 (the call-log
// writer's own connection included), and files an older version left 0644 are tightened on start.
import t from 'tap';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';
import { workspaceFor } from '../helpers/workspace.js';

// Deterministic: with the common umask 022 SQLite would create the files 0644.
const umask = process.umask(0o022);
t.teardown(() => void process.umask(umask));

const modeOf = (file: string) => statSync(file).mode & 0o777;
const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/** Tool calls through the MCP client, until the call-log writer has stored them (so the WAL exists). */
async function makeCalls(t: Parameters<typeof startGateway>[0], gw: TestGateway) {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const ws = await workspaceFor(t, gw, upstream, { name: 'Modes' });
  const client = await connectClient(t, ws.mcpUrl);
  for (let i = 0; i < 3; i++) t.notOk((await client.callTool({ name: 'listItems', arguments: {} })).isError, 'a tool call');
  const deadline = Date.now() + 30_000;
  while ((await gw.api('GET', `/api/workspaces/${ws.id}/logs`)).body.items.length < 3) {
    if (Date.now() > deadline) throw new Error('the calls were never logged');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function modesIn(dir: string) {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, octal(modeOf(path.join(dir, name)))]));
}

t.test('a fresh data dir: 0700, and every file in it 0600', async (t) => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'latchkey-modes-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = path.join(parent, 'data', 'latchkey');
  const gw = await startGateway(t, { dataDir, env: { LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true' } });
  await makeCalls(t, gw);

  const files = modesIn(dataDir);
  t.comment(JSON.stringify(files));
  t.equal(octal(modeOf(dataDir)), '0700', 'the data dir Latchkey created');
  for (const name of ['latchkey.db', 'latchkey.db-wal', 'latchkey.db-shm', 'master.key']) t.equal(files[name], '0600', name);
  t.same(
    Object.entries(files).filter(([, mode]) => mode !== '0600'),
    [],
    'no file in it is readable by others',
  );
});

t.test('files left 0644 by an older version are tightened on start; an existing data dir keeps its mode', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-modes-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  chmodSync(dataDir, 0o750);
  const first = await startGateway(t, { dataDir, env: { LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true' } });
  await makeCalls(t, first);
  // Held open by a second connection, so the -wal and -shm outlive the first gateway's close.
  const { openSqliteStore } = await import('../../server/db/client.js');
  const holder = openSqliteStore(dataDir, { migrate: false });
  t.teardown(() => holder.close());
  holder.sqlite!.prepare('select count(*) from workspaces').get();
  await first.app.close();
  for (const name of ['latchkey.db', 'latchkey.db-wal', 'latchkey.db-shm']) chmodSync(path.join(dataDir, name), 0o644);
  t.equal(octal(modeOf(path.join(dataDir, 'latchkey.db'))), '0644', 'as an older version left it');

  const second = await startGateway(t, { dataDir, env: { LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true' } });
  t.equal((await second.api('GET', '/api/workspaces')).body.workspaces.length, 1, 'the data is still there');
  const files = modesIn(dataDir);
  t.comment(JSON.stringify(files));
  for (const name of ['latchkey.db', 'latchkey.db-wal', 'latchkey.db-shm']) t.equal(files[name], '0600', `${name} tightened`);
  t.equal(octal(modeOf(dataDir)), '0750', 'the existing data dir keeps the mode its admin gave it');
});
