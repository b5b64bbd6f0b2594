// Online master-key rotation (issue #14): `latchkey rotate-master-key` re-seals every secret while
// two gateway nodes on the same data keep serving tool calls; killed with SIGKILL halfway, it is
// run again and finishes; nothing is lost, every node learns the new key, a gateway started on the
// new key alone serves everything, and once the old key is forgotten it opens nothing. Runs in
// both passes: on PostgreSQL the two nodes share a database as behind a balancer.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { waitUntil } from '../helpers/wait.js';
import { besideGateway, spawnLatchkey } from '../helpers/latchkey-cli.js';
import { openStore } from '../../server/db/client.js';
import { createRepositories } from '../../server/db/repositories/index.js';
import { SEALED_KINDS } from '../../server/db/repositories/sealed-values-repository.js';
import { keyIdOf, parseRecord, readKeyFile, ROTATION_KEY, sealedKeyId, sealedPrefix } from '../../server/modules/vault/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `latchkey …` against the gateway's data, as an operator runs it next to the running gateway. */
const latchkey = (gw: TestGateway, args: string[], env: Record<string, string> = {}) => spawnLatchkey(args, besideGateway(gw, env));

/** Starts the gateway process on the same data; answers once it exits (it is expected to refuse). */
function gatewayProcess(gw: TestGateway, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    DATA_DIR: gw.dataDir,
    ...(gw.config.databaseUrl ? { DATABASE_URL: gw.config.databaseUrl } : {}),
    ...env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, stderr }))));
}

/** How many sealed values are, and are not, under the key with this id; and the rotation's record. */
async function sealedState(gw: TestGateway, keyId: string) {
  const store = await openStore({ dataDir: gw.dataDir, databaseUrl: gw.config.databaseUrl }, { migrate: false });
  try {
    const repos = createRepositories(store);
    let notUnder = 0;
    let all = 0;
    for (const kind of SEALED_KINDS) {
      notUnder += await repos.sealedValues.countNotUnder(kind, sealedPrefix(keyId));
      all += await repos.sealedValues.countNotUnder(kind, sealedPrefix('none'));
    }
    const text = await repos.settings.get(ROTATION_KEY);
    return { under: all - notUnder, notUnder, record: text === undefined ? undefined : parseRecord(text) };
  } finally {
    await store.close();
  }
}

/** Tool calls in a loop on one node until stopped: every answer must be the API's. */
function callLoop(t: Parameters<typeof connectClient>[0], url: string) {
  let stop = false;
  const counts = { ok: 0, failed: 0, errors: [] as string[] };
  const running = (async () => {
    const client = await connectClient(t, url);
    while (!stop) {
      try {
        const result = await client.callTool({ name: 'listItems', arguments: { limit: 1 } });
        if (result.isError || !textOf(result).includes('"items"')) {
          counts.failed++;
          counts.errors.push(textOf(result).slice(0, 200));
        } else counts.ok++;
      } catch (err) {
        counts.failed++;
        counts.errors.push((err as Error).message);
      }
    }
  })();
  return {
    counts,
    async stop() {
      stop = true;
      await running;
      return counts;
    },
  };
}

