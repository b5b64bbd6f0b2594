import { eq, lte } from 'drizzle-orm';
import type { Db } from '../client.js';
import { revokedSessions } from '../schema.js';

export function createRevokedSessionsRepository(db: Db) {
  return {
    /** Records a signed-out session until `expiresAt`, and forgets those past their own. */
    revoke(sessionHash: string, expiresAt: number, now: number): void {
      db.transaction((tx) => {
        tx.delete(revokedSessions).where(lte(revokedSessions.expiresAt, now)).run();
        tx.insert(revokedSessions).values({ sessionHash, expiresAt }).onConflictDoNothing().run();
      });
    },

    isRevoked(sessionHash: string): boolean {
      return db.select({ h: revokedSessions.sessionHash }).from(revokedSessions).where(eq(revokedSessions.sessionHash, sessionHash)).get() !== undefined;
    },
  };
}

export type RevokedSessionsRepository = ReturnType<typeof createRevokedSessionsRepository>;
