// Upgrading keeps everything: a database written by the first schema is migrated on start, and
// its workspace, URL and sealed credentials work afterwards.
import t from 'tap';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVault } from '../../server/modules/vault/index.js';
import { hashUrlToken, newUrlToken } from '../../server/modules/workspaces/url-token.js';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

t.test('a 0000-schema database upgrades with its URL and credentials intact', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-upgrade-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

  // Only the first migration, as the first release shipped it.
  const oldMigrations = path.join(dataDir, 'migrations-0000');
  mkdirSync(path.join(oldMigrations, 'meta'), { recursive: true });
  cpSync(path.join(ROOT, 'migrations', '0000_initial.sql'), path.join(oldMigrations, '0000_initial.sql'));
  const journal = JSON.parse(readFileSync(path.join(ROOT, 'migrations', 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, 1);
  writeFileSync(path.join(oldMigrations, 'meta', '_journal.json'), JSON.stringify(journal));
  const sqlite = new Database(path.join(dataDir, 'latchkey.db'));
  migrate(drizzle(sqlite), { migrationsFolder: oldMigrations });

  const key = randomBytes(32);
  const vault = createVault(key);
  const id = 'ws-old';
  const token = newUrlToken('old');
  const now = new Date().toISOString();
  sqlite
    .prepare(
      'insert into workspaces (id, name, slug, url_token_hash, url_token_sealed, base_url_override, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(id, 'Old', 'old', hashUrlToken(token), vault.seal(token, { workspaceId: id, field: 'url-token' }), upstream.url, now, now);
  sqlite
    .prepare('insert into credentials (workspace_id, type, public_info, sealed, updated_at) values (?, ?, ?, ?, ?)')
    .run(
      id,
      'api_key',
      JSON.stringify({ in: 'header', name: 'X-Api-Key' }),
      vault.seal(JSON.stringify({ value: upstream.key }), { workspaceId: id, field: 'auth' }),
      now,
    );
  sqlite
    .prepare("insert into settings (key, value) values ('vault_check', ?)")
    .run(vault.seal('latchkey', { workspaceId: '_instance', field: 'vault-check' }));
  sqlite.close();

  const gw = await startGateway(t, { dataDir, env: { LATCHKEY_MASTER_KEY: key.toString('base64') } });
  const ws = await gw.api('GET', `/api/workspaces/${id}`);
  t.equal(ws.status, 200);
  t.match(ws.body, { name: 'Old', access: 'url', baseUrl: upstream.url, mcpUrl: `${gw.url}/mcp/${token}` }, 'the same URL');
  t.match((await gw.api('GET', `/api/workspaces/${id}/auth`)).body, { type: 'api_key', environment: 'live', saved: true });

  const spec = await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.equal(spec.status, 200);
  const client = await connectClient(t, `${gw.url}/mcp/${token}`);
  const result = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(result.isError, 'the migrated credentials open and are injected');
  t.equal(upstream.received.at(-1)!.headers['x-api-key'], upstream.key);
});

t.test("the previous release's schema (0000-0005) with a call log upgrades: rows kept, pages and retention work", async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-upgrade-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const oldMigrations = path.join(dataDir, 'migrations-0005');
  mkdirSync(path.join(oldMigrations, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(path.join(ROOT, 'migrations', 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { tag: string }) => e.tag < '0006');
  t.equal(journal.entries.length, 6, 'migrations 0000 to 0005');
  for (const e of journal.entries) cpSync(path.join(ROOT, 'migrations', `${e.tag}.sql`), path.join(oldMigrations, `${e.tag}.sql`));
  writeFileSync(path.join(oldMigrations, 'meta', '_journal.json'), JSON.stringify(journal));
  const sqlite = new Database(path.join(dataDir, 'latchkey.db'));
  migrate(drizzle(sqlite), { migrationsFolder: oldMigrations });

  const key = randomBytes(32);
  const vault = createVault(key);
  const now = Date.now();
  sqlite
    .prepare("insert into settings (key, value) values ('vault_check', ?)")
    .run(vault.seal('latchkey', { workspaceId: '_instance', field: 'vault-check' }));
  sqlite
    .prepare('insert into workspaces (id, name, slug, created_at, updated_at) values (?, ?, ?, ?, ?)')
    .run('ws-prev', 'Prev', 'prev', new Date(now).toISOString(), new Date(now).toISOString());
  const insert = sqlite.prepare('insert into call_logs (workspace_id, at, tool, ok, duration_ms) values (?, ?, ?, 1, 5)');
  for (let i = 0; i < 120; i++)
    insert.run('ws-prev', new Date(now - (i < 100 ? 40 : 1) * 86_400_000 + i).toISOString(), i < 100 ? 'old' : 'recent');
  sqlite.close();

  const gw = await startGateway(t, { dataDir, env: { LATCHKEY_MASTER_KEY: key.toString('base64') } });
  const first = await gw.api('GET', '/api/workspaces/ws-prev/logs?limit=50');
  t.equal(first.status, 200);
  t.equal(first.body.items.length, 50);
  const filtered = await gw.api('GET', '/api/workspaces/ws-prev/logs?limit=50&tool=recent');
  t.equal(filtered.body.items.length, 20, 'the tool filter finds the rows written before the upgrade');
  t.equal((await gw.app.housekeeping.runOnce()).callLogs, 100, 'retention applies to them too');
  t.equal((await gw.api('GET', '/api/workspaces/ws-prev/logs?limit=200')).body.items.length, 20);
});
