// `latchkey <command>`: operator commands run against the same settings as the gateway (DATA_DIR or
// DATABASE_URL from the environment). Output is the interface: plain lines, one clear line and a
// non-zero exit on failure.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { describePostgres, openStore, pendingMigrations, type Store } from './db/client.js';
import { createRepositories } from './db/repositories/index.js';
import { createSettingsRepository } from './db/repositories/settings-repository.js';
import { createVault, loadMasterKey } from './modules/vault/index.js';
import { ADMIN_TOKEN_HASH_KEY, hashToken, newAdminToken } from './plugins/admin-auth.js';
import { VAULT_CHECK } from './plugins/vault.js';

const HELP = `Usage: latchkey <command>      (from the checkout: npx latchkey <command>)

Commands:
  admin-token reset   Make a new admin token and print it once. The old one stops working when
                      the gateway (every node) restarts. Not with LATCHKEY_ADMIN_TOKEN set.
  doctor              Check the settings, the database and its migrations, the master key, and
                      whether each workspace's API answers; say in plain words what is wrong.
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

type Check = { ok: boolean; what: string; detail: string };

async function checkStore(config: Config, store: Store): Promise<Check[]> {
  const checks: Check[] = [];
  const pending = await pendingMigrations(store);
  if (pending > 0) {
    // The tables the other checks read may not exist yet.
    checks.push({ ok: false, what: 'migrations', detail: `${pending} not applied yet: start the gateway (it applies them), then run the doctor again for the other checks` });
    return checks;
  }
  checks.push({ ok: true, what: 'migrations', detail: 'all applied' });
  const repos = createRepositories(store);
  const sealed = await repos.settings.get(VAULT_CHECK.key);
  if (sealed === undefined) {
    checks.push({ ok: true, what: 'master key', detail: 'nothing sealed yet (the gateway has not started on this database)' });
  } else {
    const from = config.masterKey ? 'LATCHKEY_MASTER_KEY' : path.join(config.dataDir, 'master.key');
    // loadMasterKey would make a new key file where there is none: the doctor only looks.
    if (!config.masterKey && !existsSync(from)) {
      checks.push({ ok: false, what: 'master key', detail: `neither LATCHKEY_MASTER_KEY nor ${from} is there, and the data is sealed: give the gateway the key it was sealed with` });
    } else {
      let opened: string | undefined;
      try {
        opened = createVault(loadMasterKey(config.dataDir, config.masterKey).key).open(sealed, VAULT_CHECK.context);
      } catch {
        opened = undefined;
      }
      checks.push(opened === VAULT_CHECK.text ? { ok: true, what: 'master key', detail: `${from} opens the sealed data` } : { ok: false, what: 'master key', detail: `${from} is not the key this data was sealed with: start with the original key` });
    }
  }
  // Each workspace's API: any HTTP answer counts (a 401 or 404 from its root still means it is there).
  for (const ws of await repos.workspaces.list()) {
    const spec = await repos.specs.get(ws.id);
    for (const env of await repos.environments.list(ws.id)) {
      const baseUrl = env.baseUrlOverride ?? spec?.baseUrl ?? undefined;
      const what = `workspace "${ws.name}" (${env.name})`;
      if (!baseUrl) {
        checks.push({ ok: true, what, detail: 'no base URL yet (no spec uploaded)' });
        continue;
      }
      try {
        const res = await fetch(baseUrl, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5000) });
        checks.push({ ok: true, what, detail: `${new URL(baseUrl).origin} answers (HTTP ${res.status})` });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = (err as Error).name === 'TimeoutError' ? 'no answer within 5 s' : (cause?.code ?? cause?.message ?? (err as Error).message);
        checks.push({ ok: false, what, detail: `${new URL(baseUrl).origin} cannot be reached: ${why}` });
      }
    }
  }
  return checks;
}

async function doctor(): Promise<boolean> {
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig();
    checks.push({ ok: true, what: 'settings', detail: 'every setting is valid' });
  } catch (err) {
    checks.push({ ok: false, what: 'settings', detail: (err as Error).message });
  }
  if (config) {
    const where = config.databaseUrl ? describePostgres(config.databaseUrl) : `SQLite at ${path.join(config.dataDir, 'latchkey.db')}`;
    if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'latchkey.db'))) {
      checks.push({ ok: false, what: 'database', detail: `no data at ${where}: set DATA_DIR (or DATABASE_URL) to the gateway's, or start the gateway once` });
    } else {
      let store: Store | undefined;
      try {
        store = await openStore(config, { migrate: false });
        await store.ping();
        checks.push({ ok: true, what: 'database', detail: `${where} answers` });
        checks.push(...(await checkStore(config, store)));
      } catch (err) {
        checks.push({ ok: false, what: 'database', detail: `${where}: ${(err as Error).message}` });
      } finally {
        await store?.close();
      }
    }
  }
  for (const check of checks) out(`${check.ok ? 'ok ' : 'FAIL'}  ${check.what}: ${check.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  out(failed === 0 ? 'Nothing wrong found.' : `${failed} problem${failed === 1 ? '' : 's'} found.`);
  return failed === 0;
}

async function main(args: string[]): Promise<void> {
  const [command, sub, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return void process.stdout.write(HELP);
  if (command === 'admin-token' && sub === 'reset' && rest.length === 0) return resetAdminToken();
  if (command === 'doctor' && sub === undefined) {
    if (!(await doctor())) process.exitCode = 1;
    return;
  }
  if (command === 'admin-token' && (sub === '--help' || sub === undefined)) return void process.stdout.write(HELP);
  throw new UsageError(`unknown command "${args.join(' ')}"; see latchkey --help.`);
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof UsageError;
    process.stderr.write(`latchkey: ${known ? (err as Error).message : `failed: ${(err as Error).message}`}\n`);
    process.exit(known && err instanceof UsageError ? 2 : 1);
  },
);
