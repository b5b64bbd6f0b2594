import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { settings } from '../schema.js';

export function createSettingsRepository(db: Db) {
  return {
    get(key: string): string | undefined {
      return db.select().from(settings).where(eq(settings.key, key)).get()?.value;
    },

    /** A counter every gateway process sharing this database watches to drop its caches. */
    bumpConfigVersion(): number {
      const row = db.$client
        .prepare("insert into settings (key, value) values ('config_version', '1') on conflict(key) do update set value = cast(value as integer) + 1 returning value")
        .get() as { value: string };
      return Number(row.value);
    },

    configVersion(): number {
      return Number(this.get('config_version') ?? 0);
    },

    /** Sets the value unless one is there already; answers the value that is stored afterwards. */
    setIfAbsent(key: string, value: string): string {
      db.insert(settings).values({ key, value }).onConflictDoNothing().run();
      return this.get(key) ?? value;
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
