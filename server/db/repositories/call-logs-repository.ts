import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { callLogs } from '../schema.js';

export type CallLogRow = typeof callLogs.$inferSelect;
export type NewCallLog = typeof callLogs.$inferInsert;
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

export function createCallLogsRepository(db: Db) {
  // A prepared statement: the query builder cost more per row than SQLite's insert itself.
  const insert = db.$client.prepare(
    `insert into call_logs (workspace_id, at, tool, method, url, status, ok, duration_ms, error, caller, caller_label, environment, user_agent, arguments, response_excerpt)
     values (@workspaceId, @at, @tool, @method, @url, @status, @ok, @durationMs, @error, @caller, @callerLabel, @environment, @userAgent, @arguments, @responseExcerpt)`,
  );
  const params = (r: CallLogInsert) => ({
    workspaceId: r.workspaceId,
    at: typeof r.at === 'number' ? new Date(r.at).toISOString() : r.at,
    tool: r.tool,
    method: r.method ?? null,
    url: r.url ?? null,
    status: r.status ?? null,
    ok: r.ok ? 1 : 0,
    durationMs: r.durationMs,
    error: r.error ?? null,
    caller: r.caller ?? 'url',
    callerLabel: r.callerLabel ?? null,
    environment: r.environment ?? 'live',
    userAgent: r.userAgent ?? null,
    arguments: r.arguments ?? null,
    responseExcerpt: r.responseExcerpt ?? null,
  });
  const insertAll = db.$client.transaction((rows: CallLogInsert[]) => {
    for (const row of rows) insert.run(params(row));
  });

  return {
    /**
     * Many entries in one transaction: the log writer batches them off the hot path. If the batch
     * fails (a workspace deleted while its calls were queued), rows are retried one by one and
     * those that still fail are dropped; answers how many were dropped.
     */
    insertMany(rows: CallLogInsert[]): number {
      if (rows.length === 0) return 0;
      try {
        insertAll(rows);
        return 0;
      } catch {
        let dropped = 0;
        for (const row of rows) {
          try {
            insert.run(params(row));
          } catch {
            dropped++;
          }
        }
        return dropped;
      }
    },

    /** Newest first; one more than `limit` is read so the caller knows whether a next page exists. */
    page(workspaceId: string, q: CallLogQuery): CallLogRow[] {
      const conditions: SQL[] = [eq(callLogs.workspaceId, workspaceId)];
      if (q.before !== undefined) conditions.push(lt(callLogs.id, q.before));
      if (q.tool !== undefined) conditions.push(eq(callLogs.tool, q.tool));
      if (q.ok !== undefined) conditions.push(eq(callLogs.ok, q.ok));
      if (q.caller !== undefined) conditions.push(eq(callLogs.caller, q.caller));
      if (q.environment !== undefined) conditions.push(eq(callLogs.environment, q.environment));
      return db
        .select()
        .from(callLogs)
        .where(and(...conditions))
        .orderBy(desc(callLogs.id))
        .limit(q.limit + 1)
        .all();
    },
  };
}

export type CallLogsRepository = ReturnType<typeof createCallLogsRepository>;
