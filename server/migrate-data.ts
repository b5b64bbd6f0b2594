// `npm run migrate-data -- --to postgres://… [--from DATA_DIR]`: copies an SQLite install into an
// empty PostgreSQL database, then compares the row counts table by table. Exit code 0: every table
// matches; 1: the copy failed, was refused (the target is not empty) or the counts differ; 2: usage.
//
// It needs no master key: sealed values are copied as they are. The PostgreSQL nodes must then be
// given the key this install used, which is why the command ends by saying where that key is.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { copyData, TargetNotEmpty, type TableCount } from './db/copy-data.js';
import { describePostgres, openPostgresStore, openSqliteStore, type Store } from './db/client.js';

const USAGE = 'Usage: npm run migrate-data -- --to postgres://user:password@host:5432/latchkey [--from DATA_DIR]';

// A CLI's output is its interface: plain writes, not the server's logger.
const out = (line = '') => process.stdout.write(`${line}\n`);
const fail = (line: string) => process.stderr.write(`${line}\n`);

interface Options {
  to: string;
  from: string;
  /** LATCHKEY_MASTER_KEY is set: the install ran with it (it wins over master.key). */
  keyFromEnv: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({ args: argv, options: { to: { type: 'string' }, from: { type: 'string' } }, strict: true });
  if (!values.to) throw new ConfigError(`--to is required. ${USAGE}`);
  let url: URL;
  try {
    url = new URL(values.to);
  } catch {
    // Not quoted: it may hold a password.
    throw new ConfigError(`--to must be a URL such as postgres://user:password@host:5432/latchkey. ${USAGE}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError(`--to must be a postgres:// URL, got a ${url.protocol}// one.`);
  // Like the server: DATA_DIR, else ./data; --from overrides both.
  const config = loadConfig();
  return { to: values.to, from: values.from ? path.resolve(values.from) : config.dataDir, keyFromEnv: config.masterKey !== undefined };
}

/** Removes the URL and its password from a message (a driver error may quote either). */
function scrub(message: string, url: string): string {
  let text = message.split(url).join(describePostgres(url));
  const password = decodeURIComponent(new URL(url).password);
  if (password) text = text.split(password).join('***');
  return text;
}

function countsTable(tables: TableCount[]): string[] {
  const width = Math.max(...tables.map((c) => c.table.length), 'table'.length);
  const row = (a: string, b: string, c: string, d: string) => `  ${a.padEnd(width)}  ${b.padStart(10)}  ${c.padStart(10)}  ${d}`.trimEnd();
  return [
    row('table', 'source', 'target', ''),
    ...tables.map((c) => row(c.table, String(c.source), String(c.target), c.source === c.target ? 'ok' : 'MISMATCH')),
  ];
}

function masterKeyHint(opts: Options): string[] {
  const file = path.join(opts.from, 'master.key');
  const start =
    "Sealed values (credentials, URL tokens) were copied as they are: every PostgreSQL node must be started with this install's master key.";
  if (opts.keyFromEnv)
    return [
      start,
      'LATCHKEY_MASTER_KEY is set here, and the gateway prefers it to a master.key file: give every node the same LATCHKEY_MASTER_KEY, the one set now.',
    ];
  if (existsSync(file)) {
    return [
      start,
      `This install's key is in ${file}. Give every node:`,
      `  LATCHKEY_MASTER_KEY="$(cat '${file}')"`,
      'Without it, a node would generate a key of its own and refuse to start on this data.',
    ];
  }
  return [
    start,
    `No ${file} here and LATCHKEY_MASTER_KEY is unset: give every node, as LATCHKEY_MASTER_KEY, the key this install was started with.`,
  ];
}

async function run(opts: Options): Promise<number> {
  const file = path.join(opts.from, 'latchkey.db');
  // Opening would create an empty database: a mistyped --from must not copy nothing "successfully".
  if (!existsSync(file))
    throw new ConfigError(`No Latchkey data in ${opts.from} (${file} does not exist). Pass the install's data directory with --from.`);
  out(`Copying ${file} into ${describePostgres(opts.to)}.`);
  out('Stop the gateway first: calls made while the copy runs are not copied.');
  let source: Store | undefined;
  let target: Store | undefined;
  try {
    source = openSqliteStore(opts.from);
    target = await openPostgresStore(opts.to);
    const started = Date.now();
    // Big tables (the call log) report every 100,000 rows as well.
    let nextReport = 100_000;
    const result = await copyData(source, target, {
      onProgress({ table, copied, total, done }) {
        if (done) {
          out(`  ${table}: ${copied} rows`);
          nextReport = 100_000;
        } else if (copied >= nextReport && copied < total) {
          out(`  ${table}: ${copied} of ${total} rows…`);
          nextReport = copied + 100_000;
        }
      },
    });
    out();
    for (const line of countsTable(result.tables)) out(line);
    out();
    const rows = result.tables.reduce((sum, c) => sum + c.target, 0);
    if (!result.matches) {
      fail(
        `The row counts differ (see MISMATCH above): was the gateway still running on ${opts.from}? Do not point nodes at ${describePostgres(opts.to)} until this is resolved.`,
      );
      return 1;
    }
    out(`All ${result.tables.length} tables match: ${rows} rows copied in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    out();
    for (const line of masterKeyHint(opts)) out(line);
    return 0;
  } finally {
    await target?.close().catch(() => {});
    await source?.close().catch(() => {});
  }
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = options(process.argv.slice(2));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    if (!(err instanceof ConfigError)) fail(USAGE);
    process.exitCode = 2;
    return;
  }
  try {
    process.exitCode = await run(opts);
  } catch (err) {
    const message =
      err instanceof TargetNotEmpty || err instanceof ConfigError
        ? err.message
        : `migrate-data failed: ${err instanceof Error ? err.message : String(err)}`;
    fail(scrub(message, opts.to));
    if (!(err instanceof TargetNotEmpty) && !(err instanceof ConfigError))
      fail('The copy runs in one transaction: nothing of a failed copy is kept in the target.');
    process.exitCode = 1;
  }
}

await main();
