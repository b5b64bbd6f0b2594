// Opens the embedded SQLite database and brings its schema up to date before anything uses it.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync } from 'node:fs';
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

export function openDb(dataDir: string, opts: OpenOptions = {}): OpenedDb {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'latchkey.db');
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
