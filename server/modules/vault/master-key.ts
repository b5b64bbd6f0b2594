// The master key comes from LATCHKEY_MASTER_KEY or from DATA_DIR/master.key, generated on first
// start. The file is created with mode 0600 atomically (wx), so two processes starting at once
// cannot end up with different keys.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../config.js';

export interface MasterKeySource {
  key: Buffer;
  /** Where it came from, for the start-up banner. */
  origin: 'env' | 'file' | 'generated';
  file?: string;
}

export function loadMasterKey(dataDir: string, fromEnv?: Buffer): MasterKeySource {
  if (fromEnv) return { key: fromEnv, origin: 'env' };
  const file = path.join(dataDir, 'master.key');
  mkdirSync(dataDir, { recursive: true });
  try {
    writeKeyFile(file, randomBytes(32));
    return { key: readKeyFile(file), origin: 'generated', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { key: readKeyFile(file), origin: 'file', file };
}

/**
 * Writes a key file the way the gateway reads it: base64 and a newline, mode 0600, created
 * atomically (`wx`: fails with EEXIST rather than replacing another key).
 */
export function writeKeyFile(file: string, key: Buffer): void {
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
}

export function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${file} does not hold base64 of 32 bytes; restore the original key file or set LATCHKEY_MASTER_KEY.`);
  }
  return key;
}
