import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { callLogs } from '../schema.js';

export type CallLogRow = typeof callLogs.$inferSelect;
export type NewCallLog = typeof callLogs.$inferInsert;

export interface CallLogQuery {
  limit: number;
  /** Only entries older than this id (the previous page's last id). */
  before?: number;
  tool?: string;
  ok?: boolean;
  caller?: string;
}

export function createCallLogsRepository(db: Db) {
  return {
    /** Many entries in one transaction: the log writer batches them off the hot path. */
    insertMany(rows: NewCallLog[]): void {
      if (rows.length === 0) return;
      db.transaction((tx) => {
        for (let i = 0; i < rows.length; i += 100) tx.insert(callLogs).values(rows.slice(i, i + 100)).run();
      });
    },

    /** Newest first; one more than `limit` is read so the caller knows whether a next page exists. */
    page(workspaceId: string, q: CallLogQuery): CallLogRow[] {
      const conditions: SQL[] = [eq(callLogs.workspaceId, workspaceId)];
      if (q.before !== undefined) conditions.push(lt(callLogs.id, q.before));
      if (q.tool !== undefined) conditions.push(eq(callLogs.tool, q.tool));
      if (q.ok !== undefined) conditions.push(eq(callLogs.ok, q.ok));
      if (q.caller !== undefined) conditions.push(eq(callLogs.caller, q.caller));
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
