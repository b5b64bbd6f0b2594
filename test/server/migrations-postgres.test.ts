// A fresh PostgreSQL database is migrated on start (issue #12): every migration in
// migrations/postgres applied once, in order, and what they build is what schema-pg.ts describes,
// so the repositories' queries find their tables. PostgreSQL has had no release yet, so there is no
// upgrade from a previous schema to test here (SQLite's are in migrations.test.ts); ten nodes
// migrating at once: test/integration/cluster-failures.test.ts.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { openPostgresStore } from '../../server/db/client.js';
import * as pgSchema from '../../server/db/schema-pg.js';
import { startTestServer } from '../../test-server/test-server.js';
import { query } from '../helpers/cluster-nodes.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { startCluster } from '../helpers/postgres.js';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../migrations/postgres');
const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string; when: number }[];
};

const cluster = await startCluster();
t.teardown(() => cluster.stop());

/** Table -> "column type null|not null", sorted: as the database has it. */
async function tablesInDatabase(url: string): Promise<Record<string, string[]>> {
  const rows = await query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
    url,
    "select table_name, column_name, udt_name, is_nullable from information_schema.columns where table_schema = 'public'",
  );
  const tables: Record<string, string[]> = {};
  for (const r of rows)
    (tables[r.table_name] ??= []).push(`${r.column_name} ${r.udt_name} ${r.is_nullable === 'YES' ? 'null' : 'not null'}`);
  for (const columns of Object.values(tables)) columns.sort();
  return tables;
}

// drizzle's SQL type names -> PostgreSQL's own (udt_name).
const UDT: Record<string, string> = {
  text: 'text',
  integer: 'int4',
  serial: 'int4',
  bigint: 'int8',
  bigserial: 'int8',
  boolean: 'bool',
  jsonb: 'jsonb',
  json: 'json',
};

/** The same, as schema-pg.ts declares it. */
function tablesInSchema(): Record<string, string[]> {
  const tables: Record<string, string[]> = {};
  for (const table of Object.values(pgSchema)) {
    if (!is(table, PgTable)) continue;
    const config = getTableConfig(table);
    tables[config.name] = config.columns
      .map((c) => `${c.name} ${UDT[c.getSQLType()] ?? c.getSQLType()} ${c.notNull ? 'not null' : 'null'}`)
      .sort();
  }
  return tables;
}

t.test('a fresh database gets every migration once, in order, and the tables schema-pg.ts describes', async (t) => {
  const url = await cluster.createDatabase();
  const store = await openPostgresStore(url);
  t.teardown(() => store.close());

  const applied = async () =>
    (await query<{ hash: string; created_at: string }>(url, 'select hash, created_at from drizzle.__drizzle_migrations order by id')).map(
      (r) => [r.hash, Number(r.created_at)],
    );
  const expected = journal.entries.map((e) => [
    createHash('sha256')
      .update(readFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), 'utf8'))
      .digest('hex'),
    e.when,
  ]);
  t.ok(expected.length > 0, `${expected.length} migration(s) in the journal`);
  t.same(await applied(), expected, 'one row per migration file, with its hash, in journal order');

  const declaredTables = tablesInSchema();
  t.ok(Object.keys(declaredTables).length >= 11, `schema-pg.ts declares ${Object.keys(declaredTables).length} tables`);
  t.same(
    await tablesInDatabase(url),
    declaredTables,
    'every table and column (type, nullability) that schema-pg.ts declares, and no other',
  );
  const indexes = new Set(
    (await query<{ indexname: string }>(url, "select indexname from pg_indexes where schemaname = 'public'")).map((r) => r.indexname),
  );
  const declared = Object.values(pgSchema).flatMap((table) =>
    is(table, PgTable) ? getTableConfig(table).indexes.map((i) => i.config.name!) : [],
  );
  t.same(
    declared.filter((name) => !indexes.has(name)),
    [],
    `the ${declared.length} declared indexes exist`,
  );

  // A restart, or a second node, finds nothing left to do.
  const again = await openPostgresStore(url);
  await again.close();
  t.same(await applied(), expected, 'opening the database again applies nothing');
});

t.test('a gateway on a fresh database: workspace, spec, key and a tool call', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { DATABASE_URL: await cluster.createDatabase() } });
  t.match(gw.config.databaseUrl, /^postgres:\/\//, 'on PostgreSQL');
  t.equal((await fetch(`${gw.url}/readyz`)).status, 200, 'ready');
  const created = await gw.api('POST', '/api/workspaces', { name: 'Fresh' });
  t.equal(created.status, 201);
  t.equal((await gw.api('POST', `/api/workspaces/${created.body.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  t.equal((await gw.api('PUT', `/api/workspaces/${created.body.id}/auth`, { type: 'api_key', value: upstream.key })).status, 200);
  const client = await connectClient(t, created.body.mcpUrl);
  const result = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(result.isError, textOf(result));
  t.equal(upstream.received.at(-1)!.headers['x-api-key'], upstream.key, 'the sealed key opened and was injected');
});
