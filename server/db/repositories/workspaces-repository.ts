import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { callLogs, specs, tools, workspaces } from '../schema.js';

export type WorkspaceRow = typeof workspaces.$inferSelect;

/** A workspace with what its listings show beside it. */
export interface WorkspaceSummaryRow extends WorkspaceRow {
  specBaseUrl: string | null;
  toolCount: number;
  enabledToolCount: number;
  lastCallAt: string | null;
}

export function createWorkspacesRepository(db: Db) {
  const summary = {
    id: workspaces.id,
    name: workspaces.name,
    slug: workspaces.slug,
    access: workspaces.access,
    rateLimit: workspaces.rateLimit,
    allowedOrigins: workspaces.allowedOrigins,
    createdAt: workspaces.createdAt,
    updatedAt: workspaces.updatedAt,
    specBaseUrl: specs.baseUrl,
    toolCount: sql<number>`(select count(*) from ${tools} where ${tools.workspaceId} = ${workspaces.id})`,
    enabledToolCount: sql<number>`(select count(*) from ${tools} where ${tools.workspaceId} = ${workspaces.id} and ${tools.enabled} = 1)`,
    lastCallAt: sql<string | null>`(select max(${callLogs.at}) from ${callLogs} where ${callLogs.workspaceId} = ${workspaces.id})`,
  };

  return {
    insert(row: typeof workspaces.$inferInsert, tx: Db = db): void {
      tx.insert(workspaces).values(row).run();
    },

    list(): WorkspaceSummaryRow[] {
      return db.select(summary).from(workspaces).leftJoin(specs, eq(specs.workspaceId, workspaces.id)).orderBy(workspaces.createdAt).all();
    },

    getSummary(id: string): WorkspaceSummaryRow | undefined {
      return db.select(summary).from(workspaces).leftJoin(specs, eq(specs.workspaceId, workspaces.id)).where(eq(workspaces.id, id)).get();
    },

    get(id: string): WorkspaceRow | undefined {
      return db.select().from(workspaces).where(eq(workspaces.id, id)).get();
    },

    update(id: string, changes: Partial<Pick<WorkspaceRow, 'name' | 'access' | 'rateLimit' | 'allowedOrigins'>>, now: string, tx: Db = db): boolean {
      return tx.update(workspaces).set({ ...changes, updatedAt: now }).where(eq(workspaces.id, id)).run().changes > 0;
    },

    delete(id: string): boolean {
      return db.delete(workspaces).where(eq(workspaces.id, id)).run().changes > 0;
    },
  };
}

export type WorkspacesRepository = ReturnType<typeof createWorkspacesRepository>;
