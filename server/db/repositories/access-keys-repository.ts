import { and, asc, eq } from 'drizzle-orm';
import type { Db, Store, Tables } from '../client.js';

export type AccessKeyRow = Tables['accessKeys']['$inferSelect'];

export function createAccessKeysRepository({ db, t, changed }: Store) {
  const { accessKeys } = t;
  const named = (workspaceId: string, id: string) => and(eq(accessKeys.workspaceId, workspaceId), eq(accessKeys.id, id));

  return {
    async list(workspaceId: string, tx: Db = db): Promise<AccessKeyRow[]> {
      return tx
        .select()
        .from(accessKeys)
        .where(eq(accessKeys.workspaceId, workspaceId))
        .orderBy(asc(accessKeys.createdAt), asc(accessKeys.id));
    },

    async get(workspaceId: string, id: string): Promise<AccessKeyRow | undefined> {
      const [row] = await db.select().from(accessKeys).where(named(workspaceId, id));
      return row;
    },

    /** A key's named tools, after the workspace's tools were renamed (a new name budget). */
    async setTools(workspaceId: string, id: string, tools: string[], tx: Db = db): Promise<void> {
      await tx.update(accessKeys).set({ tools }).where(named(workspaceId, id));
      await changed(workspaceId);
    },

    /** The key's own choices (null: the key follows the workspace's) and its toolset (null: none). */
    async setChoices(
      workspaceId: string,
      id: string,
      choices: Partial<Pick<AccessKeyRow, 'schemaProfile' | 'toolMode' | 'toolsetId'>>,
    ): Promise<boolean> {
      const rows = await db.update(accessKeys).set(choices).where(named(workspaceId, id)).returning({ id: accessKeys.id });
      await changed(workspaceId);
      return rows.length > 0;
    },

    async insert(row: AccessKeyRow): Promise<void> {
      await db.insert(accessKeys).values(row);
      await changed(row.workspaceId);
    },

    async delete(workspaceId: string, id: string): Promise<boolean> {
      const rows = await db.delete(accessKeys).where(named(workspaceId, id)).returning({ id: accessKeys.id });
      // A revoked key is refused on every node from the next request on.
      await changed(workspaceId);
      return rows.length > 0;
    },

    async deleteForEnvironment(workspaceId: string, environment: string, tx: Db = db): Promise<void> {
      await tx.delete(accessKeys).where(and(eq(accessKeys.workspaceId, workspaceId), eq(accessKeys.environment, environment)));
      await changed(workspaceId);
    },

    /** Written in batches with the call log, never on the hot path; a batch names a few keys at most. */
    async touch(lastUsed: Map<string, string>): Promise<void> {
      for (const [id, at] of lastUsed) await db.update(accessKeys).set({ lastUsedAt: at }).where(eq(accessKeys.id, id));
    },
  };
}

export type AccessKeysRepository = ReturnType<typeof createAccessKeysRepository>;
