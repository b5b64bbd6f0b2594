import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { specs } from '../schema.js';

export type SpecRow = typeof specs.$inferSelect;

export function createSpecsRepository(db: Db) {
  return {
    get(workspaceId: string): SpecRow | undefined {
      return db.select().from(specs).where(eq(specs.workspaceId, workspaceId)).get();
    },

    upsert(row: SpecRow, tx: Db = db): void {
      const { workspaceId, ...rest } = row;
      tx.insert(specs).values({ workspaceId, ...rest }).onConflictDoUpdate({ target: specs.workspaceId, set: rest }).run();
    },
  };
}

export type SpecsRepository = ReturnType<typeof createSpecsRepository>;
