import { eq } from 'drizzle-orm';
import type { Db, Store, Tables } from '../client.js';

export type SpecRow = Tables['specs']['$inferSelect'];

export function createSpecsRepository({ db, t, changed }: Store) {
  const { specs } = t;
  return {
    async get(workspaceId: string, tx: Db = db): Promise<SpecRow | undefined> {
      const [row] = await tx.select().from(specs).where(eq(specs.workspaceId, workspaceId));
      return row;
    },

    async upsert(row: SpecRow, tx: Db = db): Promise<void> {
      const { workspaceId, ...rest } = row;
      await tx
        .insert(specs)
        .values({ workspaceId, ...rest })
        .onConflictDoUpdate({ target: specs.workspaceId, set: rest });
      await changed(workspaceId);
    },
  };
}

export type SpecsRepository = ReturnType<typeof createSpecsRepository>;
