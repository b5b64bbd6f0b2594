// What every `latchkey` command shares: plain output lines, the mistakes that get one line and a
// non-zero exit, and the gateway's data opened the way the gateway opens it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { describePostgres, openStore, type Store } from '../db/client.js';
import { readKeyFile } from '../modules/vault/index.js';

export const out = (text: string) => process.stdout.write(`${text}\n`);

/** A command used wrongly: exit code 2. */
export class UsageError extends Error {}

export const dataFile = (config: Config) => path.join(config.dataDir, 'latchkey.db');
export const masterKeyFile = (config: Config) => path.join(config.dataDir, 'master.key');

/** Where the data is, for messages: never a password. */
export function whereData(config: Config): string {
  return config.databaseUrl ? describePostgres(config.databaseUrl) : config.dataDir;
}

/** Refuses to go on where the gateway never ran (a typo in DATA_DIR would otherwise make a new, empty install). */
export function requireData(config: Config): void {
  if (!config.databaseUrl && !existsSync(dataFile(config))) {
    throw new ConfigError(
      `No Latchkey data in ${config.dataDir} (set DATA_DIR or DATABASE_URL to the gateway's): start the gateway once first.`,
    );
  }
}

/** Opens the store (applying migrations as the gateway would), runs `fn`, closes it. */
export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>, opts: { watch?: boolean } = {}): Promise<T> {
  const store = await openStore(config, opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The master key the gateway is configured with, never making one (the CLI only reads it). */
export function configuredKey(config: Config): { key: Buffer; from: string; file?: string } {
  if (config.masterKey) return { key: config.masterKey, from: 'LATCHKEY_MASTER_KEY' };
  const file = masterKeyFile(config);
  if (!existsSync(file))
    throw new ConfigError(`Neither LATCHKEY_MASTER_KEY nor ${file} is there: give the command the master key the gateway uses.`);
  return { key: readKeyFile(file), from: file, file };
}

/** `--name value` options after a command; answers them by name and refuses unknown ones. */
export function parseOptions(args: string[], known: Record<string, 'value' | 'flag'>): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--/, '');
    const kind = args[i].startsWith('--') ? known[name] : undefined;
    if (!kind) throw new UsageError(`unknown option "${args[i]}"; see latchkey --help.`);
    if (kind === 'flag') options.set(name, 'true');
    else {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value; see latchkey --help.`);
      options.set(name, value);
    }
  }
  return options;
}

/** A positive whole number option. */
export function intOption(options: Map<string, string>, name: string, fallback: number, min = 0): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${raw}".`);
  return n;
}
