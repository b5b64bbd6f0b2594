import { eq, lt } from 'drizzle-orm';
import type { Store, Tables } from '../client.js';

export type OAuthPendingRow = Tables['oauthPending']['$inferSelect'];

export function createOAuthPendingRepository({ db, t }: Store) {
  const { oauthPending } = t;
  return {
    async insert(row: OAuthPendingRow): Promise<void> {
      await db.insert(oauthPending).values(row);
    },

    /** Single use: one statement deletes the row as it reads it, so a replayed `state` finds nothing on any node. */
    async take(stateHash: string): Promise<OAuthPendingRow | undefined> {
      const [row] = await db.delete(oauthPending).where(eq(oauthPending.stateHash, stateHash)).returning();
      return row;
    },

    async purgeExpired(now: string): Promise<void> {
      await db.delete(oauthPending).where(lt(oauthPending.expiresAt, now));
    },
  };
}
