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
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return { key: readKeyFile(file), origin: 'generated', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { key: readKeyFile(file), origin: 'file', file };
}

export function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${file} does not hold base64 of 32 bytes; restore the original key file or set LATCHKEY_MASTER_KEY.`);
  }
  return key;
}
