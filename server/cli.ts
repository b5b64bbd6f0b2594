// `latchkey <command>`: operator commands run against the same settings as the gateway (DATA_DIR or
// DATABASE_URL from the environment). Output is the interface: plain lines, one clear line and a
// non-zero exit on failure.
import { ConfigError } from './config.js';
import { resetAdminToken } from './cli/admin-token.js';
import { exportConfiguration, importConfiguration } from './cli/backup.js';
import { doctor } from './cli/doctor.js';
import { rotateMasterKey } from './cli/rotate-master-key.js';
import { UsageError } from './cli/shared.js';

const HELP = `Usage: latchkey <command>      (from the checkout: npx latchkey <command>)

Commands:
  admin-token reset   Make a new admin token and print it once. The old one stops working when
                      the gateway (every node) restarts. Not with LATCHKEY_ADMIN_TOKEN set.
  doctor              Check the settings, the database and its migrations, the master key, and
                      whether each workspace's API answers; say in plain words what is wrong.
  export FILE         Write the whole configuration (workspaces, specs, tools, environments, access
                      keys, credentials) to FILE as JSON, secrets still sealed (FILE - : stdout).
  import FILE [--master-key-file KEYFILE]
                      Restore an export into an install without workspaces. A file sealed under
                      another master key is refused unless KEYFILE holds that key; its secrets are
                      then re-sealed under this install's key.
  rotate-master-key [--new-key-file FILE] [--batch-size N] [--pause-ms N]
                      Re-seal every secret under a new master key while the gateway keeps serving.
                      With the key in DATA_DIR/master.key, a new key is made and swapped in at the
                      end; with LATCHKEY_MASTER_KEY, give the new key in FILE (base64 of 32 bytes).
                      Both keys open everything until the end. Interrupted? Run it again: it resumes.
                      --batch-size: values a step (100); --pause-ms: rest between steps (0).
  rotate-master-key --forget-old
                      After a rotation, once every node runs with the new key: the old key then
                      opens nothing here and can be destroyed.
  help                This text.

Settings come from the environment, as for the gateway: DATA_DIR (./data) or DATABASE_URL.
Moving an SQLite install to PostgreSQL: npm run migrate-data (see the README).
`;

async function main(args: string[]): Promise<void> {
  const [command, sub, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return void process.stdout.write(HELP);
  if (args.includes('--help') || args.includes('-h')) return void process.stdout.write(HELP);
  if (command === 'admin-token' && sub === 'reset' && rest.length === 0) return resetAdminToken();
  if (command === 'doctor' && sub === undefined) {
    if (!(await doctor())) process.exitCode = 1;
    return;
  }
  if (command === 'rotate-master-key') return rotateMasterKey(args.slice(1));
  if (command === 'export') return exportConfiguration(args.slice(1));
  if (command === 'import') return importConfiguration(args.slice(1));
  if (command === 'admin-token' && sub === undefined) return void process.stdout.write(HELP);
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
