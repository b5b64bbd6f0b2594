import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVault, keyIdOf, loadMasterKey } from '../../../server/modules/vault/index.js';

const ctx = { workspaceId: 'ws-1', field: 'auth' };

t.test('round trip, with a fresh IV each time', async (t) => {
  const vault = createVault(randomBytes(32));
  const a = vault.seal('s3cret-value', ctx);
  const b = vault.seal('s3cret-value', ctx);
  t.not(a, b, 'two sealings of the same text differ');
  t.notMatch(a, 's3cret-value');
  t.equal(vault.open(a, ctx), 's3cret-value');
  t.equal(vault.open(b, ctx), 's3cret-value');
  const [format, kid, iv] = a.split('.');
  t.equal(format, 'v1');
  t.equal(kid, vault.keyId, 'the key id travels with the ciphertext');
  t.equal(Buffer.from(iv, 'base64url').length, 12, '12-byte IV');
  t.equal(vault.open(vault.seal('', ctx), ctx), '', 'empty text');
  t.equal(vault.open(vault.seal('ünïcødé ✓', ctx), ctx), 'ünïcødé ✓', 'unicode');
});

t.test('tampering is detected', async (t) => {
  const vault = createVault(randomBytes(32));
  const sealed = vault.seal('value', ctx);
  const parts = sealed.split('.');
  const flip = (text: string) => {
    const bytes = Buffer.from(text, 'base64url');
    bytes[0] ^= 1;
    return bytes.toString('base64url');
  };
  for (const i of [2, 3, 4]) {
    const tampered = [...parts];
    tampered[i] = flip(tampered[i]);
    t.throws(() => vault.open(tampered.join('.'), ctx), { code: 'LK_SEAL_BROKEN' }, `part ${i} flipped`);
  }
  t.throws(() => vault.open('garbage', ctx), { code: 'LK_SEAL_BROKEN' });
});

t.test('a ciphertext moved to another row or field does not open (AAD)', async (t) => {
  const vault = createVault(randomBytes(32));
  const sealed = vault.seal('value', ctx);
  t.throws(() => vault.open(sealed, { workspaceId: 'ws-2', field: 'auth' }), { code: 'LK_SEAL_BROKEN' });
  t.throws(() => vault.open(sealed, { workspaceId: 'ws-1', field: 'url-token' }), { code: 'LK_SEAL_BROKEN' });
});

t.test('the wrong key cannot open; a previous key can after rotation', async (t) => {
  const oldKey = randomBytes(32);
  const sealed = createVault(oldKey).seal('value', ctx);
  const other = createVault(randomBytes(32));
  t.throws(() => other.open(sealed, ctx), { code: 'LK_SEAL_BROKEN' });
  t.notOk(other.knows(keyIdOf(oldKey)));
  const rotated = createVault(randomBytes(32), [oldKey]);
  t.equal(rotated.open(sealed, ctx), 'value');
  t.not(rotated.keyId, keyIdOf(oldKey));
});

t.test('the master key file is generated once, mode 0600, and reused', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lk-key-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = loadMasterKey(dir);
  t.equal(first.origin, 'generated');
  t.equal(first.key.length, 32);
  t.equal(statSync(path.join(dir, 'master.key')).mode & 0o777, 0o600);
  const second = loadMasterKey(dir);
  t.equal(second.origin, 'file');
  t.same(second.key, first.key);
  const fromEnv = randomBytes(32);
  t.same(loadMasterKey(dir, fromEnv).key, fromEnv);
  writeFileSync(path.join(dir, 'master.key'), 'c2hvcnQ=\n');
  t.throws(() => loadMasterKey(dir), /does not hold base64 of 32 bytes/);
  t.ok(readFileSync(path.join(dir, 'master.key'), 'utf8'));
});

t.test('derived keys differ per purpose and salt, and never equal the master key', async (t) => {
  const master = randomBytes(32);
  const vault = createVault(master);
  const a = vault.deriveKey('session');
  t.equal(a.length, 32);
  t.same(vault.deriveKey('session'), a, 'deterministic: the same key after a restart');
  t.notSame(vault.deriveKey('other'), a, 'another purpose, another key');
  t.notSame(vault.deriveKey('session', Buffer.from('salt')), a, 'another salt, another key');
  t.notSame(a, master);
  t.notSame(createVault(randomBytes(32)).deriveKey('session'), a, 'another master key, another key');
});
