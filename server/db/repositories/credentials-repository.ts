import { and, eq, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../client.js';
import { credentials } from '../schema.js';

export type CredentialsRow = typeof credentials.$inferSelect;

export function createCredentialsRepository(db: Db) {
  return {
    get(workspaceId: string, environment = 'live'): CredentialsRow | undefined {
      return db.select().from(credentials).where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment))).get();
    },

    list(workspaceId: string): CredentialsRow[] {
      return db.select().from(credentials).where(eq(credentials.workspaceId, workspaceId)).all();
    },

    upsert(row: CredentialsRow, tx: Db = db): void {
      const { workspaceId, environment, ...rest } = row;
      tx.insert(credentials)
        .values({ workspaceId, environment, ...rest })
        .onConflictDoUpdate({ target: [credentials.workspaceId, credentials.environment], set: rest })
        .run();
    },

    /** OAuth: rotated tokens and health. `updatedAt` stays: it marks a change of settings, not of tokens. */
    updateSealed(workspaceId: string, environment: string, sealed: string, health: string): void {
      db.update(credentials).set({ sealed, health }).where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment))).run();
    },

    /** Binds the credentials to an origin; `updatedAt` stays (the settings did not change, an OAuth connection goes on). */
    setOrigin(workspaceId: string, environment: string, origin: string, tx: Db = db): void {
      tx.update(credentials).set({ origin }).where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment))).run();
    },

    updateHealth(workspaceId: string, environment: string, health: string): void {
      db.update(credentials).set({ health }).where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment))).run();
    },

    /**
     * OAuth: takes the refresh lease until `until` (epoch ms) if nobody holds it, or if the last
     * holder's ran out at `now` (it crashed). True when this caller got it.
     */
    tryRefreshLease(workspaceId: string, environment: string, now: number, until: number): boolean {
      const free = or(isNull(credentials.refreshLeaseUntil), lte(credentials.refreshLeaseUntil, now));
      const result = db
        .update(credentials)
        .set({ refreshLeaseUntil: until })
        .where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment), free))
        .run();
      return result.changes === 1;
    },

    releaseRefreshLease(workspaceId: string, environment: string): void {
      db.update(credentials).set({ refreshLeaseUntil: null }).where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment))).run();
    },

    delete(workspaceId: string, environment = 'live', tx: Db = db): void {
      tx.delete(credentials).where(and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment))).run();
    },
  };
}

export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
