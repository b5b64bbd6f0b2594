// A whole install's configuration as one document: workspaces and everything under them (
// environments, toolsets, access keys as hashes, specs, tools, credentials), with every secret still sealed.
// Not in it: call logs (exported on their own), instance settings (the admin token's hash, the
// master key's check value), and what is transient (OAuth flows in progress, signed-out sessions,
// rate-limit counts). Read from one snapshot; written in one transaction into an install that has
// no workspace yet, so a failed import leaves it as it was.
import { asc, count, getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db, Store, Tables } from './client.js';

export type Row = Record<string, unknown>;

interface BackupTable {
  name: string;
  table(t: Tables): PgTable;
  key: string[];
  /** Rows a statement on import: small where a row holds a whole document. */
  batch: number;
}

// Foreign-key order: workspaces first.
const TABLES: BackupTable[] = [
  { name: 'workspaces', table: (t) => t.workspaces, key: ['id'], batch: 200 },
  { name: 'environments', table: (t) => t.environments, key: ['workspaceId', 'name'], batch: 200 },
  { name: 'toolsets', table: (t) => t.toolsets, key: ['id'], batch: 200 },
  { name: 'access_keys', table: (t) => t.accessKeys, key: ['id'], batch: 200 },
  { name: 'specs', table: (t) => t.specs, key: ['workspaceId'], batch: 1 },
  { name: 'tools', table: (t) => t.tools, key: ['workspaceId', 'name'], batch: 100 },
  { name: 'credentials', table: (t) => t.credentials, key: ['workspaceId', 'environment'], batch: 200 },
];

export const BACKUP_TABLES = TABLES.map((t) => t.name);
export type BackupTables = Record<string, Row[]>;

/** Every configuration row, table by table, as drizzle reads them (JSON columns as values). */
export async function readConfiguration(store: Store): Promise<BackupTables> {
  // SQLite: one read transaction, so every table comes from the same moment while a gateway writes.
  const snapshot = store.dialect === 'sqlite' ? store.sqlite : undefined;
  snapshot?.exec('BEGIN');
  try {
    const read = async (tx: Db) => {
      const tables: BackupTables = {};
      for (const spec of TABLES) {
        const table = spec.table(store.t);
        const columns = getTableColumns(table) as Record<string, PgColumn>;
        tables[spec.name] = (await tx
          .select()
          .from(table)
          .orderBy(...spec.key.map((k) => asc(columns[k])))) as Row[];
      }
      return tables;
    };
    // PostgreSQL: a repeatable-read transaction gives the same one snapshot.
    return snapshot
      ? await read(store.db)
      : await store.db.transaction(read, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  } finally {
    if (snapshot?.inTransaction) snapshot.exec('COMMIT');
  }
}

/** The install already has workspaces: nothing was imported. */
export class ImportTargetNotEmpty extends Error {
  override name = 'ImportTargetNotEmpty';
  constructor(
    readonly description: string,
    readonly workspaces: number,
  ) {
    super(
      `${description} already has ${workspaces} workspace(s): import restores into an install without any, so nothing was changed. Use a new DATA_DIR or database.`,
    );
  }
}

/** Writes the rows in one transaction; answers how many went into each table. */
export async function writeConfiguration(store: Store, tables: BackupTables): Promise<{ table: string; rows: number }[]> {
  return store.transaction(async (tx) => {
    const [held] = await tx.select({ n: count() }).from(store.t.workspaces);
    if (Number(held.n) > 0) throw new ImportTargetNotEmpty(store.description, Number(held.n));
    const written: { table: string; rows: number }[] = [];
    for (const spec of TABLES) {
      const rows = tables[spec.name] ?? [];
      for (let i = 0; i < rows.length; i += spec.batch) await tx.insert(spec.table(store.t)).values(rows.slice(i, i + spec.batch));
      written.push({ table: spec.name, rows: rows.length });
    }
    return written;
  });
}
