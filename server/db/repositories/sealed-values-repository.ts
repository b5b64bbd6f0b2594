// Every sealed column, seen as one list of values: what a master-key rotation walks. Values are
// found by the key they were sealed under (the id is the value's second dot-separated field) and
// replaced only if nobody rewrote them meanwhile, so a gateway saving or refreshing a secret
// while the rotation runs never loses its write.
import { and, count, eq, not, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Store, Tables } from '../client.js';

/** The sealed columns: API credentials, environments' and toolsets' URL tokens, OAuth Connects' PKCE verifiers. */
export type SealedKind = 'credentials' | 'url-tokens' | 'toolset-url-tokens' | 'oauth-pending';
export const SEALED_KINDS: SealedKind[] = ['credentials', 'url-tokens', 'toolset-url-tokens', 'oauth-pending'];

/** One sealed value and where it lives: its workspace and the row's other key (environment, toolset id, or the OAuth state's hash). */
export interface SealedValue {
  kind: SealedKind;
  workspaceId: string;
  ref: string;
  sealed: string;
}

interface Column {
  table: PgTable;
  sealed: PgColumn;
  /** The sealed column's property name (drizzle's update takes those, not columns). */
  property: string;
  workspaceId: PgColumn;
  ref: PgColumn;
}

function columnOf(t: Tables, kind: SealedKind): Column {
  switch (kind) {
    case 'credentials':
      return {
        table: t.credentials,
        sealed: t.credentials.sealed,
        property: 'sealed',
        workspaceId: t.credentials.workspaceId,
        ref: t.credentials.environment,
      };
    case 'url-tokens':
      return {
        table: t.environments,
        sealed: t.environments.urlTokenSealed,
        property: 'urlTokenSealed',
        workspaceId: t.environments.workspaceId,
        ref: t.environments.name,
      };
    case 'toolset-url-tokens':
      return {
        table: t.toolsets,
        sealed: t.toolsets.urlTokenSealed,
        property: 'urlTokenSealed',
        workspaceId: t.toolsets.workspaceId,
        ref: t.toolsets.id,
      };
    case 'oauth-pending':
      return {
        table: t.oauthPending,
        sealed: t.oauthPending.verifierSealed,
        property: 'verifierSealed',
        workspaceId: t.oauthPending.workspaceId,
        ref: t.oauthPending.stateHash,
      };
  }
}

export function createSealedValuesRepository({ db, t }: Store) {
  /** `prefix` is `v1.<key id>.`: hex and dots only, so nothing in it is a LIKE wildcard. */
  const notUnder = (c: Column, prefix: string): SQL => not(sql`${c.sealed} like ${`${prefix}%`}`);

  return {
    /** How many values of this kind were not sealed under the key with this prefix. */
    async countNotUnder(kind: SealedKind, prefix: string): Promise<number> {
      const c = columnOf(t, kind);
      const [row] = await db.select({ n: count() }).from(c.table).where(notUnder(c, prefix));
      return Number(row.n);
    },

    /** The next `limit` values not sealed under the key, in key order after `after` (a keyset page). */
    async listNotUnder(
      kind: SealedKind,
      prefix: string,
      limit: number,
      after?: { workspaceId: string; ref: string },
    ): Promise<SealedValue[]> {
      const c = columnOf(t, kind);
      const past = after ? sql`(${c.workspaceId}, ${c.ref}) > (${after.workspaceId}, ${after.ref})` : undefined;
      const rows = await db
        .select({ workspaceId: c.workspaceId, ref: c.ref, sealed: c.sealed })
        .from(c.table)
        .where(and(notUnder(c, prefix), past))
        .orderBy(c.workspaceId, c.ref)
        .limit(limit);
      return rows.map((r) => ({ kind, workspaceId: String(r.workspaceId), ref: String(r.ref), sealed: String(r.sealed) }));
    },

    /** Replaces the value if it is still the one read: false when the row was rewritten or deleted meanwhile. */
    async replace(value: SealedValue, resealed: string): Promise<boolean> {
      const c = columnOf(t, value.kind);
      const done = await db
        .update(c.table)
        .set({ [c.property]: resealed })
        .where(and(eq(c.workspaceId, value.workspaceId), eq(c.ref, value.ref), eq(c.sealed, value.sealed)))
        .returning({ workspaceId: c.workspaceId });
      return done.length === 1;
    },
  };
}

export type SealedValuesRepository = ReturnType<typeof createSealedValuesRepository>;
