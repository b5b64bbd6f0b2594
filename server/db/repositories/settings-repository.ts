import { and, eq } from 'drizzle-orm';
import type { Store } from '../client.js';

export function createSettingsRepository({ db, t }: Store) {
  const { settings } = t;
  async function get(key: string): Promise<string | undefined> {
    const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
    return row?.value;
  }

  return {
    get,

    /** Sets the value, replacing any there. */
    async put(key: string, value: string): Promise<void> {
      await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
    },

    /** Replaces the value if it is still `expected`: false when another writer changed it first. */
    async replaceIf(key: string, expected: string, value: string): Promise<boolean> {
      const done = await db
        .update(settings)
        .set({ value })
        .where(and(eq(settings.key, key), eq(settings.value, expected)))
        .returning({ key: settings.key });
      return done.length === 1;
    },

    async remove(key: string): Promise<void> {
      await db.delete(settings).where(eq(settings.key, key));
    },

    /** Sets the value unless one is there already; answers the value that is stored afterwards. */
    async setIfAbsent(key: string, value: string): Promise<string> {
      await db.insert(settings).values({ key, value }).onConflictDoNothing();
      return (await get(key)) ?? value;
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
