import { eq, lte } from 'drizzle-orm';
import type { Store } from '../client.js';

export function createRevokedSessionsRepository({ db, t }: Store) {
  const { revokedSessions } = t;
  return {
    /** Records a signed-out session until `expiresAt`, and forgets those past their own. */
    async revoke(sessionHash: string, expiresAt: number, now: number): Promise<void> {
      await db.delete(revokedSessions).where(lte(revokedSessions.expiresAt, now));
      await db.insert(revokedSessions).values({ sessionHash, expiresAt }).onConflictDoNothing();
    },

    async isRevoked(sessionHash: string): Promise<boolean> {
      const [row] = await db
        .select({ h: revokedSessions.sessionHash })
        .from(revokedSessions)
        .where(eq(revokedSessions.sessionHash, sessionHash));
      return row !== undefined;
    },
  };
}

export type RevokedSessionsRepository = ReturnType<typeof createRevokedSessionsRepository>;
