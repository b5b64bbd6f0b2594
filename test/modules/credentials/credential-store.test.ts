// The credential store on a real SQLite store: secrets go in sealed and come out typed, a summary
// never carries them, and the database file holds none of their bytes.
import t from 'tap';
import { openTempStore } from '../../helpers/temp-store.js';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRepositories } from '../../../server/db/repositories/index.js';
import { createCredentialStore } from '../../../server/modules/credentials/credential-store.js';
import { createVault } from '../../../server/modules/vault/index.js';

t.test('save, describe, open and the OAuth updates', async (t) => {
  const { store, dataDir } = openTempStore(t, 'latchkey-credstore', { watch: true });
  const heard: string[] = [];
  store.changes.subscribe((id) => heard.push(id));
  const repos = createRepositories(store);
  const credentials = createCredentialStore(repos.credentials, createVault(randomBytes(32)));
  const now = new Date().toISOString();
  await repos.workspaces.insert({ id: 'w1', name: 'w1', slug: 'w1', createdAt: now, updatedAt: now });

  const marker = `lk-credstore-${randomBytes(8).toString('hex')}`;
  const saved = await credentials.save({
    workspaceId: 'w1',
    environment: 'live',
    origin: 'https://api.example.com',
    type: 'bearer',
    publicInfo: {},
    secret: { token: marker },
  });
  t.notOk('secret' in saved || 'sealed' in saved, 'what save answers carries no secret');
  t.ok(heard.includes('w1'), 'the change is announced');
  const summary = await credentials.describe('w1', 'live');
  t.match(summary, { type: 'bearer', origin: 'https://api.example.com', health: null });
  t.notOk(JSON.stringify(summary).includes(marker), 'a summary carries no secret');
  const opened = await credentials.open('w1', 'live');
  t.same(opened?.type === 'bearer' && opened.secret, { token: marker }, 'opened, the secret is back');
  t.equal(await credentials.open('w1', 'test'), undefined, 'another environment has none');

  // OAuth: settings saved, then tokens rotated without a new version, then a connect with one.
  const info = { flow: 'client_credentials' as const, tokenUrl: 'https://auth.example.com/token', clientId: 'c1' };
  await credentials.save({
    workspaceId: 'w1',
    environment: 'test',
    origin: null,
    type: 'oauth2',
    publicInfo: info,
    secret: { clientSecret: `${marker}-client` },
  });
  const first = await credentials.open('w1', 'test');
  if (first?.type !== 'oauth2') throw new Error('expected OAuth credentials');
  await credentials.updateOAuthSecret(
    'w1',
    'test',
    { ...first.secret, tokens: { accessToken: `${marker}-access`, tokenType: 'Bearer' } },
    { connected: true },
  );
  const rotated = await credentials.open('w1', 'test');
  t.equal(rotated?.updatedAt, first.updatedAt, 'rotated tokens keep the version: connections go on');
  t.match(rotated, { secret: { tokens: { accessToken: `${marker}-access`, tokenType: 'Bearer' } }, health: { connected: true } });
  await new Promise((r) => setTimeout(r, 5));
  await credentials.connectOAuth(
    first,
    { ...first.secret, tokens: { accessToken: `${marker}-connected`, tokenType: 'Bearer' } },
    { connected: true, reconnectNeeded: false },
  );
  const connected = await credentials.open('w1', 'test');
  t.not(connected?.updatedAt, first.updatedAt, 'a new grant is a new version');
  t.match(connected, {
    type: 'oauth2',
    publicInfo: info,
    secret: { clientSecret: `${marker}-client`, tokens: { accessToken: `${marker}-connected`, tokenType: 'Bearer' } },
  });
  t.equal((await credentials.openAll('w1')).length, 2);

  await store.close();
  for (const file of readdirSync(dataDir)) {
    t.notOk(readFileSync(path.join(dataDir, file)).includes(marker), `${file} holds no secret bytes`);
  }
});

t.test('URL tokens and PKCE verifiers: sealed for their place, opened only there', async (t) => {
  const { store } = openTempStore(t, 'latchkey-credstore');
  const credentials = createCredentialStore(createRepositories(store).credentials, createVault(randomBytes(32)));
  const sealed = credentials.sealUrlToken('w1', 'test', 'lk_token_value');
  t.notOk(sealed.includes('lk_token_value'));
  t.equal(await credentials.openUrlToken({ workspaceId: 'w1', name: 'test', urlTokenSealed: sealed }), 'lk_token_value');
  await t.rejects(
    credentials.openUrlToken({ workspaceId: 'w1', name: 'live', urlTokenSealed: sealed }),
    { code: 'LK_SEAL_BROKEN' },
    'not as another environment',
  );
  await t.rejects(
    credentials.openUrlToken({ workspaceId: 'w2', name: 'test', urlTokenSealed: sealed }),
    { code: 'LK_SEAL_BROKEN' },
    'not as another workspace',
  );
  const verifier = credentials.sealVerifier('w1', 'pkce-verifier');
  t.equal(await credentials.openVerifier({ workspaceId: 'w1', verifierSealed: verifier }), 'pkce-verifier');
  await t.rejects(credentials.openVerifier({ workspaceId: 'w2', verifierSealed: verifier }), { code: 'LK_SEAL_BROKEN' });
});

t.test('a value sealed under a key this node has not learnt yet: it learns the keys once, then opens it', async (t) => {
  const { store } = openTempStore(t, 'latchkey-credstore');
  const newKey = randomBytes(32);
  const vault = createVault(randomBytes(32));
  let lessons = 0;
  const credentials = createCredentialStore(createRepositories(store).credentials, vault, async () => {
    lessons++;
    vault.addKey(newKey);
  });
  const own = credentials.sealUrlToken('w1', 'live', 'own');
  t.equal(await credentials.openUrlToken({ workspaceId: 'w1', name: 'live', urlTokenSealed: own }), 'own');
  t.equal(lessons, 0, 'a known key needs no lesson');
  const rotated = createCredentialStore(createRepositories(store).credentials, createVault(newKey)).sealUrlToken('w1', 'live', 'rotated');
  t.equal(await credentials.openUrlToken({ workspaceId: 'w1', name: 'live', urlTokenSealed: rotated }), 'rotated');
  t.equal(lessons, 1);
});
