import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ToolDefinition } from '../../modules/specs/types.js';
import type { Db, Store } from '../client.js';

export interface StoredTool {
  name: string;
  enabled: boolean;
  definition: ToolDefinition;
}

export function createToolsRepository({ db, t, changed }: Store) {
  const { tools } = t;
  const stored = { name: tools.name, enabled: tools.enabled, definition: tools.definition };

  return {
    async list(workspaceId: string, opts: { enabledOnly?: boolean } = {}, tx: Db = db): Promise<StoredTool[]> {
      const where = opts.enabledOnly
        ? and(eq(tools.workspaceId, workspaceId), eq(tools.enabled, true))
        : eq(tools.workspaceId, workspaceId);
      return tx.select(stored).from(tools).where(where).orderBy(asc(tools.position));
    },

    async get(workspaceId: string, name: string): Promise<StoredTool | undefined> {
      const [row] = await db
        .select(stored)
        .from(tools)
        .where(and(eq(tools.workspaceId, workspaceId), eq(tools.name, name)));
      return row;
    },

    /** name -> enabled, for keeping toggles across a re-upload. */
    async toggles(workspaceId: string, tx: Db = db): Promise<Map<string, boolean>> {
      const rows = await tx.select({ name: tools.name, enabled: tools.enabled }).from(tools).where(eq(tools.workspaceId, workspaceId));
      return new Map(rows.map((r) => [r.name, r.enabled]));
    },

    /** Replaces the workspace's whole tool set (a new spec version). */
    async replaceAll(workspaceId: string, next: StoredTool[], tx: Db = db): Promise<void> {
      await tx.delete(tools).where(eq(tools.workspaceId, workspaceId));
      // Chunked: SQLite limits the number of bound variables per statement (PostgreSQL to 65,535).
      for (let i = 0; i < next.length; i += 200) {
        const chunk = next
          .slice(i, i + 200)
          .map((tool, j) => ({ workspaceId, name: tool.name, position: i + j, enabled: tool.enabled, definition: tool.definition }));
        await tx.insert(tools).values(chunk);
      }
      await changed(workspaceId);
    },

    /** Sets `enabled` for the named tools; answers the names that do not exist (nothing is changed then). */
    async setEnabled(workspaceId: string, changes: Record<string, boolean>, tx: Db = db): Promise<string[]> {
      const names = Object.keys(changes);
      if (names.length === 0) return [];
      const found = await tx
        .select({ name: tools.name })
        .from(tools)
        .where(and(eq(tools.workspaceId, workspaceId), inArray(tools.name, names)));
      const existing = new Set(found.map((r) => r.name));
      const missing = names.filter((n) => !existing.has(n));
      if (missing.length > 0) return missing;
      // One statement for each value: a toggle of 500 tools is two updates, not 500.
      for (const enabled of [true, false]) {
        const named = names.filter((n) => changes[n] === enabled);
        if (named.length > 0)
          await tx
            .update(tools)
            .set({ enabled })
            .where(and(eq(tools.workspaceId, workspaceId), inArray(tools.name, named)));
      }
      await changed(workspaceId);
      return [];
    },
  };
}

export type ToolsRepository = ReturnType<typeof createToolsRepository>;
