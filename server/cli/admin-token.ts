// `latchkey admin-token reset`: a new admin token, printed once, stored only as a hash.
import { ConfigError, loadConfig } from '../config.js';
import { createSettingsRepository } from '../db/repositories/settings-repository.js';
import { ADMIN_TOKEN_HASH_KEY, hashToken, newAdminToken } from '../plugins/admin-auth.js';
import { out, requireData, whereData, withStore } from './shared.js';

export async function resetAdminToken(): Promise<void> {
  const config = loadConfig();
  if (config.adminToken)
    throw new ConfigError(
      'LATCHKEY_ADMIN_TOKEN is set, and the gateway uses it instead of a stored token: set a new value there (at least 16 characters) and restart.',
    );
  requireData(config);
  await withStore(config, async (store) => {
    const token = newAdminToken();
    await createSettingsRepository(store).put(ADMIN_TOKEN_HASH_KEY, hashToken(token).toString('hex'));
    out(`New admin token for ${whereData(config)}:`);
    out(`  ${token}`);
    out(
      'Shown once and stored only as a hash. Restart the gateway (every node) to use it: the old token then stops working, and console sessions end.',
    );
  });
}
