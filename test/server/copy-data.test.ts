// copyData: every table, row for row and value for value, from an SQLite store into another
// (SQLite here, PostgreSQL too), across page boundaries; an empty target only; all or nothing.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, getTableName, isTable } from 'drizzle-orm';
import { openPostgresStore, openSqliteStore, type Store } from '../../server/db/client.js';
import { COPIED_TABLES, copyData, TargetNotEmpty, TRANSIENT_TABLES } from '../../server/db/copy-data.js';
import * as pgSchema from '../../server/db/schema-pg.js';
import { startCluster } from '../helpers/postgres.js';

function sqliteStore(t: Test): Store {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-copy-'));
  const store = openSqliteStore(dataDir);
  t.teardown(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return store;
}

const at = '2026-01-02T03:04:05.678Z';
// Sealed values are opaque text: copied byte for byte, whatever they hold.
const sealed = (n: number) => `v1.k1.${Buffer.from(`sealed ${n} ✓ \u0000\u00ff`).toString('base64')}`;
const LOG_ROWS = 257;

/** One or more rows in every table, with nulls, booleans both ways and JSON of several shapes. */
async function populate({ db, t: tb }: Store): Promise<void> {
  await db.insert(tb.settings).values([
    { key: 'vault_check', value: sealed(0) },
    { key: 'admin_token_hash', value: 'ab'.repeat(32) },
    { key: 'config_version', value: '7' },
  ]);
  for (const id of ['w1', 'w2']) {
    await db.insert(tb.workspaces).values({
      id,
      name: `Workspace ${id} – ünïcode`,
      slug: id,
      access: id === 'w1' ? 'keys' : 'url',
      rateLimit: id === 'w1' ? 0 : null,
      allowedOrigins: id === 'w1' ? ['https://uploads.example.com'] : null,
      createdAt: at,
      updatedAt: at,
    });
    await db.insert(tb.environments).values({
      workspaceId: id,
      name: 'live',
      urlTokenHash: `hash-${id}-live`,
      urlTokenSealed: sealed(1),
      baseUrlOverride: null,
      createdAt: at,
      updatedAt: at,
    });
    await db.insert(tb.specs).values({
      workspaceId: id,
      title: 'Items',
      version: '1.0',
      openapi: JSON.stringify({ openapi: '3.0.3', paths: {} }),
      sourceUrl: null,
      baseUrl: 'https://api.example.com',
      securitySchemes: [{ name: 'key', type: 'apiKey' } as never],
      warnings: [],
      uploadedAt: at,
    });
    // Enough tools to span several pages of 3.
    await db.insert(tb.tools).values(
      Array.from({ length: 8 }, (_, i) => ({
        workspaceId: id,
        name: `tool_${i}`,
        position: i,
        enabled: i % 3 !== 0,
        definition: { name: `tool_${i}`, method: 'GET', path: `/t/${i}`, nested: { list: [1, 'two', null] } } as never,
      })),
    );
    await db.insert(tb.credentials).values({
      workspaceId: id,
      environment: 'live',
      type: 'api_key',
      publicInfo: { in: 'header', name: 'X-Api-Key' } as never,
      sealed: sealed(2),
      updatedAt: at,
      health: null,
      refreshLeaseUntil: null,
      origin: 'https://api.example.com',
    });
  }
  await db.insert(tb.toolsets).values({
    id: 'ts-1',
    workspaceId: 'w1',
    name: 'Reads',
    environment: 'live',
    selection: { tools: ['tool_1'], tags: [], pathPrefixes: ['/t'] },
    urlTokenHash: 'hash-ts-1',
    urlTokenSealed: sealed(4),
    createdAt: at,
    updatedAt: at,
  });
  await db.insert(tb.environments).values({
    workspaceId: 'w1',
    name: 'test',
    urlTokenHash: 'hash-w1-test',
    urlTokenSealed: sealed(3),
    baseUrlOverride: 'https://sandbox.example.com',
    createdAt: at,
    updatedAt: at,
  });
  await db.insert(tb.credentials).values({
    workspaceId: 'w1',
    environment: 'test',
    type: 'oauth2',
    publicInfo: { flow: 'client_credentials', scopes: ['a', 'b'] } as never,
    sealed: sealed(4),
    updatedAt: at,
    health: { lastRefreshAt: at } as never,
    refreshLeaseUntil: 1_767_000_000_000,
    origin: null,
  });
  await db.insert(tb.accessKeys).values([
    {
      id: 'k1',
      workspaceId: 'w1',
      label: 'CI',
      prefix: 'lk_live_abcd',
      keyHash: 'kh1',
      scope: 'write',
      tools: null,
      environment: 'live',
      toolsetId: 'ts-1',
      createdAt: at,
      lastUsedAt: at,
      expiresAt: null,
    },
    {
      id: 'k2',
      workspaceId: 'w1',
      label: 'reader',
      prefix: 'lk_test_efgh',
      keyHash: 'kh2',
      scope: 'read',
      tools: ['tool_1', 'tool_2'],
      environment: 'test',
      toolsetId: null,
      createdAt: at,
      lastUsedAt: null,
      expiresAt: '2030-01-01T00:00:00.000Z',
    },
  ]);
  await db
    .insert(tb.oauthPending)
    .values({ stateHash: 's1', workspaceId: 'w2', environment: 'live', sessionHash: 'sh', verifierSealed: sealed(5), expiresAt: at });
  await db.insert(tb.revokedSessions).values({ sessionHash: 'r1', expiresAt: 1_767_225_600_000 });
  await db.insert(tb.rateWindows).values([
    { key: 'ws:w1', windowStart: 1_767_225_600_000, used: 12 },
    { key: 'ws:w1', windowStart: 1_767_225_660_000, used: 3 },
  ]);
  await db.insert(tb.callLogs).values(
    Array.from({ length: LOG_ROWS }, (_, i) => ({
      workspaceId: i % 2 ? 'w1' : 'w2',
      at,
      tool: `tool_${i % 8}`,
      method: 'GET',
      url: `https://api.example.com/t/${i}`,
      status: i % 5 ? 200 : 500,
      ok: i % 5 !== 0,
      durationMs: i,
      error: i % 5 ? null : 'boom',
      caller: i % 7 ? 'url' : 'k1',
      callerLabel: i % 7 ? null : 'CI',
      environment: 'live',
      userAgent: null,
      arguments: JSON.stringify({ i }),
      responseExcerpt: '{"ok":true}',
    })),
  );
}

/** Every row of every table, in key order, as the repositories would read them. */
async function dump({ db, t: tb }: Store) {
  return {
    settings: await db.select().from(tb.settings).orderBy(asc(tb.settings.key)),
    workspaces: await db.select().from(tb.workspaces).orderBy(asc(tb.workspaces.id)),
    environments: await db.select().from(tb.environments).orderBy(asc(tb.environments.workspaceId), asc(tb.environments.name)),
    accessKeys: await db.select().from(tb.accessKeys).orderBy(asc(tb.accessKeys.id)),
    toolsets: await db.select().from(tb.toolsets).orderBy(asc(tb.toolsets.id)),
    specs: await db.select().from(tb.specs).orderBy(asc(tb.specs.workspaceId)),
    tools: await db.select().from(tb.tools).orderBy(asc(tb.tools.workspaceId), asc(tb.tools.name)),
    credentials: await db.select().from(tb.credentials).orderBy(asc(tb.credentials.workspaceId), asc(tb.credentials.environment)),
    oauthPending: await db.select().from(tb.oauthPending),
    revokedSessions: await db.select().from(tb.revokedSessions),
    callLogs: await db.select().from(tb.callLogs).orderBy(asc(tb.callLogs.id)),
    rateWindows: await db.select().from(tb.rateWindows).orderBy(asc(tb.rateWindows.windowStart)),
  };
}

/** A source whose call-log ids have gaps (deleted rows), as a pruned log has. */
async function populatedSource(t: Test): Promise<Store> {
  const source = sqliteStore(t);
  await populate(source);
  source.sqlite!.exec('delete from call_logs where id % 10 = 3');
  return source;
}

async function checkCopy(t: Test, source: Store, target: Store) {
  const pages: string[] = [];
  const result = await copyData(source, target, { pageSize: 3, onProgress: (p) => void (p.done || pages.push(p.table)) });
  t.ok(result.matches, 'every count matches');
  t.same(
    result.tables.map((c) => c.table),
    COPIED_TABLES,
    'every table, in foreign-key order',
  );
  const expected = await dump(source);
  t.equal(result.tables.find((c) => c.table === 'call_logs')?.target, expected.callLogs.length);
  t.ok(pages.filter((p) => p === 'call_logs').length > 50, 'the call log was read page by page');
  t.same(await dump(target), expected, 'every row and value is identical, sealed values and call-log ids included');

  // New log rows continue after the copied ids.
  const maxId = expected.callLogs.at(-1)!.id;
  const [newest] = await target.db
    .insert(target.t.callLogs)
    .values({ workspaceId: 'w1', at, tool: 'tool_1', ok: true, durationMs: 1 })
    .returning({ id: target.t.callLogs.id });
  t.ok(newest.id > maxId, `a new row's id (${newest.id}) follows the copied ones (${maxId})`);
}

async function refusesNonEmpty(t: Test, source: Store, target: Store) {
  const before = await dump(target);
  const err = await copyData(source, target).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof TargetNotEmpty, 'refused');
  t.equal((err as TargetNotEmpty).code, 'LK_MIGRATE_TARGET_NOT_EMPTY');
  t.match((err as Error).message, /is not empty \(settings: 3, workspaces: 2, .*call_logs: \d+/, 'saying what it holds');
  t.match((err as Error).message, /nothing was changed/);
  t.same(await dump(target), before, 'the target is unchanged');
}

t.test('every table of the schema is copied', async (t) => {
  // A table added to the schema but not to copy-data.ts would be left behind by every migration.
  const tables = Object.values(pgSchema).filter(isTable).map(getTableName);
  t.same([...COPIED_TABLES, ...TRANSIENT_TABLES].sort(), tables.sort());
});

t.test('SQLite to SQLite: identical rows, continuing ids, and a second copy is refused', async (t) => {
  const source = await populatedSource(t);
  const target = sqliteStore(t);
  await checkCopy(t, source, target);
  await refusesNonEmpty(t, source, target);
});

t.test('a target holding a single settings row is refused', async (t) => {
  const source = await populatedSource(t);
  const target = sqliteStore(t);
  // What a gateway started on the new database once leaves behind.
  await target.db.insert(target.t.settings).values({ key: 'vault_check', value: 'another key' });
  await t.rejects(copyData(source, target), /is not empty \(settings: 1\)/);
  t.same((await dump(target)).workspaces, []);
});

t.test('SQLite to PostgreSQL', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());

  t.test('identical rows, the sequence moved past the copied ids, a second copy refused', async (t) => {
    const source = await populatedSource(t);
    const target = await openPostgresStore(await cluster.createDatabase());
    t.teardown(() => target.close());
    await checkCopy(t, source, target);
    await refusesNonEmpty(t, source, target);
  });

  t.test('a copy that fails midway leaves the target empty', async (t) => {
    const source = await populatedSource(t);
    const target = await openPostgresStore(await cluster.createDatabase());
    t.teardown(() => target.close());
    const failing = copyData(source, target, {
      pageSize: 3,
      onProgress: ({ table }) => {
        if (table === 'call_logs') throw new Error('the connection dropped');
      },
    });
    await t.rejects(failing, /the connection dropped/);
    const after = await dump(target);
    t.same(
      Object.values(after).map((rows) => rows.length),
      Object.values(after).map(() => 0),
      'no row of any table was kept',
    );
    const again = await copyData(source, target);
    t.ok(again.matches, 'so the copy can simply be run again');
  });
});
