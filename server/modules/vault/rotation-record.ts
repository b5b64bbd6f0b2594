// A master-key rotation, as every node sees it: one settings row that says which key the data is
// moving from and to, and carries each key sealed under the other. A node configured with the old
// key learns the new one from it (and seals under it from then on); a node already given the new
// key learns the old one, so values not yet re-sealed still open. Until the operator forgets the
// old key, both open everything.
import { ConfigError } from '../../config.js';
import { createVault, keyIdOf, type Vault } from './vault.js';

export const ROTATION_KEY = 'vault_rotation';

export interface RotationRecord {
  from: string;
  to: string;
  /** The new key, sealed under the old one. */
  newKey: string;
  /** The old key, sealed under the new one. */
  oldKey: string;
  state: 'running' | 'done';
  startedAt: string;
  finishedAt: string | null;
}

const NEW_KEY_CONTEXT = { workspaceId: '_instance', field: 'rotation:new-key' };
const OLD_KEY_CONTEXT = { workspaceId: '_instance', field: 'rotation:old-key' };

export function startRecord(oldKey: Buffer, newKey: Buffer, now = new Date()): RotationRecord {
  return {
    from: keyIdOf(oldKey),
    to: keyIdOf(newKey),
    newKey: createVault(oldKey).seal(newKey.toString('base64'), NEW_KEY_CONTEXT),
    oldKey: createVault(newKey).seal(oldKey.toString('base64'), OLD_KEY_CONTEXT),
    state: 'running',
    startedAt: now.toISOString(),
    finishedAt: null,
  };
}

export function parseRecord(text: string): RotationRecord {
  const record = JSON.parse(text) as Partial<RotationRecord>;
  const fields = ['from', 'to', 'newKey', 'oldKey', 'startedAt'] as const;
  if (fields.some((f) => typeof record[f] !== 'string') || (record.state !== 'running' && record.state !== 'done')) {
    throw new ConfigError(
      `The stored master-key rotation (settings "${ROTATION_KEY}") is damaged; run latchkey rotate-master-key again with the new key.`,
    );
  }
  return record as RotationRecord;
}

/**
 * Teaches the vault the rotation's other key (whichever one it lacks, if it holds one of the two)
 * and has it seal under the new key. Answers true when the vault can open values under both.
 */
export function learnRotation(vault: Vault, record: RotationRecord): boolean {
  if (vault.knows(record.from) && !vault.knows(record.to)) vault.addKey(Buffer.from(vault.open(record.newKey, NEW_KEY_CONTEXT), 'base64'));
  if (vault.knows(record.to) && !vault.knows(record.from)) vault.addKey(Buffer.from(vault.open(record.oldKey, OLD_KEY_CONTEXT), 'base64'));
  if (!vault.knows(record.to)) return false;
  if (vault.keyId !== record.to) vault.sealWith(record.to);
  return vault.knows(record.from);
}

/** Reads the rotation (if any) and teaches it to the vault; answers it. */
export async function learnStoredRotation(
  vault: Vault,
  settings: { get(key: string): Promise<string | undefined> },
): Promise<RotationRecord | undefined> {
  const text = await settings.get(ROTATION_KEY);
  if (text === undefined) return undefined;
  const record = parseRecord(text);
  learnRotation(vault, record);
  return record;
}
