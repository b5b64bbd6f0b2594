// The store's transactions on SQLite's single connection: a rolled-back transaction takes none of
// the writes other requests made meanwhile, and changes are announced after the commit only.
import t, { type Test } from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTempStore } from '../helpers/temp-store.js';
import { createRepositories } from '../../server/db/repositories/index.js';

function open(t: Test) {
  const { store } = openTempStore(t, 'latchkey-tx', { watch: true });
  const heard: string[] = [];
  store.changes.subscribe((id) => heard.push(id));
  return { store, repos: createRepositories(store), heard };
}

const now = new Date().toISOString();
const workspace = (id: string) => ({ id, name: id, slug: id, createdAt: now, updatedAt: now });

t.test('a write made while a transaction waits is not rolled back with it', async (t) => {
  const { repos, heard } = open(t);
  await repos.workspaces.insert(workspace('a'));
  const failing = repos.transaction(async (tx) => {
    await repos.workspaces.update('a', { name: 'renamed in the transaction' }, now, tx);
    await sleep(50); // another request's write arrives now
    throw new Error('the upload failed');
  });
  const meanwhile = (async () => {
    await sleep(10);
    await repos.workspaces.insert(workspace('b'));
    return 'written';
  })();
  await t.rejects(failing, /the upload failed/);
  t.equal(await meanwhile, 'written');
  t.equal((await repos.workspaces.get('a'))?.name, 'a', 'the transaction rolled back');
  t.ok(await repos.workspaces.get('b'), 'the write made meanwhile is kept');
  t.notOk(heard.includes('a'), 'a rolled-back change is never announced');
});

t.test('changes inside a transaction are announced once, after the commit', async (t) => {
  const { repos, heard } = open(t);
  await repos.workspaces.insert(workspace('c'));
  let heardInside: string[] = [];
  await repos.transaction(async (tx) => {
    await repos.workspaces.update('c', { name: 'c2' }, now, tx);
    await repos.workspaces.update('c', { name: 'c3' }, now, tx);
    heardInside = [...heard];
  });
  t.same(heardInside, [], 'nothing announced before the commit');
  t.same(heard, ['c'], 'announced once after it');
  await repos.tools.setEnabled('c', {});
  await repos.workspaces.update('c', { name: 'c4' }, now);
  t.same(heard, ['c', 'c'], 'a write outside a transaction is announced at once');
});

t.test('transactions run one after another', async (t) => {
  const { repos } = open(t);
  await repos.workspaces.insert(workspace('d'));
  const order: string[] = [];
  const run = (label: string) =>
    repos.transaction(async (tx) => {
      order.push(`${label} start`);
      await sleep(20);
      await repos.workspaces.update('d', { name: label }, now, tx);
      order.push(`${label} end`);
    });
  await Promise.all([run('one'), run('two')]);
  t.same(order, ['one start', 'one end', 'two start', 'two end']);
});
