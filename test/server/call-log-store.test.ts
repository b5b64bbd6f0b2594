// The call log's batches are stored by a worker thread on its own connection; if that thread
// cannot run, they are stored on the main thread instead — never lost.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../server/db/client.js';
import { createCallLogStore } from '../../server/db/call-log-store.js';
import { createRepositories } from '../../server/db/repositories/index.js';
import type { NewCallLog } from '../../server/db/repositories/call-logs-repository.js';

async function setup(t: Test) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-store-'));
  const opened = openSqliteStore(dataDir);
  t.teardown(async () => {
    await opened.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const repos = createRepositories(opened);
  const now = new Date().toISOString();
  await repos.workspaces.insert({ id: 'ws-1', name: 'w', slug: 'w', createdAt: now, updatedAt: now });
  const writtenHere: number[] = [];
  const workerErrors: Error[] = [];
  const options = {
    database: { dataDir },
    writeHere: async (entries: NewCallLog[], touched: Map<string, string>) => {
      writtenHere.push(entries.length);
      const dropped = await repos.callLogs.insertMany(entries);
      await repos.accessKeys.touch(touched);
      return dropped;
    },
    onWorkerError: (err: Error) => workerErrors.push(err),
  };
  return { dataDir, repos, options, writtenHere, workerErrors };
}

const entry = (tool: string, workspaceId = 'ws-1'): NewCallLog => ({
  workspaceId,
  environment: 'live',
  at: new Date().toISOString(),
  tool,
  ok: true,
  durationMs: 1,
  caller: 'url',
  responseExcerpt: `answer of ${tool}`,
});

t.test('batches are stored by the worker thread, in order, and readable at once', async (t) => {
  const { repos, options, writtenHere, workerErrors } = await setup(t);
  const store = createCallLogStore(options);
  const results = await Promise.all([store.write([entry('a'), entry('b')], new Map()), store.write([entry('c')], new Map())]);
  t.same(results, [0, 0], 'nothing dropped');
  t.same(
    (await repos.callLogs.page('ws-1', { limit: 10 })).map((r) => r.tool),
    ['c', 'b', 'a'],
    'stored, newest first',
  );
  t.same(writtenHere, [], 'not on this thread');
  t.same((await repos.callLogs.page('ws-1', { limit: 1 }))[0].responseExcerpt, 'answer of c');

  t.equal(
    await store.write([entry('x', 'no-such-workspace'), entry('d')], new Map()),
    1,
    'entries of a deleted workspace are counted as dropped',
  );
  t.equal((await repos.callLogs.page('ws-1', { limit: 1 }))[0].tool, 'd', 'the rest of that batch is kept');
  await store.close();
  await store.close();
  t.same(workerErrors, [], 'the thread never failed');
});

t.test('a thread that cannot start: every batch is stored on the main thread', async (t) => {
  const { repos, options, writtenHere, workerErrors } = await setup(t);
  // The worker opens dataDir itself: a file where the directory should be makes it fail.
  const blocked = path.join(options.database.dataDir, 'not-a-dir');
  writeFileSync(blocked, '');
  const store = createCallLogStore({ ...options, database: { dataDir: blocked } });
  t.equal(await store.write([entry('a')], new Map()), 0);
  t.equal(await store.write([entry('b')], new Map()), 0);
  t.same(
    (await repos.callLogs.page('ws-1', { limit: 10 })).map((r) => r.tool),
    ['b', 'a'],
  );
  t.same(writtenHere, [1, 1]);
  t.equal(workerErrors.length, 1, 'the failure is reported once');
  await store.close();
});