/** The admin API of a node started with another node's admin token (LATCHKEY_ADMIN_TOKEN). */
async function adminApi(gw: TestGateway, token: string, method: string, urlPath: string, body?: unknown) {
  const res = await fetch(gw.url + urlPath, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const urlsOf = async (gw: TestGateway, token: string) => {
  const { body } = await adminApi(gw, token, 'GET', '/api/workspaces');
  return Object.fromEntries(
    (body.workspaces as { id: string; mcpUrls: Record<string, string> }[]).map((w) => [
      w.id,
      Object.values(w.mcpUrls).map((u) => u.replace(gw.url, '')),
    ]),
  );
};

t.test('rotation under load on two nodes, SIGKILL halfway, resumed; then the old key is forgotten', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t);
  const b = await startGateway(t, { dataDir: a.dataDir, env: { LATCHKEY_ADMIN_TOKEN: a.adminToken } });
  const oldKey = readKeyFile(path.join(a.dataDir, 'master.key'));
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems'] });
  const toolset = (await a.api('POST', `/api/workspaces/${ws.id}/toolsets`, { name: 'Items', tools: ['listItems'] })).body;
  // Enough sealed values for several batches: 30 workspaces, each with a live and a test URL token.
  for (let i = 0; i < 30; i++) {
    const { body } = await a.api('POST', '/api/workspaces', { name: `filler ${i}` });
    t.equal((await a.api('POST', `/api/workspaces/${body.id}/environments`, { name: 'test' })).status, 201);
  }
  const urlsBefore = await urlsOf(a, a.adminToken);
  const before = await sealedState(a, keyIdOf(oldKey));
  t.equal(before.notUnder, 0, 'everything sealed under the first key');
  t.ok(before.under >= 63, `${before.under} sealed values, a toolset's URL token among them`);

  const loadA = callLoop(t, ws.mcpUrl);
  const loadB = callLoop(t, ws.mcpUrl.replace(a.url, b.url));
  t.teardown(() => Promise.all([loadA.stop(), loadB.stop()]));
  await waitUntil(() => loadA.counts.ok > 0 && loadB.counts.ok > 0, 'calls on both nodes');

  // First run: small batches with a rest between them, killed after its first progress line.
  const first = latchkey(a, ['rotate-master-key', '--batch-size', '8', '--pause-ms', '400']);
  await waitUntil(() => /re-sealed \d+ of \d+/.test(first.stdout()), 'the first progress line');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  t.equal(killed.signal, 'SIGKILL');
  t.match(killed.stdout, /Rotating the master key of .* to key [0-9a-f]{16}; the gateway keeps serving/);
  const nextFile = path.join(a.dataDir, 'master.key.next');
  t.ok(existsSync(nextFile), 'the new key was kept on disk before any value needed it');
  const newKey = readKeyFile(nextFile);
  const newId = keyIdOf(newKey);
  const halfway = await sealedState(a, newId);
  t.equal(halfway.record?.state, 'running');
  t.ok(
    halfway.under > 0 && halfway.notUnder > 0,
    `killed halfway: ${halfway.under} values under the new key, ${halfway.notUnder} under the old`,
  );

  // Halfway, both nodes learn the new key (announced, or on the first value under it) and serve everything.
  await waitUntil(() => a.app.vault.keyId === newId && b.app.vault.keyId === newId, 'both nodes sealing under the new key');
  t.same(await urlsOf(b, a.adminToken), urlsBefore, 'node B opens every URL token, under either key');
  const late = await adminApi(b, a.adminToken, 'POST', '/api/workspaces', { name: 'made halfway' });
  t.equal(late.status, 201);
  t.equal(
    sealedKeyId((await b.app.repos.environments.list(late.body.id))[0].urlTokenSealed),
    newId,
    'what a node seals now is under the new key',
  );

  // Second run: no options; it finds the rotation and the kept key, and finishes.
  const second = await latchkey(a, ['rotate-master-key']).done;
  t.equal(second.code, 0, second.stderr);
  t.match(second.stdout, new RegExp(`Resuming the rotation of .* to key ${newId}`));
  t.match(second.stdout, /Done: \d+ values re-sealed; every value is now sealed under key/);
  t.match(second.stdout, /master\.key now holds the new key/);
  const after = await sealedState(a, newId);
  t.equal(after.notUnder, 0, 'nothing left under the old key');
  t.equal(after.under, before.under + 1, 'no value lost (and the one made halfway is there)');
  t.equal(after.record?.state, 'done');
  t.equal(keyIdOf(readKeyFile(path.join(a.dataDir, 'master.key'))), newId, 'master.key holds the new key');
  t.notOk(existsSync(nextFile));

  const countsA = await loadA.stop();
  const countsB = await loadB.stop();
  t.same(
    [countsA.failed, countsB.failed],
    [0, 0],
    `no call failed during the rotation (${countsA.ok} + ${countsB.ok} answered): ${[...countsA.errors, ...countsB.errors].slice(0, 3).join(' | ')}`,
  );
  const urlsAfter = await urlsOf(a, a.adminToken);
  delete urlsAfter[late.body.id];
  t.same(urlsAfter, urlsBefore, 'every URL token opens to what it was');

  // A node started with the old key still starts (it learns the new one) until the old is forgotten.
  const onOld = await startGateway(t, {
    dataDir: a.dataDir,
    env: { LATCHKEY_ADMIN_TOKEN: a.adminToken, LATCHKEY_MASTER_KEY: oldKey.toString('base64') },
  });
  t.equal(onOld.app.vault.keyId, newId);
  await onOld.app.close();

  // A fresh node on master.key alone (the new key) serves the calls.
  const c = await startGateway(t, { dataDir: a.dataDir, env: { LATCHKEY_ADMIN_TOKEN: a.adminToken } });
  const client = await connectClient(t, ws.mcpUrl.replace(a.url, c.url));
  t.match(textOf(await client.callTool({ name: 'listItems', arguments: { limit: 1 } })), /"items"/, 'the API key, re-sealed, still works');
  const reopened = (await adminApi(c, a.adminToken, 'GET', `/api/workspaces/${ws.id}/toolsets/${toolset.id}`)).body;
  t.equal(
    reopened.mcpUrl.replace(c.url, ''),
    toolset.mcpUrl.replace(a.url, ''),
    "the toolset's URL token, re-sealed, opens to what it was",
  );
  const viaToolset = await connectClient(t, reopened.mcpUrl);
  t.same(
    (await viaToolset.listTools()).tools.map((tool) => tool.name),
    ['listItems'],
  );

  const forget = await latchkey(a, ['rotate-master-key', '--forget-old']).done;
  t.equal(forget.code, 0, forget.stderr);
  t.match(forget.stdout, new RegExp(`The old master key \\(${keyIdOf(oldKey)}\\) is forgotten`));
  t.equal((await sealedState(a, newId)).record, undefined, 'the record (the old key sealed under the new) is gone');
  // The gateway as a user starts it, given the old key: it refuses, in one line.
  const refused = await gatewayProcess(a, { LATCHKEY_MASTER_KEY: oldKey.toString('base64') });
  t.equal(refused.code, 1, 'the old key opens nothing any more');
  t.match(
    refused.stderr,
    /not the one this data was sealed with \(the data is sealed under key id [0-9a-f]{16}; this key's id is [0-9a-f]{16}\); start with the original key, or the new one if it was rotated/,
  );

  const stored = (await storedBytes(a)).toString('latin1');
  t.notOk(stored.includes(oldKey.toString('base64')) || stored.includes(newKey.toString('base64')), 'neither key is stored in the clear');
});

t.test('keys given in LATCHKEY_MASTER_KEY: --new-key-file, and the mistakes an operator can make', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const env = (key: Buffer) => ({ LATCHKEY_MASTER_KEY: key.toString('base64') });
  const a = await startGateway(t, { env: env(oldKey) });
  const ws = await workspaceFor(t, a, upstream, { enable: ['listItems'] });
  const keyFile = path.join(a.dataDir, 'new.key');
  writeFileSync(keyFile, `${newKey.toString('base64')}\n`, { mode: 0o600 });

  const noFile = await latchkey(a, ['rotate-master-key'], env(oldKey)).done;
  t.equal(noFile.code, 2);
  t.match(noFile.stderr, /^latchkey: LATCHKEY_MASTER_KEY is set: give the new key with --new-key-file FILE/);
  const wrong = await latchkey(a, ['rotate-master-key', '--new-key-file', keyFile], env(randomBytes(32))).done;
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /^latchkey: LATCHKEY_MASTER_KEY is not the key this data was sealed with .*nothing was changed/);
  const same = await latchkey(a, ['rotate-master-key', '--new-key-file', keyFile], env(newKey)).done;
  t.equal(same.code, 2);
  t.match(same.stderr, /^latchkey: the new key is the key LATCHKEY_MASTER_KEY already holds/);
  const badOption = await latchkey(a, ['rotate-master-key', '--batch-size', '0'], env(oldKey)).done;
  t.equal(badOption.code, 2);
  t.match(badOption.stderr, /--batch-size must be a whole number of at least 1/);
  t.equal((await sealedState(a, keyIdOf(oldKey))).notUnder, 0, 'the mistakes changed nothing');

  const done = await latchkey(a, ['rotate-master-key', '--new-key-file', keyFile], env(oldKey)).done;
  t.equal(done.code, 0, done.stderr);
  t.match(done.stdout, /set LATCHKEY_MASTER_KEY to the new key on every node and restart them/);
  t.notOk(done.stdout.includes(newKey.toString('base64')) || done.stderr.includes(newKey.toString('base64')), 'the key is never printed');
  const early = await latchkey(a, ['rotate-master-key', '--forget-old'], env(oldKey)).done;
  t.equal(early.code, 1);
  t.match(early.stderr, /still the old one .*give the gateway \(every node\) the new key/);

  const b = await startGateway(t, { dataDir: a.dataDir, env: { ...env(newKey), LATCHKEY_ADMIN_TOKEN: a.adminToken } });
  const client = await connectClient(t, ws.mcpUrl.replace(a.url, b.url));
  t.match(textOf(await client.callTool({ name: 'listItems', arguments: { limit: 1 } })), /"items"/);
  const doctor = await latchkey(a, ['doctor'], env(newKey)).done;
  t.match(
    doctor.stdout,
    /ok {3}master-key rotation: finished .* once every node has the new key, run latchkey rotate-master-key --forget-old/,
  );
  const forget = await latchkey(a, ['rotate-master-key', '--forget-old'], env(newKey)).done;
  t.equal(forget.code, 0, forget.stderr);
  const again = await latchkey(a, ['rotate-master-key', '--forget-old'], env(newKey)).done;
  t.equal(again.code, 1);
  t.match(again.stderr, /No master-key rotation to finish/);
});
