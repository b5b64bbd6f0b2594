import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { errorChain, type Store, type Tables } from '../client.js';
import { unnestInsert } from '../unnest-insert.js';

type CallLogs = Tables['callLogs'];
export type CallLogRow = CallLogs['$inferSelect'];
export type NewCallLog = CallLogs['$inferInsert'];
/** A row to insert: `at` may be milliseconds since the epoch (the gateway's records), formatted here, off the hot path. */
export type CallLogInsert = Omit<NewCallLog, 'at'> & { at: string | number };

export interface CallLogQuery {
  limit: number;
  /** Only entries older than this id (the previous page's last id). */
  before?: number;
  tool?: string;
  ok?: boolean;
  caller?: string;
  environment?: string;
}

const toRow = (r: CallLogInsert) => ({
  workspaceId: r.workspaceId,
  at: typeof r.at === 'number' ? new Date(r.at).toISOString() : r.at,
  tool: r.tool,
  method: r.method ?? null,
  url: r.url ?? null,
  status: r.status ?? null,
  ok: r.ok,
  durationMs: r.durationMs,
  error: r.error ?? null,
  caller: r.caller ?? 'url',
  callerLabel: r.callerLabel ?? null,
  environment: r.environment ?? 'live',
  userAgent: r.userAgent ?? null,
  arguments: r.arguments ?? null,
  responseExcerpt: r.responseExcerpt ?? null,
});

/** How one batch is stored: all at once, or (when that fails) row by row. */
interface BatchWriter {
  all(rows: CallLogInsert[]): Promise<void>;
  one(row: CallLogInsert): Promise<void>;
}

/** SQLite: a prepared statement in one transaction; the query builder cost more per row than SQLite's insert itself. */
function sqliteWriter(store: Store): BatchWriter {
  const insert = store.sqlite!.prepare(
    `insert into call_logs (workspace_id, at, tool, method, url, status, ok, duration_ms, error, caller, caller_label, environment, user_agent, arguments, response_excerpt)
     values (@workspaceId, @at, @tool, @method, @url, @status, @ok, @durationMs, @error, @caller, @callerLabel, @environment, @userAgent, @arguments, @responseExcerpt)`,
  );
  const run = (r: CallLogInsert) => insert.run({ ...toRow(r), ok: r.ok ? 1 : 0 });
  const all = store.sqlite!.transaction((rows: CallLogInsert[]) => rows.forEach(run));
  return { all: async (rows) => all(rows), one: async (row) => void run(row) };
}

/**
 * PostgreSQL: the batch in one statement (unnest-insert.ts). On the main thread, so its cost is
 * the event loop's: drizzle's multi-row insert cost the gateway ~0.3 ms of CPU per logged call.
 */
function postgresWriter({ db, t }: Store): BatchWriter {
  const columns = Object.keys(toRow({ workspaceId: '', at: 0, tool: '', ok: true, durationMs: 0 }));
  const insert = (rows: CallLogInsert[]) => db.execute(unnestInsert(t.callLogs as unknown as PgTable, rows.map(toRow), columns));
  return { all: async (rows) => void (await insert(rows)), one: async (row) => void (await insert([row])) };
}

/** A row whose workspace is gone (SQLite, PostgreSQL): the only failure a row is dropped for. */
function isForeignKeyViolation(err: unknown): boolean {
  for (const e of errorChain(err)) if (e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || e.code === '23503') return true;
  return false;
}

export function createCallLogsRepository(store: Store) {
  const { db, t } = store;
  const { callLogs } = t;
  let writer: BatchWriter | undefined;

  return {
    /**
     * Many entries in one transaction: the log writer batches them off the hot path. If the batch
     * fails (a workspace deleted while its calls were queued), rows are retried one by one and
     * those whose workspace is gone are dropped; answers how many were dropped. Any other failure
     * (the database unreachable) is thrown: the batch is kept by the caller, not lost.
     */
    async insertMany(rows: CallLogInsert[]): Promise<number> {
      if (rows.length === 0) return 0;
      writer ??= store.dialect === 'sqlite' ? sqliteWriter(store) : postgresWriter(store);
      try {
        await writer.all(rows);
        return 0;
      } catch {
        let dropped = 0;
        for (const row of rows) {
          try {
            await writer.one(row);
          } catch (err) {
            if (!isForeignKeyViolation(err)) throw err;
            dropped++;
          }
        }
        return dropped;
      }
    },

    /**
     * Newest first, a page at a time by id (keyset: the index on workspace and id finds the page
     * however many rows there are); one more than `limit` is read so the caller knows whether a
     * next page exists.
     */
    async page(workspaceId: string, q: CallLogQuery): Promise<CallLogRow[]> {
      const conditions: SQL[] = [eq(callLogs.workspaceId, workspaceId)];
      if (q.before !== undefined) conditions.push(lt(callLogs.id, q.before));
      if (q.tool !== undefined) conditions.push(eq(callLogs.tool, q.tool));
      if (q.ok !== undefined) conditions.push(eq(callLogs.ok, q.ok));
      if (q.caller !== undefined) conditions.push(eq(callLogs.caller, q.caller));
      if (q.environment !== undefined) conditions.push(eq(callLogs.environment, q.environment));
      // Ordered by the index's columns (the equal ones change nothing): PostgreSQL's planner then
      // walks that index for any workspace, instead of the primary key past other workspaces' rows.
      const order =
        q.tool !== undefined
          ? [desc(callLogs.workspaceId), desc(callLogs.tool), desc(callLogs.id)]
          : [desc(callLogs.workspaceId), desc(callLogs.id)];
      return db
        .select()
        .from(callLogs)
        .where(and(...conditions))
        .orderBy(...order)
        .limit(q.limit + 1);
    },

    /**
     * Deletes rows older than `before` (ISO time), at most `batch` of them, oldest first: pruning
     * in small steps keeps each transaction short beside the writer. Answers how many went.
     */
    async pruneOlderThan(before: string, batch = 5000): Promise<number> {
      const oldest = db
        .select({ workspaceId: callLogs.workspaceId, id: callLogs.id })
        .from(callLogs)
        .where(lt(callLogs.at, before))
        .orderBy(callLogs.at)
        .limit(batch);
      // By (workspace, id): PostgreSQL's primary key (SQLite finds the rows by id either way).
      const rows = await db
        .delete(callLogs)
        .where(sql`(${callLogs.workspaceId}, ${callLogs.id}) in (${oldest})`)
        .returning({ id: callLogs.id });
      return rows.length;
    },
  };
}

export type CallLogsRepository = ReturnType<typeof createCallLogsRepository>;
