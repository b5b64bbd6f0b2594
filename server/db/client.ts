// Opens the embedded SQLite database and brings its schema up to date before anything uses it.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenedDb {
  db: Db;
  sqlite: Database.Database;
  file: string;
  close(): void;
}

/** migrations/ sits at the project root, both for `tsx server/…` and for the compiled `dist/server/…`. */
function migrationsFolder(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('The migrations/ folder was not found next to the server code.');
}

export interface OpenOptions {
  /** False for a second connection (the call-log writer's) that the first one already migrated. */
  migrate?: boolean;
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

export function openDb(dataDir: string, opts: OpenOptions = {}): OpenedDb {
  const file = path.join(dataDir, 'latchkey.db');
  prepareOwnerOnly(dataDir, file);
  const sqlite = new Database(file);
  // WAL lets the log writer and readers work side by side; busy_timeout covers a second process.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  if (opts.migrate !== false) migrate(db, { migrationsFolder: migrationsFolder() });
  return { db, sqlite, file, close: () => sqlite.close() };
}
