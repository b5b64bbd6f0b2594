// `latchkey export` / `latchkey import` (issue #14): an install's whole configuration goes into one
// file with its secrets still sealed; a fresh install imports it and the same MCP URL, access key
// and saved API key work there. A file sealed under another master key is refused unless that
// key is given, and then its secrets are re-sealed under the new install's key. Runs in both
// passes (on PostgreSQL each install is a database of its own).
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { waitUntil } from '../helpers/wait.js';
import { besideGateway, spawnLatchkey } from '../helpers/latchkey-cli.js';
import { keyIdOf, readKeyFile } from '../../server/modules/vault/index.js';

const latchkey = (gw: Pick<TestGateway, 'dataDir' | 'config'>, args: string[], env: Record<string, string> = {}) =>
  spawnLatchkey(args, besideGateway(gw, env)).done;

t.test('export, then import into a fresh install: the same URL, access key and API key work there', async (t) => {
  const marker = `BACKUPMARK${randomBytes(6).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'apikey', key: `ts_${marker}` });
  t.teardown(() => upstream.close());
  const a = await startGateway(t);
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems'] });
  t.equal((await a.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).status, 200);
  const key = (await a.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'ci' })).body.key as string;
  t.equal((await a.api('POST', `/api/workspaces/${ws.id}/environments`, { name: 'test' })).status, 201);
  const toolset = (await a.api('POST', `/api/workspaces/${ws.id}/toolsets`, { name: 'Items', tools: ['listItems'] })).body;
  const before = (await a.api('GET', `/api/workspaces/${ws.id}`)).body;
  const token = new URL(ws.mcpUrl).pathname.split('/').pop()!;
  const toolsetToken = new URL(toolset.mcpUrl).pathname.split('/').pop()!;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'lk-backup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'backup.json');
  const exported = await latchkey(a, ['export', file]);
  t.equal(exported.code, 0, exported.stderr);
  t.match(
    exported.stdout,
    /Exported .* to .*backup\.json \([\d,]+ bytes; secrets sealed under master key [0-9a-f]{16}\):\n {2}workspaces: 1\n {2}environments: 2\n {2}toolsets: 1\n {2}access_keys: 1\n {2}specs: 1\n {2}tools: 5\n {2}credentials: 1\n/,
  );
  t.equal(statSync(file).mode & 0o777, 0o600, 'only the owner reads the file');
  const text = readFileSync(file, 'utf8');
  for (const secret of [marker, token, toolsetToken, key, a.adminToken])
    t.notOk(text.includes(secret), 'no secret, URL token, access key or admin token in the clear');
  t.equal((await latchkey(a, ['export', file])).code, 2, 'an export never overwrites a file');

  // A fresh install: started once, so it has a master key (and an admin token) of its own.
  const b = await startGateway(t);
  const refused = await latchkey(b, ['import', file]);
  t.equal(refused.code, 1);
  t.match(
    refused.stderr,
    /^latchkey: This export is sealed under master key [0-9a-f]{16}, not this install's \([0-9a-f]{16}\): give the key it was sealed with, --master-key-file FILE/,
  );
  const wrongKey = path.join(dir, 'wrong.key');
  writeFileSync(wrongKey, `${randomBytes(32).toString('base64')}\n`);
  const wrong = await latchkey(b, ['import', file, '--master-key-file', wrongKey]);
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /is not the master key the export was sealed with .*nothing was imported/);
  t.same((await b.api('GET', '/api/workspaces')).body.workspaces, [], 'the refusals imported nothing');

  const imported = await latchkey(b, ['import', file, '--master-key-file', path.join(a.dataDir, 'master.key')]);
  t.equal(imported.code, 0, imported.stderr);
  t.match(imported.stdout, /Secrets re-sealed from master key [0-9a-f]{16} to this install's/);
  const onB = ws.mcpUrl.replace(a.url, b.url);
  // The running gateway heard the import (announced) and serves the workspace.
  await waitUntil(async () => (await b.api('GET', `/api/workspaces/${ws.id}`)).status === 200, 'the imported workspace');
  const after = (await b.api('GET', `/api/workspaces/${ws.id}`)).body;
  t.same(
    {
      ...after,
      mcpUrl: after.mcpUrl.replace(b.url, ''),
      mcpUrls: Object.values(after.mcpUrls).map((u) => (u as string).replace(b.url, '')),
    },
    {
      ...before,
      mcpUrl: before.mcpUrl.replace(a.url, ''),
      mcpUrls: Object.values(before.mcpUrls).map((u) => (u as string).replace(a.url, '')),
    },
    'the workspace as it was, URL tokens included',
  );
  const client = await connectClient(t, onB, { 'x-latchkey-key': key });
  t.match(
    textOf(await client.callTool({ name: 'listItems', arguments: { limit: 1 } })),
    /"items"/,
    'the access key and the re-sealed API key work',
  );
  const viaToolset = await connectClient(t, toolset.mcpUrl.replace(a.url, b.url), { 'x-latchkey-key': key });
  t.same(
    (await viaToolset.listTools()).tools.map((tool) => tool.name),
    ['listItems'],
    "the toolset's URL, re-sealed, serves it there",
  );
  const stored = (await storedBytes(b)).toString('latin1');
  t.notOk(stored.includes(marker), 'the API key is sealed in the new install');

  const again = await latchkey(b, ['import', file, '--master-key-file', path.join(a.dataDir, 'master.key')]);
  t.equal(again.code, 1);
  t.match(again.stderr, /already has 1 workspace\(s\): import restores into an install without any, so nothing was changed/);
});

t.test('an install that never started adopts the export key; damaged files are refused', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t);
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems'] });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lk-backup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'backup.json');
  t.equal((await latchkey(a, ['export', file])).code, 0);

  const fresh = { dataDir: path.join(dir, 'fresh'), config: { ...a.config, databaseUrl: undefined as string | undefined } };
  if (a.config.databaseUrl) {
    const { testDatabaseUrl } = await import('../helpers/postgres.js');
    fresh.config.databaseUrl = await testDatabaseUrl(fresh.dataDir);
  }
  const noKey = await latchkey(fresh, ['import', file]);
  t.equal(noKey.code, 1);
  t.match(noKey.stderr, /has no key yet: give that key with --master-key-file FILE/);
  for (const [content, why] of [
    ['{not json', /is not JSON/],
    ['{"format":"something-else"}', /is not a Latchkey export/],
  ] as const) {
    const bad = path.join(dir, `bad-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(bad, content);
    const res = await latchkey(fresh, ['import', bad]);
    t.equal(res.code, 1);
    t.match(res.stderr, why);
  }
  const keyFile = path.join(a.dataDir, 'master.key');
  const done = await latchkey(fresh, ['import', file, '--master-key-file', keyFile]);
  t.equal(done.code, 0, done.stderr);
  t.match(done.stdout, /master\.key now holds the export's master key/);
  t.equal(keyIdOf(readKeyFile(path.join(fresh.dataDir, 'master.key'))), keyIdOf(readKeyFile(keyFile)));
  const b = await startGateway(t, {
    dataDir: fresh.dataDir,
    env: fresh.config.databaseUrl ? { DATABASE_URL: fresh.config.databaseUrl } : {},
  });
  const client = await connectClient(t, ws.mcpUrl.replace(a.url, b.url));
  t.match(textOf(await client.callTool({ name: 'listItems', arguments: { limit: 1 } })), /"items"/);
});
