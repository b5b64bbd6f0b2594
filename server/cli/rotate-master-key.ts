// `latchkey rotate-master-key`: re-seals every sealed value under a new master key while the
// gateway keeps serving. The rotation is recorded in the database first (each key sealed under the
// other), so every node learns the new key before any value needs it and both keys open
// everything until the operator forgets the old one. Killed halfway, it is run again and goes on
// where it was: nothing is lost, because a value is only ever replaced by its re-sealed copy.
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createRepositories, type Repositories } from '../db/repositories/index.js';
import { resealAll } from '../modules/credentials/key-rotation.js';
import {
  createVault,
  keyIdOf,
  learnRotation,
  opensCheck,
  parseRecord,
  readKeyFile,
  writeKeyFile,
  ROTATION_KEY,
  sealedPrefix,
  startRecord,
  VAULT_CHECK,
  type RotationRecord,
  type Vault,
} from '../modules/vault/index.js';
import { configuredKey, intOption, masterKeyFile, out, parseOptions, requireData, UsageError, whereData, withStore } from './shared.js';

const OPTIONS = { 'new-key-file': 'value', 'batch-size': 'value', 'pause-ms': 'value', 'forget-old': 'flag' } as const;

export async function rotateMasterKey(args: string[]): Promise<void> {
  const options = parseOptions(args, OPTIONS);
  const batchSize = intOption(options, 'batch-size', 100, 1);
  const pauseMs = intOption(options, 'pause-ms', 0);
  const config = loadConfig();
  requireData(config);
  const configured = configuredKey(config);
  await withStore(
    config,
    async (store) => {
      const repos = createRepositories(store);
      const text = await repos.settings.get(ROTATION_KEY);
      const record = text === undefined ? undefined : parseRecord(text);
      const announce = () => store.changes.announce('*');
      if (options.has('forget-old')) return forgetOld(repos, configured.key, record, announce);
      const keys = await chooseKeys(config, configured, record, options.get('new-key-file'), repos);
      await rotate(config, configured.file, repos, keys, { announce, batchSize, pauseMs });
    },
    // To announce the rotation's start and end to every node.
    { watch: true },
  );
}

interface Keys {
  /** Opens values under both keys; seals under the new one. */
  vault: Vault;
  newKey: Buffer;
  /** A new rotation's record, to be stored before anything is re-sealed. */
  start?: RotationRecord;
}

/**
 * The old key and the new one, for a new rotation or for resuming one. With the key in
 * DATA_DIR/master.key and no --new-key-file, a new key is made and kept in master.key.next until
 * the rotation is done (a resumed run picks it up there).
 */
async function chooseKeys(
  config: Config,
  configured: { key: Buffer; from: string; file?: string },
  record: RotationRecord | undefined,
  newKeyFile: string | undefined,
  repos: Repositories,
): Promise<Keys> {
  const nextFile = `${masterKeyFile(config)}.next`;
  let newKey: Buffer;
  if (newKeyFile !== undefined) {
    if (!existsSync(newKeyFile)) throw new UsageError(`--new-key-file ${newKeyFile}: no such file.`);
    newKey = readKeyFile(newKeyFile);
  } else if (configured.file && existsSync(nextFile)) {
    newKey = readKeyFile(nextFile);
  } else if (record?.state === 'running' && keyIdOf(configured.key) === record.to) {
    newKey = configured.key;
  } else if (configured.file) {
    newKey = randomBytes(32);
  } else {
    throw new UsageError(
      'LATCHKEY_MASTER_KEY is set: give the new key with --new-key-file FILE (make one with: openssl rand -base64 32 > FILE; keep it as safe as the old one).',
    );
  }
  const configuredId = keyIdOf(configured.key);
  const newId = keyIdOf(newKey);

  if (record && (record.state === 'running' || newId === record.to)) {
    if (newId !== record.to) {
      throw new ConfigError(
        `A rotation to master key ${record.to} is in progress (started ${record.startedAt}); finish it first: run latchkey rotate-master-key again with that key.`,
      );
    }
    if (configuredId !== record.from && configuredId !== record.to) {
      throw new ConfigError(`${configured.from} is neither the rotation's old key (${record.from}) nor its new one (${record.to}).`);
    }
    // Resuming: the key not configured comes out of the record.
    const vault = createVault(configured.key);
    learnRotation(vault, record);
    return { vault, newKey };
  }
  if (record && configuredId === record.from) {
    throw new ConfigError(
      `${configured.from} was rotated out (to master key ${record.to}, ${record.finishedAt ?? record.startedAt}): configure the new key, then rotate from it.`,
    );
  }
  if (newId === configuredId) throw new UsageError(`the new key is the key ${configured.from} already holds.`);
  const check = await repos.settings.get(VAULT_CHECK.key);
  if (check !== undefined && !opensCheck(createVault(configured.key), check)) {
    throw new ConfigError(`${configured.from} is not the key this data was sealed with (${whereData(config)}): nothing was changed.`);
  }
  return { vault: createVault(newKey, [configured.key]), newKey, start: startRecord(configured.key, newKey) };
}

