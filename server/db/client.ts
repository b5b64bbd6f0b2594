// Opens the database — SQLite in DATA_DIR by default, PostgreSQL when DATABASE_URL names one —
// and brings its schema up to date before anything uses it.
//
// The repositories are written once for both dialects. They are typed against the PostgreSQL
// schema and driver; SQLite's drizzle instance and tables (schema.ts, the same columns and
// JavaScript types) are handed to them under those types. That holds because the repositories use
// only the query-builder calls both dialects share — select/insert/update/delete, where, orderBy,
// limit, onConflict…, returning — and await them (SQLite's are thenable too). Dialect-specific
// SQL (the call log's prepared insert) asks `store.dialect` first.
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { sql } from 'drizzle-orm';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { notifyFeed, pollingFeed, type ChangeFeed, type VersionCounter } from './change-feed.js';
import * as sqliteSchema from './schema.js';
import * as pgSchema from './schema-pg.js';
import { createGate } from './sqlite-gate.js';

export type Tables = typeof pgSchema;
/** The query API both dialects share (see above). */
export type Db = NodePgDatabase<Tables>;
export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  dialect: Dialect;
  db: Db;
  t: Tables;
  /** Runs `fn` in one transaction; repositories take the `tx` it gets. Changes are announced once it commits. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Repositories call this after writing a workspace's configuration: every node's caches drop it
   * (announced at once, or when the transaction in progress commits; never if it rolls back).
   */
  changed(workspaceId: string): Promise<void>;
  /** Wraps a repository so its calls and transactions keep apart (SQLite; PostgreSQL's pool does that itself). */
  guard<R extends object>(repo: R): R;
  /** Admin changes, announced to every node; opened with `watch`. */
  changes: ChangeFeed;
  /** Resolves when the database answers; rejects (within `timeoutMs`) when it does not. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  /** For logs: where the data lives, without a password. */
  description: string;
  /** SQLite only: the connection, for prepared statements; its file. */
  sqlite?: Database.Database;
  file?: string;
}

export interface OpenOptions {
  /** False for a second connection (the call-log writer's) that the first one already migrated. */
  migrate?: boolean;
  /** Reports problems of background work (the change feed's connection, idle pool clients). */
  onError?(err: unknown, what: string): void;
  /** PostgreSQL: connections in the pool (default 10; the call-log writer's thread needs 2). */
  poolSize?: number;
}

/** migrations/ sits at the project root, both for `tsx server/…` and for the compiled `dist/server/…`. */
function migrationsFolder(dialect: Dialect): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(path.join(candidate, 'meta', '_journal.json')))
      return dialect === 'sqlite' ? candidate : path.join(candidate, 'postgres');
    dir = path.dirname(dir);
  }
  throw new Error('The migrations/ folder was not found next to the server code.');
}

/** Group and others lose every permission on an existing file; one we cannot change is left as it is. */
function makeOwnerOnly(file: string): void {
  try {
    const { mode } = statSync(file);
    if (mode & 0o077) chmodSync(file, mode & 0o700);
  } catch {
    // Absent (no -wal yet), or owned by another user: nothing this process can do about it.
  }
}

/**
 * The database holds sealed secrets, tool definitions and call logs: the owner's alone. SQLite gives
 * the -wal and -shm files the database file's mode, so the file is created 0600 before SQLite opens
 * it; files left by an older version are tightened. A data dir Latchkey creates is 0700 (one that
 * already exists keeps its mode: it may be a mount the admin set up).
 */
function prepareOwnerOnly(dataDir: string, file: string): void {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) makeOwnerOnly(each);
}

/** A counter in `settings` that every admin change bumps: what polling nodes watch. */
function versionCounter(db: Db, t: Tables): VersionCounter {
  return {
    async bump() {
      const [row] = await db
        .insert(t.settings)
        .values({ key: 'config_version', value: '1' })
        .onConflictDoUpdate({ target: t.settings.key, set: { value: sql`cast(cast(${t.settings.value} as integer) + 1 as text)` } })
        .returning({ value: t.settings.value });
      return Number(row.value);
    },
    async read() {
      const [row] = await db
        .select({ value: t.settings.value })
        .from(t.settings)
        .where(sql`${t.settings.key} = 'config_version'`);
      return Number(row?.value ?? 0);
    },
  };
}

const quiet = () => {};

// Connection-level failures: the server is down, restarting, unreachable, or dropped us.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database did not answer/i;

/** `err` and what it wraps (drizzle wraps the driver's error as `cause`), a few levels deep. */
export function* errorChain(err: unknown): Generator<{ code?: unknown; message?: unknown }> {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) yield e;
}

/** Whether `err` (or what it wraps) says the database cannot be reached, as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of errorChain(err)) {
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/**
 * Workspaces written inside a transaction are announced after it commits: another node must not
 * reload a workspace before the change is visible to it.
 */
function announcing(changes: () => ChangeFeed, run: <T>(fn: (tx: Db) => Promise<T>) => Promise<T>) {
  const inTransaction = new AsyncLocalStorage<Set<string>>();
  return {
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const touched = new Set<string>();
      const result = await inTransaction.run(touched, () => run(fn));
      for (const id of touched) await changes().announce(id);
      return result;
    },
    async changed(workspaceId: string): Promise<void> {
      const touched = inTransaction.getStore();
      if (touched) touched.add(workspaceId);
      else await changes().announce(workspaceId);
    },
  };
}

