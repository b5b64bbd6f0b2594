// The re-sealer on a real SQLite store: every sealed column moves to the new key, a value a
// gateway rewrites meanwhile is not overwritten (and is moved on the next pass), a value neither
// key opens is reported and left as it is, and what each value says is unchanged.
import t from 'tap';
import { openTempStore } from '../../helpers/temp-store.js';
import { randomBytes } from 'node:crypto';
import { createRepositories } from '../../../server/db/repositories/index.js';
import { SEALED_KINDS } from '../../../server/db/repositories/sealed-values-repository.js';
import { resealAll, sealContextOf } from '../../../server/modules/credentials/key-rotation.js';
import { createVault, sealedKeyId, sealedPrefix } from '../../../server/modules/vault/index.js';

t.test('every sealed value moves to the new key; racing writes and unopenable values are respected', async (t) => {
  const { store } = openTempStore(t, 'latchkey-reseal');
  const repos = createRepositories(store);
  const oldKey = randomBytes(32);
  const old = createVault(oldKey);
  const now = new Date().toISOString();
  const expected = new Map<string, string>();
  for (let i = 0; i < 25; i++) {
    const id = `w${String(i).padStart(2, '0')}`;
    await repos.workspaces.insert({ id, name: id, slug: id, createdAt: now, updatedAt: now });
    await repos.environments.insert({
      workspaceId: id,
      name: 'live',
      urlTokenHash: `hash-${id}`,
      urlTokenSealed: old.seal(`token-${id}`, sealContextOf('url-tokens', id, 'live')),
      baseUrlOverride: null,
      createdAt: now,
      updatedAt: now,
    });
    expected.set(`url-tokens/${id}/live`, `token-${id}`);
    if (i % 5 === 0) {
      const toolsetId = `ts-${id}`;
      await repos.toolsets.insert({
        id: toolsetId,
        workspaceId: id,
        name: 'Some tools',
        environment: 'live',
        selection: { tools: [], tags: ['items'], pathPrefixes: [] },
        urlTokenHash: `hash-${toolsetId}`,
        urlTokenSealed: old.seal(`toolset-token-${id}`, sealContextOf('toolset-url-tokens', id, toolsetId)),
        createdAt: now,
        updatedAt: now,
      });
      expected.set(`toolset-url-tokens/${id}/${toolsetId}`, `toolset-token-${id}`);
    }
    await repos.credentials.upsert({
      workspaceId: id,
      environment: 'live',
      type: 'bearer',
      publicInfo: {},
      sealed: old.seal(`secret-${id}`, sealContextOf('credentials', id, 'live')),
      updatedAt: now,
      health: null,
      refreshLeaseUntil: null,
      origin: null,
    });
    expected.set(`credentials/${id}/live`, `secret-${id}`);
  }
  await repos.oauthPending.insert({
    stateHash: 'state-1',
    workspaceId: 'w00',
    environment: 'live',
    sessionHash: 's',
    verifierSealed: old.seal('verifier', sealContextOf('oauth-pending', 'w00', 'state-1')),
    expiresAt: now,
  });
  expected.set('oauth-pending/w00/state-1', 'verifier');
  // A value sealed under a third key: no one here can open it.
  await repos.credentials.upsert({
    workspaceId: 'w24',
    environment: 'test',
    type: 'bearer',
    publicInfo: {},
    sealed: createVault(randomBytes(32)).seal('lost', sealContextOf('credentials', 'w24', 'test')),
    updatedAt: now,
    health: null,
    refreshLeaseUntil: null,
    origin: null,
  });

  const newKey = randomBytes(32);
  const vault = createVault(newKey, [oldKey]);
  const progress: number[] = [];
  const result = await resealAll(repos.sealedValues, vault, {
    batchSize: 7,
    onProgress({ done }) {
      progress.push(done);
    },
  });
  t.equal(result.resealed, 56, 'every value but the unopenable one (five toolsets among them)');
  t.same(
    result.unopenable.map((v) => `${v.kind}/${v.workspaceId}/${v.ref}`),
    ['credentials/w24/test'],
  );
  t.ok(result.settled);
  t.ok(progress.length >= 8, 'progress after each batch');

  for (const kind of SEALED_KINDS)
    t.equal(
      await repos.sealedValues.countNotUnder(kind, sealedPrefix(vault.keyId)),
      kind === 'credentials' ? 1 : 0,
      `${kind}: nothing left under the old key but the unopenable value`,
    );
  const onlyNew = createVault(newKey);
  for (const kind of SEALED_KINDS) {
    for (const v of await repos.sealedValues.listNotUnder(kind, 'x', 1000)) {
      const want = expected.get(`${kind}/${v.workspaceId}/${v.ref}`);
      if (want === undefined) continue;
      t.equal(onlyNew.open(v.sealed, sealContextOf(kind, v.workspaceId, v.ref)), want);
    }
  }
});

t.test('a value rewritten by a gateway during a batch is not overwritten, and moves on the next pass', async (t) => {
  const { store } = openTempStore(t, 'latchkey-reseal');
  const repos = createRepositories(store);
  const oldKey = randomBytes(32);
  const old = createVault(oldKey);
  const now = new Date().toISOString();
  for (const id of ['a', 'b']) {
    await repos.workspaces.insert({ id, name: id, slug: id, createdAt: now, updatedAt: now });
    await repos.credentials.upsert({
      workspaceId: id,
      environment: 'live',
      type: 'bearer',
      publicInfo: {},
      sealed: old.seal(`first-${id}`, sealContextOf('credentials', id, 'live')),
      updatedAt: now,
      health: null,
      refreshLeaseUntil: null,
      origin: null,
    });
  }
  const vault = createVault(randomBytes(32), [oldKey]);
  // A repository whose first replace of "b" finds the row rewritten by a gateway that had not
  // learnt the new key yet (sealed under the old one, new content).
  let rewrote = false;
  const racing = {
    ...repos.sealedValues,
    async replace(value: Parameters<typeof repos.sealedValues.replace>[0], resealed: string) {
      if (value.workspaceId === 'b' && !rewrote) {
        rewrote = true;
        await repos.credentials.updateSealed('b', 'live', old.seal('rotated-b', sealContextOf('credentials', 'b', 'live')), null);
      }
      return repos.sealedValues.replace(value, resealed);
    },
  };
  const result = await resealAll(racing, vault);
  t.ok(rewrote);
  t.equal(result.resealed, 2);
  t.ok(result.settled);
  const b = await repos.credentials.get('b', 'live');
  t.equal(sealedKeyId(b!.sealed), vault.keyId, 'moved on the next pass');
  t.equal(vault.open(b!.sealed, sealContextOf('credentials', 'b', 'live')), 'rotated-b', "the gateway's write survived");
});
