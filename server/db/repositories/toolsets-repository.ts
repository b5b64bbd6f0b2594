import { and, asc, count, eq } from 'drizzle-orm';
import type { Db, Store, Tables } from '../client.js';

export type ToolsetRow = Tables['toolsets']['$inferSelect'];

export function createToolsetsRepository({ db, t, changed }: Store) {
  const { toolsets, accessKeys } = t;
  const named = (workspaceId: string, id: string) => and(eq(toolsets.workspaceId, workspaceId), eq(toolsets.id, id));

  return {
    async list(workspaceId: string, tx: Db = db): Promise<ToolsetRow[]> {
      return tx.select().from(toolsets).where(eq(toolsets.workspaceId, workspaceId)).orderBy(asc(toolsets.createdAt), asc(toolsets.id));
    },

    async get(workspaceId: string, id: string): Promise<ToolsetRow | undefined> {
      const [row] = await db.select().from(toolsets).where(named(workspaceId, id));
      return row;
    },

    async getByTokenHash(hash: string): Promise<ToolsetRow | undefined> {
      const [row] = await db.select().from(toolsets).where(eq(toolsets.urlTokenHash, hash));
      return row;
    },

    async insert(row: ToolsetRow): Promise<void> {
      await db.insert(toolsets).values(row);
      await changed(row.workspaceId);
    },

    async update(
      workspaceId: string,
      id: string,
      changes: Partial<Pick<ToolsetRow, 'name' | 'selection' | 'urlTokenHash' | 'urlTokenSealed'>>,
      now: string,
      tx: Db = db,
    ): Promise<boolean> {
      const rows = await tx
        .update(toolsets)
        .set({ ...changes, updatedAt: now })
        .where(named(workspaceId, id))
        .returning({ id: toolsets.id });
      await changed(workspaceId);
      return rows.length > 0;
    },

    /** How many access keys are bound to the toolset: it is not deleted from under them. */
    async boundKeys(workspaceId: string, id: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(accessKeys)
        .where(and(eq(accessKeys.workspaceId, workspaceId), eq(accessKeys.toolsetId, id)));
      return Number(row.n);
    },

    async delete(workspaceId: string, id: string): Promise<boolean> {
      const rows = await db.delete(toolsets).where(named(workspaceId, id)).returning({ id: toolsets.id });
      await changed(workspaceId);
      return rows.length > 0;
    },

    /** With its environment (whose keys, bound ones included, go in the same transaction). */
    async deleteForEnvironment(workspaceId: string, environment: string, tx: Db = db): Promise<void> {
      await tx.delete(toolsets).where(and(eq(toolsets.workspaceId, workspaceId), eq(toolsets.environment, environment)));
      await changed(workspaceId);
    },
  };
}

export type ToolsetsRepository = ReturnType<typeof createToolsetsRepository>;
