// Copies every row of one store into another: how an SQLite install moves to PostgreSQL
// (`npm run migrate-data`). Rows go through drizzle's typed columns on both sides, so booleans and
// JSON columns convert by themselves, and sealed values are text copied as they are: the same
// master key opens them afterwards.
//
// The target must be empty, and the copy is one transaction on it: a run that fails leaves it
// empty, ready for another try. Tables are read in pages by key (keyset, not offset), so memory
// stays bounded however many call-log rows there are.
import { count, getTableColumns, gt, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db, Store, Tables } from './client.js';
import { unnestInsert } from './unnest-insert.js';

interface TableCopy {
  /** The SQL name, as printed. */
  name: string;
  table(t: Tables): PgTable;
  /** Property names of the primary key (or a unique key), the order pages are read in. */
  key: string[];
  /** Rows read and inserted at a time: small for tables whose rows hold whole documents. */
  pageSize: number;
}

// Foreign-key order: workspaces before everything that references them.
const TABLES: TableCopy[] = [
  { name: 'settings', table: (t) => t.settings, key: ['key'], pageSize: 500 },
  { name: 'workspaces', table: (t) => t.workspaces, key: ['id'], pageSize: 500 },
  { name: 'environments', table: (t) => t.environments, key: ['workspaceId', 'name'], pageSize: 500 },
  { name: 'toolsets', table: (t) => t.toolsets, key: ['id'], pageSize: 500 },
  { name: 'access_keys', table: (t) => t.accessKeys, key: ['id'], pageSize: 500 },
  // A spec row holds the whole OpenAPI document (up to LATCHKEY_MAX_SPEC_BYTES).
  { name: 'specs', table: (t) => t.specs, key: ['workspaceId'], pageSize: 4 },
  { name: 'tools', table: (t) => t.tools, key: ['workspaceId', 'name'], pageSize: 200 },
  { name: 'credentials', table: (t) => t.credentials, key: ['workspaceId', 'environment'], pageSize: 500 },
  { name: 'oauth_pending', table: (t) => t.oauthPending, key: ['stateHash'], pageSize: 500 },
  { name: 'revoked_sessions', table: (t) => t.revokedSessions, key: ['sessionHash'], pageSize: 500 },
  // Ids are kept: log cursors and links keep working. 2,000 rows of 16 columns also stay under
  // SQLite's 32,766 parameters a statement (an SQLite target).
  { name: 'call_logs', table: (t) => t.callLogs, key: ['id'], pageSize: 2000 },
  { name: 'rate_windows', table: (t) => t.rateWindows, key: ['key', 'windowStart'], pageSize: 500 },
];

export const COPIED_TABLES = TABLES.map((t) => t.name);
/** Tables not copied: what they hold lives only as long as a connection to one node (legacy SSE streams). */
export const TRANSIENT_TABLES = ['sse_streams', 'sse_messages'];

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  tables: TableCount[];
  /** Every table holds as many rows in the target as in the source. */
  matches: boolean;
}

export interface CopyOptions {
  /** After each page and once a table is done (`done`), for progress output. */
  onProgress?(progress: { table: string; copied: number; total: number; done: boolean }): void;
  /** Overrides every table's page size (tests use a small one to cross page boundaries). */
  pageSize?: number;
}

/** The target already holds rows: nothing was copied. `counts` says which tables hold what. */
export class TargetNotEmpty extends Error {
  override name = 'TargetNotEmpty';
  readonly code = 'LK_MIGRATE_TARGET_NOT_EMPTY';
  constructor(
    readonly description: string,
    readonly counts: { table: string; rows: number }[],
  ) {
    const held = counts.map((c) => `${c.table}: ${c.rows}`).join(', ');
    super(
      `The target database (${description}) is not empty (${held}). migrate-data copies into an empty database only, so nothing was changed. ` +
        'Create a new database (e.g. createdb latchkey) and pass its URL to --to.',
    );
  }
}

async function countRows(db: Db, table: PgTable): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table);
  return Number(row.n);
}

async function refuseNonEmpty(target: Store, db: Db): Promise<void> {
  const held: { table: string; rows: number }[] = [];
  for (const spec of TABLES) {
    const rows = await countRows(db, spec.table(target.t));
    if (rows > 0) held.push({ table: spec.name, rows });
  }
  if (held.length > 0) throw new TargetNotEmpty(target.description, held);
}

/** `key > last` over one column or several (a row-value comparison, which both dialects have). */
function after(columns: PgColumn[], last: Record<string, unknown>, key: string[]): SQL {
  if (columns.length === 1) return gt(columns[0], last[key[0]]);
  const values = key.map((k) => sql`${last[k]}`);
  return sql`(${sql.join(columns, sql`, `)}) > (${sql.join(values, sql`, `)})`;
}

async function copyTable(source: Store, tx: Db, target: Store, spec: TableCopy, total: number, opts: CopyOptions): Promise<void> {
  const from = spec.table(source.t);
  const into = spec.table(target.t);
  const all = getTableColumns(from) as Record<string, PgColumn>;
  const keyColumns = spec.key.map((k) => all[k]);
  const pageSize = opts.pageSize ?? spec.pageSize;
  let copied = 0;
  let last: Record<string, unknown> | undefined;
  for (;;) {
    const page: Record<string, unknown>[] = await source.db
      .select()
      .from(from)
      .where(last ? after(keyColumns, last, spec.key) : undefined)
      .orderBy(...keyColumns)
      .limit(pageSize);
    if (page.length === 0) break;
    if (target.dialect === 'postgres') await tx.execute(unnestInsert(into, page));
    else await tx.insert(into).values(page);
    copied += page.length;
    last = page[page.length - 1];
    opts.onProgress?.({ table: spec.name, copied, total, done: false });
    if (page.length < pageSize) break;
  }
  opts.onProgress?.({ table: spec.name, copied, total, done: true });
}

/**
 * Copies every table of `source` into `target`, which must hold no rows at all (TargetNotEmpty
 * otherwise), then counts both sides table by table.
 */
export async function copyData(source: Store, target: Store, opts: CopyOptions = {}): Promise<CopyResult> {
  // Checked again in the copy's transaction; first here, so that a refusal reads no source row.
  await refuseNonEmpty(target, target.db);
  // SQLite source: one read transaction for the whole copy, so every table comes from the same
  // moment even if a gateway is still writing (WAL readers see a snapshot).
  const snapshot = source.dialect === 'sqlite' && source.sqlite ? source.sqlite : undefined;
  snapshot?.exec('BEGIN');
  const sourceCounts = new Map<string, number>();
  try {
    for (const spec of TABLES) sourceCounts.set(spec.name, await countRows(source.db, spec.table(source.t)));
    await target.transaction(async (tx) => {
      await refuseNonEmpty(target, tx);
      for (const spec of TABLES) await copyTable(source, tx, target, spec, sourceCounts.get(spec.name)!, opts);
      if (target.dialect === 'postgres') {
        // Inserting ids by hand does not move the sequence: new rows must continue after the copied ones.
        await tx.execute(
          sql`select setval(pg_get_serial_sequence('call_logs', 'id'), coalesce((select max(id) from call_logs), 0) + 1, false)`,
        );
      }
    });
  } finally {
    if (snapshot?.inTransaction) snapshot.exec('COMMIT');
  }

  const tables: TableCount[] = [];
  for (const spec of TABLES) {
    tables.push({ table: spec.name, source: sourceCounts.get(spec.name)!, target: await countRows(target.db, spec.table(target.t)) });
  }
  return { tables, matches: tables.every((c) => c.source === c.target) };
}
