// A rotation's record teaches a vault the other key, whichever of the two it was given, and has it
// seal under the new one; a vault given neither learns nothing. Derived keys stay on the
// configured key (console sessions survive the rotation).
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { createVault, keyIdOf, learnRotation, parseRecord, sealedKeyId, startRecord } from '../../../server/modules/vault/index.js';

const ctx = { workspaceId: 'ws-1', field: 'auth' };

t.test('a vault learns a key and seals under it when told', async (t) => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const vault = createVault(oldKey);
  const before = vault.seal('a', ctx);
  const derived = vault.deriveKey('console-session-v1');
  t.equal(vault.addKey(newKey), keyIdOf(newKey));
  t.equal(sealedKeyId(vault.seal('b', ctx)), keyIdOf(oldKey), 'learning a key does not change what seals');
  vault.sealWith(keyIdOf(newKey));
  const after = vault.seal('c', ctx);
  t.equal(sealedKeyId(after), keyIdOf(newKey));
  t.equal(vault.keyId, keyIdOf(newKey));
  t.equal(vault.open(before, ctx), 'a');
  t.equal(createVault(newKey).open(after, ctx), 'c', 'the new key alone opens what is sealed now');
  t.same(vault.deriveKey('console-session-v1'), derived, 'derived keys stay on the configured key');
  t.throws(() => vault.sealWith('0123456789abcdef'), RangeError);
  t.throws(() => vault.addKey(randomBytes(16)), RangeError);
});

t.test('the record teaches the other key to a vault holding either one', async (t) => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const record = parseRecord(JSON.stringify(startRecord(oldKey, newKey)));
  t.equal(record.from, keyIdOf(oldKey));
  t.equal(record.to, keyIdOf(newKey));
  t.notOk(
    JSON.stringify(record).includes(oldKey.toString('base64')) || JSON.stringify(record).includes(newKey.toString('base64')),
    'no key in the clear',
  );

  const onOld = createVault(oldKey);
  const sealedOld = onOld.seal('under old', ctx);
  t.ok(learnRotation(onOld, record), 'a vault on the old key learns the new one');
  t.equal(onOld.keyId, record.to, 'and seals under it');
  const sealedNew = onOld.seal('under new', ctx);

  const onNew = createVault(newKey);
  t.ok(learnRotation(onNew, record), 'a vault on the new key learns the old one');
  t.equal(onNew.open(sealedOld, ctx), 'under old');
  t.equal(onNew.open(sealedNew, ctx), 'under new');

  const stranger = createVault(randomBytes(32));
  t.notOk(learnRotation(stranger, record), 'a vault on neither key learns nothing');
  t.notOk(stranger.knows(record.to));
  t.throws(() => parseRecord('{"from":"x"}'), /damaged/);
});
