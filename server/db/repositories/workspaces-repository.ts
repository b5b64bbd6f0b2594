import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Store, Tables } from '../client.js';

export type WorkspaceRow = Tables['workspaces']['$inferSelect'];

/** A workspace with what its listings show beside it. */
export interface WorkspaceSummaryRow extends WorkspaceRow {
  specBaseUrl: string | null;
  toolCount: number;
  enabledToolCount: number;
  lastCallAt: string | null;
}

export function createWorkspacesRepository({ db, t, changed }: Store) {
  const { workspaces, specs, tools, callLogs } = t;
  const summary = {
    id: workspaces.id,
    name: workspaces.name,
    slug: workspaces.slug,
    access: workspaces.access,
    rateLimit: workspaces.rateLimit,
    toolNameBudget: workspaces.toolNameBudget,
    schemaProfile: workspaces.schemaProfile,
    toolMode: workspaces.toolMode,
    responseBudget: workspaces.responseBudget,
    allowedOrigins: workspaces.allowedOrigins,
    createdAt: workspaces.createdAt,
    updatedAt: workspaces.updatedAt,
    specBaseUrl: specs.baseUrl,
    // PostgreSQL counts in bigint, which its driver answers as a string: cast to int in both dialects.
    toolCount: sql<number>`cast((select count(*) from ${tools} where ${tools.workspaceId} = ${workspaces.id}) as integer)`,
    enabledToolCount: sql<number>`cast((select count(*) from ${tools} where ${tools.workspaceId} = ${workspaces.id} and ${eq(tools.enabled, true)}) as integer)`,
    // The newest row by id is the latest call: an index lookup, not a scan of the workspace's log.
    lastCallAt: sql<
      string | null
    >`(select ${callLogs.at} from ${callLogs} where ${callLogs.workspaceId} = ${workspaces.id} order by ${callLogs.workspaceId} desc, ${callLogs.id} desc limit 1)`,
  };
  const summaries = () => db.select(summary).from(workspaces).leftJoin(specs, eq(specs.workspaceId, workspaces.id));

  return {
    async insert(row: typeof workspaces.$inferInsert, tx: Db = db): Promise<void> {
      await tx.insert(workspaces).values(row);
    },

    async list(): Promise<WorkspaceSummaryRow[]> {
      return summaries().orderBy(asc(workspaces.createdAt), asc(workspaces.id));
    },

    async getSummary(id: string): Promise<WorkspaceSummaryRow | undefined> {
      const [row] = await summaries().where(eq(workspaces.id, id));
      return row;
    },

    async get(id: string, tx: Db = db): Promise<WorkspaceRow | undefined> {
      const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, id));
      return row;
    },

    async update(
      id: string,
      changes: Partial<
        Pick<
          WorkspaceRow,
          'name' | 'access' | 'rateLimit' | 'allowedOrigins' | 'toolNameBudget' | 'schemaProfile' | 'toolMode' | 'responseBudget'
        >
      >,
      now: string,
      tx: Db = db,
    ): Promise<boolean> {
      const rows = await tx
        .update(workspaces)
        .set({ ...changes, updatedAt: now })
        .where(eq(workspaces.id, id))
        .returning({ id: workspaces.id });
      await changed(id);
      return rows.length > 0;
    },

    async delete(id: string): Promise<boolean> {
      const rows = await db.delete(workspaces).where(eq(workspaces.id, id)).returning({ id: workspaces.id });
      await changed(id);
      return rows.length > 0;
    },
  };
}

export type WorkspacesRepository = ReturnType<typeof createWorkspacesRepository>;
