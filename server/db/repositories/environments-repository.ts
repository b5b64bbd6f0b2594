import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { environments } from '../schema.js';

export type EnvironmentRow = typeof environments.$inferSelect;

export function createEnvironmentsRepository(db: Db) {
  return {
    list(workspaceId: string): EnvironmentRow[] {
      return db.select().from(environments).where(eq(environments.workspaceId, workspaceId)).orderBy(environments.createdAt).all();
    },

    get(workspaceId: string, name: string): EnvironmentRow | undefined {
      return db.select().from(environments).where(and(eq(environments.workspaceId, workspaceId), eq(environments.name, name))).get();
    },

    getByTokenHash(hash: string): EnvironmentRow | undefined {
      return db.select().from(environments).where(eq(environments.urlTokenHash, hash)).get();
    },

    insert(row: EnvironmentRow, tx: Db = db): void {
      tx.insert(environments).values(row).run();
    },

    update(workspaceId: string, name: string, changes: Partial<Pick<EnvironmentRow, 'baseUrlOverride' | 'urlTokenHash' | 'urlTokenSealed'>>, now: string, tx: Db = db): boolean {
      return tx.update(environments).set({ ...changes, updatedAt: now }).where(and(eq(environments.workspaceId, workspaceId), eq(environments.name, name))).run().changes > 0;
    },

    delete(workspaceId: string, name: string, tx: Db = db): boolean {
      return tx.delete(environments).where(and(eq(environments.workspaceId, workspaceId), eq(environments.name, name))).run().changes > 0;
    },
  };
}

export type EnvironmentsRepository = ReturnType<typeof createEnvironmentsRepository>;
