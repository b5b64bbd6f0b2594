import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { credentials } from '../schema.js';

export type CredentialsRow = typeof credentials.$inferSelect;

export function createCredentialsRepository(db: Db) {
  return {
    get(workspaceId: string): CredentialsRow | undefined {
      return db.select().from(credentials).where(eq(credentials.workspaceId, workspaceId)).get();
    },

    upsert(row: CredentialsRow, tx: Db = db): void {
      const { workspaceId, ...rest } = row;
      tx.insert(credentials).values({ workspaceId, ...rest }).onConflictDoUpdate({ target: credentials.workspaceId, set: rest }).run();
    },

    delete(workspaceId: string): void {
      db.delete(credentials).where(eq(credentials.workspaceId, workspaceId)).run();
    },
  };
}

export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
