// AES-256-GCM sealing of secrets at rest. Each sealed value carries the id of the key that sealed
// it (so the master key can be rotated later) and is bound to where it lives through additional
// authenticated data: a ciphertext copied to another workspace or field fails to open.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { SealBroken } from '../../errors.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** Where a sealed value belongs, e.g. `{ workspaceId, field: 'auth' }`. Part of the AAD. */
export interface SealContext {
  workspaceId: string;
  field: string;
}

export interface Vault {
  /**
   * The id of the key new values are sealed under: not secret, derived from the key by a one-way
   * hash. The configured master key's, or a rotation's new key once this vault has learnt it.
   */
  readonly keyId: string;
  seal(plaintext: string, context: SealContext): string;
  open(sealed: string, context: SealContext): string;
  /** True when this vault can open values sealed under `keyId`. */
  knows(keyId: string): boolean;
  /** Another key that opens values (a master-key rotation's other key); answers its id. */
  addKey(key: Buffer): string;
  /** Seals new values under a key this vault knows (a rotation's new key) from now on. */
  sealWith(keyId: string): void;
  /**
   * A 32-byte key for another purpose (e.g. signing session cookies), derived from the master key
   * with HKDF-SHA256: the master key itself never leaves the vault, and each purpose gets its own.
   * Always from the configured key, so a rotation in progress does not end console sessions.
   */
  deriveKey(purpose: string, salt?: Buffer): Buffer;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('latchkey-key-id:').update(key).digest('hex').slice(0, 16);
}

/** The id of the key a value was sealed under (read from the value; undefined if it is not one). */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === FORMAT ? parts[1] : undefined;
}

/** What every value sealed under `keyId` starts with (for finding them in the database). */
export const sealedPrefix = (keyId: string) => `${FORMAT}.${keyId}.`;

function aad(keyId: string, context: SealContext): Buffer {
  // Length-prefixed so that no two different contexts can produce the same bytes.
  const parts = [FORMAT, keyId, context.workspaceId, context.field];
  return Buffer.from(parts.map((p) => `${p.length}:${p}`).join('|'), 'utf8');
}

/**
 * Sealed format: `v1.<keyId>.<iv b64url>.<ciphertext b64url>.<tag b64url>`. Older keys may be passed
 * in `previousKeys` so values sealed before a rotation still open.
 */
export function createVault(masterKey: Buffer, previousKeys: Buffer[] = []): Vault {
  if (masterKey.length !== 32) throw new RangeError('The master key must be 32 bytes.');
  const keys = new Map<string, Buffer>();
  const addKey = (key: Buffer) => {
    if (key.length !== 32) throw new RangeError('A master key must be 32 bytes.');
    const id = keyIdOf(key);
    keys.set(id, key);
    return id;
  };
  for (const key of [masterKey, ...previousKeys]) addKey(key);
  let keyId = keyIdOf(masterKey);
  let sealingKey = masterKey;

  return {
    get keyId() {
      return keyId;
    },
    knows: (id) => keys.has(id),
    addKey,
    sealWith(id) {
      const key = keys.get(id);
      if (!key) throw new RangeError(`No key with id ${id} is known.`);
      keyId = id;
      sealingKey = key;
    },
    deriveKey: (purpose, salt = Buffer.alloc(0)) => Buffer.from(hkdfSync('sha256', masterKey, salt, `latchkey:${purpose}`, 32)),
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, sealingKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(keyId, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [FORMAT, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== FORMAT) throw new SealBroken('unknown format');
      const [, id, ivText, ciphertextText, tagText] = parts;
      const key = keys.get(id);
      if (!key) throw new SealBroken(`sealed with key ${id}, which is not the current master key`);
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealBroken('malformed value');
      try {
        const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(id, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // GCM does not say why: tampered bytes, another row's ciphertext and a wrong key look alike.
        throw new SealBroken('authentication failed');
      }
    },
  };
}