export function openSqliteStore(dataDir: string, opts: OpenOptions & { watch?: boolean } = {}): Store {
  const file = path.join(dataDir, 'latchkey.db');
  prepareOwnerOnly(dataDir, file);
  const sqlite = new Database(file);
  // WAL lets the log writer and readers work side by side; busy_timeout covers a second process.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const native = drizzleSqlite(sqlite, { schema: sqliteSchema });
  if (opts.migrate !== false) migrateSqlite(native, { migrationsFolder: migrationsFolder('sqlite') });
  const db = native as unknown as Db;
  const t = sqliteSchema as unknown as Tables;
  const gate = createGate();
  // Through the gate like any repository call: a bump must not land inside another request's transaction.
  const counter = versionCounter(db, t);
  const gated: VersionCounter = { bump: () => gate.shared(counter.bump), read: () => gate.shared(counter.read) };
  const changes = opts.watch ? pollingFeed(gated, { onError: opts.onError ?? quiet }) : pollingFeedOff();
  const { transaction, changed } = announcing(
    () => changes,
    (fn) =>
      gate.exclusive(async () => {
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(db);
          sqlite.exec('COMMIT');
          return result;
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw err;
        }
      }),
  );
  return {
    dialect: 'sqlite',
    db,
    t,
    transaction,
    changed,
    guard(repo) {
      const guarded: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(repo)) {
        guarded[name] = typeof value === 'function' ? (...args: unknown[]) => gate.shared(async () => value.apply(repo, args)) : value;
      }
      return guarded as typeof repo;
    },
    changes,
    async ping() {
      sqlite.prepare('select 1').get();
    },
    async close() {
      await changes.close();
      sqlite.close();
    },
    description: `SQLite at ${file}`,
    sqlite,
    file,
  };
}

/** The call-log writer's connection watches nothing. */
function pollingFeedOff(): ChangeFeed {
  return { announce: async () => {}, subscribe: () => {}, close: async () => {} };
}

/** host:port/database, never the user or password. */
export function describePostgres(url: string): string {
  const parsed = new URL(url);
  return `PostgreSQL at ${parsed.host}${parsed.pathname}`;
}

// Any constant will do, as long as every node uses the same one: pg_advisory_lock's key.
const MIGRATION_LOCK = 0x4c61_7463; // "Latc"

export async function openPostgresStore(url: string, opts: OpenOptions & { watch?: boolean } = {}): Promise<Store> {
  const onError = opts.onError ?? quiet;
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection emits here; unheard, it would end the process.
  pool.on('error', (err) => onError(err, 'an idle database connection'));
  // A client checked out (a transaction in progress) when the server goes away emits on itself:
  // without a listener that is an uncaught exception, and the node would die with its database.
  pool.on('connect', (client) => client.on('error', (err) => onError(err, 'a database connection')));
  const db = drizzlePg(pool, { schema: pgSchema });
  const t = pgSchema;
  if (opts.migrate !== false) {
    // Ten nodes starting at once: one applies each migration, the others wait, then find nothing to do.
    const lock = await pool.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migratePg(db, { migrationsFolder: migrationsFolder('postgres') });
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      lock.release();
    }
  }
  const changes = opts.watch
    ? notifyFeed({
        connect: async () => {
          const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
          await client.connect();
          return client;
        },
        notify: async (channel, payload) => void (await pool.query('select pg_notify($1, $2)', [channel, payload])),
        counter: versionCounter(db, t),
        nodeId: randomUUID(),
        onError,
      })
    : pollingFeedOff();
  const { transaction, changed } = announcing(
    () => changes,
    (fn) => db.transaction((tx) => fn(tx as unknown as Db)),
  );
  return {
    dialect: 'postgres',
    db,
    t,
    transaction,
    changed,
    guard: (repo) => repo,
    changes,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the database did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([pool.query('select 1'), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await changes.close();
      await pool.end();
    },
    description: describePostgres(url),
  };
}

/**
 * How many of the migrations in migrations/ the store's database has not had yet (drizzle applies
 * those newer than the last it recorded). For `latchkey doctor`: the gateway applies them at start.
 */
export async function pendingMigrations(store: Store): Promise<number> {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder(store.dialect), 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number }[];
  };
  let last = 0;
  try {
    if (store.dialect === 'postgres') {
      const result = await store.db.execute(sql`select max(created_at) as last from drizzle.__drizzle_migrations`);
      last = Number((result.rows[0] as { last?: unknown } | undefined)?.last ?? 0);
    } else {
      // The SQLite driver's own call: the store's `db` is typed for PostgreSQL (see Db above).
      const row = (store.db as unknown as { get(query: unknown): { last?: unknown } | undefined }).get(
        sql`select max(created_at) as last from __drizzle_migrations`,
      );
      last = Number(row?.last ?? 0);
    }
  } catch {
    last = 0; // no migrations table: nothing applied yet
  }
  return journal.entries.filter((entry) => entry.when > last).length;
}

export async function openStore(
  config: { dataDir: string; databaseUrl?: string },
  opts: OpenOptions & { watch?: boolean } = {},
): Promise<Store> {
  return config.databaseUrl ? openPostgresStore(config.databaseUrl, opts) : openSqliteStore(config.dataDir, opts);
}
