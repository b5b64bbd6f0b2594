import { eq } from 'drizzle-orm';
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

    /** Sets the value unless one is there already; answers the value that is stored afterwards. */
    async setIfAbsent(key: string, value: string): Promise<string> {
      await db.insert(settings).values({ key, value }).onConflictDoNothing();
      return (await get(key)) ?? value;
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