/** Writes `key` to `file` (mode 0600) unless the file already holds it; refuses to overwrite another key. */
function keepKey(file: string, key: Buffer): void {
  if (existsSync(file)) {
    if (readKeyFile(file).equals(key)) return;
    throw new ConfigError(
      `${file} holds another key, left by a rotation that was not finished: run latchkey rotate-master-key without --new-key-file to finish that one.`,
    );
  }
  writeKeyFile(file, key);
}

async function rotate(
  config: Config,
  keyFile: string | undefined,
  repos: Repositories,
  keys: Keys,
  opts: { announce(): Promise<void>; batchSize: number; pauseMs: number },
): Promise<void> {
  const { vault, newKey } = keys;
  const nextFile = `${masterKeyFile(config)}.next`;
  // The new key is on disk before any value depends on it.
  if (keyFile) keepKey(nextFile, newKey);
  if (keys.start) {
    await repos.settings.put(ROTATION_KEY, JSON.stringify(keys.start));
    out(`Rotating the master key of ${whereData(config)} to key ${vault.keyId}; the gateway keeps serving.`);
  } else {
    out(`Resuming the rotation of ${whereData(config)} to key ${vault.keyId}.`);
  }
  // Every node learns the new key now, and seals under it from then on.
  await opts.announce();

  let lastPrinted = 0;
  const result = await resealAll(repos.sealedValues, vault, {
    batchSize: opts.batchSize,
    pauseMs: opts.pauseMs,
    onProgress({ done, total }) {
      const now = Date.now();
      if (now - lastPrinted < 500 && done < total) return;
      lastPrinted = now;
      out(`  re-sealed ${done} of ${total} values`);
    },
  });
  if (result.unopenable.length > 0) {
    for (const v of result.unopenable) out(`  cannot open: ${v.kind} of workspace ${v.workspaceId} (${v.ref})`);
    throw new ConfigError(
      `${result.unopenable.length} sealed value(s) open with neither key (damaged, or sealed under a third key); they were left as they are and the rotation stays in progress.`,
    );
  }
  if (!result.settled) {
    throw new ConfigError('Values kept being written under the old key (a node that did not learn the new one?); run the command again.');
  }
  const check = await repos.settings.get(VAULT_CHECK.key);
  if (check !== undefined && !check.startsWith(sealedPrefix(vault.keyId))) {
    await repos.settings.replaceIf(VAULT_CHECK.key, check, vault.seal(vault.open(check, VAULT_CHECK.context), VAULT_CHECK.context));
  }
  const record = parseRecord((await repos.settings.get(ROTATION_KEY))!);
  await repos.settings.put(
    ROTATION_KEY,
    JSON.stringify({ ...record, state: 'done', finishedAt: record.finishedAt ?? new Date().toISOString() }),
  );
  await opts.announce();
  out(`Done: ${result.resealed} values re-sealed; every value is now sealed under key ${vault.keyId}. Both keys still open them.`);
  if (keyFile) {
    renameSync(nextFile, keyFile);
    out(`${keyFile} now holds the new key: the gateway uses it from its next start (it has learnt it already).`);
    out('When it has restarted, run latchkey rotate-master-key --forget-old: the old key then opens nothing here.');
  } else {
    out('Next: set LATCHKEY_MASTER_KEY to the new key on every node and restart them (one at a time is fine: both keys work meanwhile);');
    out('then run latchkey rotate-master-key --forget-old (with the new key set): the old key then opens nothing here.');
  }
}

/** After a finished rotation, with the new key configured: one more sweep, then the record (the old key sealed under the new) goes. */
async function forgetOld(
  repos: Repositories,
  configured: Buffer,
  record: RotationRecord | undefined,
  announce: () => Promise<void>,
): Promise<void> {
  if (!record) throw new ConfigError('No master-key rotation to finish: nothing to forget.');
  if (record.state !== 'done')
    throw new ConfigError(`The rotation to key ${record.to} is not finished: run latchkey rotate-master-key again with the new key first.`);
  if (keyIdOf(configured) !== record.to) {
    throw new ConfigError(
      `The configured master key is still the old one (${record.from}): give the gateway (every node) the new key ${record.to} and restart it first.`,
    );
  }
  const vault = createVault(configured);
  learnRotation(vault, record);
  // Values a node sealed under the old key before it heard of the rotation.
  const swept = await resealAll(repos.sealedValues, vault);
  if (swept.unopenable.length > 0 || !swept.settled)
    throw new ConfigError('Some values could not be moved to the new key; nothing was forgotten. Run latchkey doctor.');
  await repos.settings.remove(ROTATION_KEY);
  await announce();
  out(
    `The old master key (${record.from}) is forgotten: nothing here is sealed under it${swept.resealed ? ` (${swept.resealed} late values moved)` : ''}. Destroy every copy of it.`,
  );
}
