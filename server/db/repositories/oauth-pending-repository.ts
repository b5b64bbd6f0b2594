import { eq, lt } from 'drizzle-orm';
import type { Db } from '../client.js';
import { oauthPending } from '../schema.js';

export type OAuthPendingRow = typeof oauthPending.$inferSelect;

export function createOAuthPendingRepository(db: Db) {
  return {
    insert(row: OAuthPendingRow): void {
      db.insert(oauthPending).values(row).run();
    },

    /** Single use: the row is deleted as it is read, so a replayed `state` finds nothing. */
    take(stateHash: string): OAuthPendingRow | undefined {
      return db.transaction((tx) => {
        const row = tx.select().from(oauthPending).where(eq(oauthPending.stateHash, stateHash)).get();
        if (row) tx.delete(oauthPending).where(eq(oauthPending.stateHash, stateHash)).run();
        return row;
      });
    },

    purgeExpired(now: string): void {
      db.delete(oauthPending).where(lt(oauthPending.expiresAt, now)).run();
    },
  };
}
