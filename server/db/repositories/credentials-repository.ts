import { and, eq, isNull, lte, or } from 'drizzle-orm';
import type { Db, Store, Tables } from '../client.js';

export type CredentialsRow = Tables['credentials']['$inferSelect'];

export function createCredentialsRepository({ db, t, changed }: Store) {
  const { credentials } = t;
  const row = (workspaceId: string, environment: string) =>
    and(eq(credentials.workspaceId, workspaceId), eq(credentials.environment, environment));

  return {
    async get(workspaceId: string, environment = 'live', tx: Db = db): Promise<CredentialsRow | undefined> {
      const [found] = await tx.select().from(credentials).where(row(workspaceId, environment));
      return found;
    },

    async list(workspaceId: string): Promise<CredentialsRow[]> {
      return db.select().from(credentials).where(eq(credentials.workspaceId, workspaceId));
    },

    async upsert(next: CredentialsRow, tx: Db = db): Promise<void> {
      const { workspaceId, environment, ...rest } = next;
      await tx
        .insert(credentials)
        .values({ workspaceId, environment, ...rest })
        .onConflictDoUpdate({ target: [credentials.workspaceId, credentials.environment], set: rest });
      await changed(workspaceId);
    },

    /**
     * OAuth: rotated tokens and health. `updatedAt` stays: it marks a change of settings, not of
     * tokens; and nothing is announced: connections go on (other nodes reload the secret under the refresh lease).
     */
    async updateSealed(workspaceId: string, environment: string, sealed: string, health: CredentialsRow['health']): Promise<void> {
      await db.update(credentials).set({ sealed, health }).where(row(workspaceId, environment));
    },

    /** Binds the credentials to an origin; `updatedAt` stays (the settings did not change, an OAuth connection goes on). */
    async setOrigin(workspaceId: string, environment: string, origin: string, tx: Db = db): Promise<void> {
      await tx.update(credentials).set({ origin }).where(row(workspaceId, environment));
      await changed(workspaceId);
    },

    async updateHealth(workspaceId: string, environment: string, health: CredentialsRow['health']): Promise<void> {
      await db.update(credentials).set({ health }).where(row(workspaceId, environment));
    },

    /**
     * OAuth: takes the refresh lease until `until` (epoch ms) if nobody holds it, or if the last
     * holder's ran out at `now` (it crashed). True when this caller got it. One statement, so two
     * nodes asking at once cannot both get it.
     */
    async tryRefreshLease(workspaceId: string, environment: string, now: number, until: number): Promise<boolean> {
      const free = or(isNull(credentials.refreshLeaseUntil), lte(credentials.refreshLeaseUntil, now));
      const taken = await db
        .update(credentials)
        .set({ refreshLeaseUntil: until })
        .where(and(row(workspaceId, environment), free))
        .returning({ workspaceId: credentials.workspaceId });
      return taken.length === 1;
    },

    async releaseRefreshLease(workspaceId: string, environment: string): Promise<void> {
      await db.update(credentials).set({ refreshLeaseUntil: null }).where(row(workspaceId, environment));
    },

    async delete(workspaceId: string, environment = 'live', tx: Db = db): Promise<void> {
      await tx.delete(credentials).where(row(workspaceId, environment));
      await changed(workspaceId);
    },
  };
}

export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
