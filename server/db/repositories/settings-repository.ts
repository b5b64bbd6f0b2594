import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { settings } from '../schema.js';

export function createSettingsRepository(db: Db) {
  return {
    get(key: string): string | undefined {
      return db.select().from(settings).where(eq(settings.key, key)).get()?.value;
    },

    /** Sets the value unless one is there already; answers the value that is stored afterwards. */
    setIfAbsent(key: string, value: string): string {
      db.insert(settings).values({ key, value }).onConflictDoNothing().run();
      return this.get(key) ?? value;
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
