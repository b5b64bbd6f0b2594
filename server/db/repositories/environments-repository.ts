import { and, asc, eq } from 'drizzle-orm';
import type { Db, Store, Tables } from '../client.js';

export type EnvironmentRow = Tables['environments']['$inferSelect'];

export function createEnvironmentsRepository({ db, t, changed }: Store) {
  const { environments } = t;
  const named = (workspaceId: string, name: string) => and(eq(environments.workspaceId, workspaceId), eq(environments.name, name));

  return {
    async list(workspaceId: string, tx: Db = db): Promise<EnvironmentRow[]> {
      return tx
        .select()
        .from(environments)
        .where(eq(environments.workspaceId, workspaceId))
        .orderBy(asc(environments.createdAt), asc(environments.name));
    },

    async get(workspaceId: string, name: string, tx: Db = db): Promise<EnvironmentRow | undefined> {
      const [row] = await tx.select().from(environments).where(named(workspaceId, name));
      return row;
    },

    async getByTokenHash(hash: string): Promise<EnvironmentRow | undefined> {
      const [row] = await db.select().from(environments).where(eq(environments.urlTokenHash, hash));
      return row;
    },

    async insert(row: EnvironmentRow, tx: Db = db): Promise<void> {
      await tx.insert(environments).values(row);
      await changed(row.workspaceId);
    },

    async update(
      workspaceId: string,
      name: string,
      changes: Partial<Pick<EnvironmentRow, 'baseUrlOverride' | 'urlTokenHash' | 'urlTokenSealed'>>,
      now: string,
      tx: Db = db,
    ): Promise<boolean> {
      const rows = await tx
        .update(environments)
        .set({ ...changes, updatedAt: now })
        .where(named(workspaceId, name))
        .returning({ name: environments.name });
      await changed(workspaceId);
      return rows.length > 0;
    },

    async delete(workspaceId: string, name: string, tx: Db = db): Promise<boolean> {
      const rows = await tx.delete(environments).where(named(workspaceId, name)).returning({ name: environments.name });
      await changed(workspaceId);
      return rows.length > 0;
    },
  };
}

export type EnvironmentsRepository = ReturnType<typeof createEnvironmentsRepository>;
