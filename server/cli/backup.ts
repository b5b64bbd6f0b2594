// `latchkey export FILE` and `latchkey import FILE`: the whole configuration as one JSON file, every
// secret still sealed. The file says which master key sealed it (its id, and the check value sealed
// under it); import copies sealed values as they are into an install with that key, re-seals them
// under the install's own key when given the file's (--master-key-file), and otherwise refuses
// before writing anything.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { readConfiguration, writeConfiguration, BACKUP_TABLES, type BackupTables, type Row } from '../db/config-backup.js';
import { createRepositories } from '../db/repositories/index.js';
import { sealContextOf } from '../modules/credentials/key-rotation.js';
import {
  createVault,
  keyIdOf,
  opensCheck,
  parseRecord,
  readKeyFile,
  writeKeyFile,
  ROTATION_KEY,
  sealedKeyId,
  VAULT_CHECK,
  type Vault,
} from '../modules/vault/index.js';
import { configuredKey, masterKeyFile, out, parseOptions, requireData, UsageError, whereData, withStore } from './shared.js';

const FORMAT = 'latchkey-configuration';

interface ExportFile {
  format: typeof FORMAT;
  version: 1;
  exportedAt: string;
  /** The id of the master key every sealed value in the file is sealed under. */
  keyId: string;
  /** The install's check value, sealed under that key: proves a key given on import is the right one. */
  vaultCheck: string;
  tables: BackupTables;
}

/** Every sealed value of the configuration: environments' and toolsets' URL tokens, the credentials' secret. */
const SEALED_FIELDS = [
  { table: 'environments', field: 'urlTokenSealed', kind: 'url-tokens', ref: 'name' },
  { table: 'toolsets', field: 'urlTokenSealed', kind: 'toolset-url-tokens', ref: 'id' },
  { table: 'credentials', field: 'sealed', kind: 'credentials', ref: 'environment' },
] as const;

function sealedValuesOf(tables: BackupTables): { row: Row; field: string; kind: (typeof SEALED_FIELDS)[number]['kind']; ref: string }[] {
  return SEALED_FIELDS.flatMap((f) =>
    (tables[f.table] ?? []).map((row) => ({ row, field: f.field, kind: f.kind, ref: String(row[f.ref]) })),
  );
}

export async function exportConfiguration(args: string[]): Promise<void> {
  const [file, ...rest] = args;
  if (!file || file.startsWith('--')) throw new UsageError('say where to write it: latchkey export FILE (or - for standard output).');
  parseOptions(rest, {});
  if (file !== '-' && existsSync(file))
    throw new UsageError(`${file} exists already: choose a new name (an export is never written over another file).`);
  const config = loadConfig();
  requireData(config);
  const document = await withStore(config, async (store) => {
    const repos = createRepositories(store);
    const rotation = await repos.settings.get(ROTATION_KEY);
    if (rotation !== undefined && parseRecord(rotation).state === 'running') {
      throw new ConfigError('A master-key rotation is in progress: finish it (latchkey rotate-master-key), then export.');
    }
    const vaultCheck = await repos.settings.get(VAULT_CHECK.key);
    if (vaultCheck === undefined)
      throw new ConfigError(`Nothing to export in ${whereData(config)}: the gateway has not started on it yet.`);
    const keyId = sealedKeyId(vaultCheck)!;
    const tables = await readConfiguration(store);
    // Every value under one key, or an import could not open them all with one.
    const stray = sealedValuesOf(tables).filter((v) => sealedKeyId(String(v.row[v.field])) !== keyId);
    if (stray.length > 0)
      throw new ConfigError(
        `${stray.length} sealed value(s) are not under the install's key ${keyId}: run latchkey rotate-master-key --forget-old (or latchkey doctor), then export.`,
      );
    const doc: ExportFile = { format: FORMAT, version: 1, exportedAt: new Date().toISOString(), keyId, vaultCheck, tables };
    return doc;
  });
  const text = `${JSON.stringify(document)}\n`;
  if (file === '-') return void process.stdout.write(text);
  // Sealed secrets, and URL tokens that open the workspaces: only the owner reads it.
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  out(
    `Exported ${whereData(config)} to ${file} (${text.length.toLocaleString('en')} bytes; secrets sealed under master key ${document.keyId}):`,
  );
  for (const name of BACKUP_TABLES) out(`  ${name}: ${document.tables[name].length}`);
  out('Keep the master key with it: without that key (or this install), its secrets cannot be opened.');
}

