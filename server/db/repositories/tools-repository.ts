import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ToolDefinition } from '../../modules/specs/types.js';
import type { Db } from '../client.js';
import { tools } from '../schema.js';

export interface StoredTool {
  name: string;
  enabled: boolean;
  definition: ToolDefinition;
}

function toStored(row: typeof tools.$inferSelect): StoredTool {
  return { name: row.name, enabled: row.enabled, definition: JSON.parse(row.definition) as ToolDefinition };
}

export function createToolsRepository(db: Db) {
  return {
    list(workspaceId: string, opts: { enabledOnly?: boolean } = {}): StoredTool[] {
      const where = opts.enabledOnly ? and(eq(tools.workspaceId, workspaceId), eq(tools.enabled, true)) : eq(tools.workspaceId, workspaceId);
      return db.select().from(tools).where(where).orderBy(asc(tools.position)).all().map(toStored);
    },

    get(workspaceId: string, name: string): StoredTool | undefined {
      const row = db.select().from(tools).where(and(eq(tools.workspaceId, workspaceId), eq(tools.name, name))).get();
      return row && toStored(row);
    },

    /** name -> enabled, for keeping toggles across a re-upload. */
    toggles(workspaceId: string, tx: Db = db): Map<string, boolean> {
      const rows = tx.select({ name: tools.name, enabled: tools.enabled }).from(tools).where(eq(tools.workspaceId, workspaceId)).all();
      return new Map(rows.map((r) => [r.name, r.enabled]));
    },

    /** Replaces the workspace's whole tool set (a new spec version). */
    replaceAll(workspaceId: string, next: StoredTool[], tx: Db = db): void {
      tx.delete(tools).where(eq(tools.workspaceId, workspaceId)).run();
      // Chunked: SQLite limits the number of bound variables per statement.
      for (let i = 0; i < next.length; i += 200) {
        const chunk = next.slice(i, i + 200).map((t, j) => ({
          workspaceId,
          name: t.name,
          position: i + j,
          enabled: t.enabled,
          definition: JSON.stringify(t.definition),
        }));
        tx.insert(tools).values(chunk).run();
      }
    },

    /** Sets `enabled` for the named tools; answers the names that do not exist (nothing is changed then). */
    setEnabled(workspaceId: string, changes: Record<string, boolean>, tx: Db = db): string[] {
      const names = Object.keys(changes);
      if (names.length === 0) return [];
      const existing = new Set(
        tx.select({ name: tools.name }).from(tools).where(and(eq(tools.workspaceId, workspaceId), inArray(tools.name, names))).all().map((r) => r.name),
      );
      const missing = names.filter((n) => !existing.has(n));
      if (missing.length > 0) return missing;
      for (const [name, enabled] of Object.entries(changes)) {
        tx.update(tools).set({ enabled }).where(and(eq(tools.workspaceId, workspaceId), eq(tools.name, name))).run();
      }
      return [];
    },
  };
}

export type ToolsRepository = ReturnType<typeof createToolsRepository>;
