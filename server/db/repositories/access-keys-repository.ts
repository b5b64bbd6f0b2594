import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { accessKeys } from '../schema.js';

export type AccessKeyRow = typeof accessKeys.$inferSelect;

export function createAccessKeysRepository(db: Db) {
  return {
    list(workspaceId: string): AccessKeyRow[] {
      return db.select().from(accessKeys).where(eq(accessKeys.workspaceId, workspaceId)).orderBy(accessKeys.createdAt).all();
    },

    get(workspaceId: string, id: string): AccessKeyRow | undefined {
      return db.select().from(accessKeys).where(and(eq(accessKeys.workspaceId, workspaceId), eq(accessKeys.id, id))).get();
    },

    insert(row: AccessKeyRow): void {
      db.insert(accessKeys).values(row).run();
    },

    delete(workspaceId: string, id: string): boolean {
      return db.delete(accessKeys).where(and(eq(accessKeys.workspaceId, workspaceId), eq(accessKeys.id, id))).run().changes > 0;
    },

    deleteForEnvironment(workspaceId: string, environment: string, tx: Db = db): void {
      tx.delete(accessKeys).where(and(eq(accessKeys.workspaceId, workspaceId), eq(accessKeys.environment, environment))).run();
    },

    /** Written in batches with the call log, never on the hot path. */
    touch(lastUsed: Map<string, string>): void {
      if (lastUsed.size === 0) return;
      db.transaction((tx) => {
        for (const [id, at] of lastUsed) tx.update(accessKeys).set({ lastUsedAt: at }).where(eq(accessKeys.id, id)).run();
      });
    },
  };
}

export type AccessKeysRepository = ReturnType<typeof createAccessKeysRepository>;