function readExport(file: string): ExportFile {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file.`);
  let doc: Partial<ExportFile>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<ExportFile>;
  } catch (err) {
    throw new ConfigError(`${file} is not JSON (${(err as Error).message}): give a file made by latchkey export.`);
  }
  if (
    doc?.format !== FORMAT ||
    doc.version !== 1 ||
    typeof doc.keyId !== 'string' ||
    typeof doc.vaultCheck !== 'string' ||
    typeof doc.tables !== 'object' ||
    doc.tables === null
  ) {
    throw new ConfigError(`${file} is not a Latchkey export (version 1): give a file made by latchkey export.`);
  }
  for (const name of BACKUP_TABLES) {
    if (!Array.isArray(doc.tables[name])) throw new ConfigError(`${file} has no "${name}" table: it is damaged or not a Latchkey export.`);
  }
  return doc as ExportFile;
}

/**
 * The key this install seals with, and what opens the file's values. A fresh SQLite data dir with
 * no key yet adopts the file's key when given it.
 */
function keysFor(config: Config, doc: ExportFile, keyFile: string | undefined): { install: Buffer; fileVault: Vault; adopt?: Buffer } {
  let given: Buffer | undefined;
  if (keyFile !== undefined) {
    if (!existsSync(keyFile)) throw new UsageError(`--master-key-file ${keyFile}: no such file.`);
    given = readKeyFile(keyFile);
    if (!opensCheck(createVault(given), doc.vaultCheck))
      throw new ConfigError(`${keyFile} is not the master key the export was sealed with (key ${doc.keyId}): nothing was imported.`);
  }
  const haveKey = config.masterKey !== undefined || existsSync(masterKeyFile(config));
  if (!haveKey) {
    if (!given)
      throw new ConfigError(
        `This export is sealed under master key ${doc.keyId}, and ${config.dataDir} has no key yet: give that key with --master-key-file FILE.`,
      );
    return { install: given, fileVault: createVault(given), adopt: given };
  }
  const install = configuredKey(config).key;
  if (keyIdOf(install) === doc.keyId && opensCheck(createVault(install), doc.vaultCheck))
    return { install, fileVault: createVault(install) };
  if (!given) {
    throw new ConfigError(
      `This export is sealed under master key ${doc.keyId}, not this install's (${keyIdOf(install)}): give the key it was sealed with, --master-key-file FILE, and its secrets are re-sealed under this install's key. Nothing was imported.`,
    );
  }
  return { install, fileVault: createVault(given) };
}

export async function importConfiguration(args: string[]): Promise<void> {
  const [file, ...rest] = args;
  if (!file || file.startsWith('--')) throw new UsageError('say which file to import: latchkey import FILE [--master-key-file KEYFILE].');
  const options = parseOptions(rest, { 'master-key-file': 'value' });
  const doc = readExport(file);
  const config = loadConfig();
  const keys = keysFor(config, doc, options.get('master-key-file'));
  const installVault = createVault(keys.install);
  const reseal = keyIdOf(keys.install) !== doc.keyId;
  for (const v of sealedValuesOf(doc.tables)) {
    const context = sealContextOf(v.kind, String(v.row.workspaceId), v.ref);
    const sealed = String(v.row[v.field]);
    // Every value is opened before anything is written: a damaged one stops the import here.
    let plain: string;
    try {
      plain = keys.fileVault.open(sealed, context);
    } catch {
      throw new ConfigError(
        `A sealed value in ${file} (${v.kind} of workspace ${String(v.row.workspaceId)}) does not open with the export's key: the file is damaged. Nothing was imported.`,
      );
    }
    if (reseal) v.row[v.field] = installVault.seal(plain, context);
  }
  // An OAuth renewal lease belongs to the process that took it, in the install it came from.
  for (const row of doc.tables.credentials) row.refreshLeaseUntil = null;

  // The adopted key is on disk before the data that needs it; taken back if the import fails.
  if (keys.adopt) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeKeyFile(masterKeyFile(config), keys.adopt);
  }
  const written = await withStore(
    config,
    async (store) => {
      const repos = createRepositories(store);
      const check = await repos.settings.get(VAULT_CHECK.key);
      if (check !== undefined && !opensCheck(installVault, check))
        throw new ConfigError(
          `The master key given to this install is not the one ${whereData(config)} was sealed with: nothing was imported.`,
        );
      const counts = await writeConfiguration(store, doc.tables);
      // A gateway already running on this data loads what came in.
      await store.changes.announce('*');
      return counts;
    },
    { watch: true },
  ).catch((err: unknown) => {
    if (keys.adopt) rmSync(masterKeyFile(config), { force: true });
    throw err;
  });
  out(`Imported ${file} into ${whereData(config)}:`);
  for (const { table, rows } of written) out(`  ${table}: ${rows}`);
  if (keys.adopt) out(`${masterKeyFile(config)} now holds the export's master key (${doc.keyId}).`);
  else if (reseal) out(`Secrets re-sealed from master key ${doc.keyId} to this install's (${keyIdOf(keys.install)}).`);
  out('MCP URLs, access keys and saved credentials are as they were; the admin token is this install’s own.');
}
