// `latchkey <command>`: operator commands run against the same settings as the gateway (DATA_DIR or
// DATABASE_URL from the environment). Output is the interface: plain lines, one clear line and a
// non-zero exit on failure.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { describePostgres, openStore } from './db/client.js';
import { createSettingsRepository } from './db/repositories/settings-repository.js';
import { ADMIN_TOKEN_HASH_KEY, hashToken, newAdminToken } from './plugins/admin-auth.js';

const HELP = `Usage: latchkey <command>      (from the checkout: npx latchkey <command>)

Commands:
  admin-token reset   Make a new admin token and print it once. The old one stops working when
                      the gateway (every node) restarts. Not with LATCHKEY_ADMIN_TOKEN set.
  help                This text.

Settings come from the environment, as for the gateway: DATA_DIR (./data) or DATABASE_URL.
Moving an SQLite install to PostgreSQL: npm run migrate-data (see the README).
`;

const out = (text: string) => process.stdout.write(`${text}\n`);

class UsageError extends Error {}

async function resetAdminToken(): Promise<void> {
  const config = loadConfig();
  if (config.adminToken) throw new ConfigError('LATCHKEY_ADMIN_TOKEN is set, and the gateway uses it instead of a stored token: set a new value there (at least 16 characters) and restart.');
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'latchkey.db'))) {
    throw new ConfigError(`No Latchkey data in ${config.dataDir} (set DATA_DIR or DATABASE_URL to the gateway's): start the gateway once, and it makes an admin token itself.`);
  }
  const store = await openStore(config);
  try {
    const token = newAdminToken();
    await createSettingsRepository(store).put(ADMIN_TOKEN_HASH_KEY, hashToken(token).toString('hex'));
    out(`New admin token for ${config.databaseUrl ? describePostgres(config.databaseUrl) : config.dataDir}:`);
    out(`  ${token}`);
    out('Shown once and stored only as a hash. Restart the gateway (every node) to use it: the old token then stops working, and console sessions end.');
  } finally {
    await store.close();
  }
}

async function main(args: string[]): Promise<void> {
  const [command, sub, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return void process.stdout.write(HELP);
  if (command === 'admin-token' && sub === 'reset' && rest.length === 0) return resetAdminToken();
  if (command === 'admin-token' && (sub === '--help' || sub === undefined)) return void process.stdout.write(HELP);
  throw new UsageError(`unknown command "${args.join(' ')}"; see latchkey --help.`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof UsageError;
    process.stderr.write(`latchkey: ${known ? (err as Error).message : `failed: ${(err as Error).message}`}\n`);
    process.exit(known && err instanceof UsageError ? 2 : 1);
  },
);
