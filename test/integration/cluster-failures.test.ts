// Gateway processes on one PostgreSQL database when things go wrong (issue #12): the database goes
// away under three running nodes and comes back, and ten nodes start at once on a fresh database.
// The nodes are real processes (test/helpers/cluster-nodes.ts); the cluster's server is stopped and
// started again on the same data and port with pg_ctl.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startCluster } from '../helpers/postgres.js';
import {
  observe,
  onNode,
  query,
  rpc,
  serverControl,
  spread,
  startNodes,
  succeeded,
  toolNames,
  type GatewayNode,
} from '../helpers/cluster-nodes.js';

// These tests start a cluster of their own; the PostgreSQL pass of scripts/run-tests.mjs would only run them again.
if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'runs on a PostgreSQL cluster of its own in every pass');
  process.exit(0);
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const cluster = await startCluster();
t.teardown(() => cluster.stop());
const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
const masterKey = randomBytes(32).toString('base64');
const upstream = await startTestServer({ mode: 'apikey' });
t.teardown(() => upstream.close());

const listItems = (url: string, limit = 1) => rpc(url, 'tools/call', { name: 'listItems', arguments: { limit } });

/** Lines a node logged at level error or above, and anything it printed that is not a log line. */
function problems(node: GatewayNode): string[] {
  return node
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('Latchkey is listening on '))
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return true;
      }
    });
}

t.test('ten nodes starting at once on a fresh database apply each migration exactly once', async (t) => {
  const databaseUrl = await cluster.createDatabase();
  const started = performance.now();
  const nodes = await startNodes(
    t,
    Array.from({ length: 10 }, (_, i) => `n${i + 1}`),
    { databaseUrl, adminToken, masterKey, env: { LOG_LEVEL: 'info' } },
  );
  const listening = performance.now() - started;
  const ready = await Promise.all(
    nodes.map((node) =>
      observe(async () => (await fetch(`${node.url}/readyz`)).status === 200, started, { intervalMs: 50, timeoutMs: 30_000 }),
    ),
  );
  t.ok(ready.every(Boolean), 'all ten are ready');
  t.comment(
    `ten nodes listening ${listening.toFixed(0)} ms after they were started at once; all ready after ${Math.max(...ready.map((r) => r?.ms ?? Infinity)).toFixed(0)} ms`,
  );

  const files = readdirSync(path.join(ROOT, 'migrations', 'postgres')).filter((f) => f.endsWith('.sql'));
  const rows = await query<{ hash: string }>(databaseUrl, 'select hash from drizzle.__drizzle_migrations');
  t.equal(rows.length, files.length, `${rows.length} migration rows for ${files.length} migration files`);
  t.equal(new Set(rows.map((r) => r.hash)).size, rows.length, 'no migration applied twice');
  t.same(
    nodes.map((node) => [node.name, problems(node)]).filter(([, lines]) => lines.length > 0),
    [],
    'no node logged an error',
  );
  t.same(nodes.map((n) => n.exited()).filter(Boolean), [], 'every node is still running');

  // They share one instance: a workspace made on the first is read on the last.
  const made = await nodes[0].api('POST', '/api/workspaces', { name: 'Ten' });
  t.equal((await nodes[9].api('GET', `/api/workspaces/${made.body.id}`)).body.name, 'Ten', 'a workspace made on n1 is read on n10');
});

t.test('the database goes away and comes back under three running nodes', async (t) => {
  const databaseUrl = await cluster.createDatabase();
  const nodes = await startNodes(t, ['A', 'B', 'C'], { databaseUrl, adminToken, masterKey });
  const [a, b, c] = nodes;
  const workspace = async (name: string) => {
    const { body } = await a.api('POST', '/api/workspaces', { name });
    t.equal((await a.api('POST', `/api/workspaces/${body.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
    t.equal((await a.api('PUT', `/api/workspaces/${body.id}/auth`, { type: 'api_key', value: upstream.key })).status, 200);
    return body as { id: string; mcpUrl: string };
  };
  const warm = await workspace('Warm API');
  const cold = await workspace('Cold API');
  // Each node's calls ask for a limit of their own, so the call log tells whose rows are there.
  const limitOf = (node: GatewayNode) => nodes.indexOf(node) + 1;
  const called: Record<string, number> = { A: 0, B: 0, C: 0 };
  for (const node of nodes) {
    t.ok(succeeded(await listItems(onNode(warm.mcpUrl, node), limitOf(node))), `${node.name} has the warm workspace in memory`);
    called[node.name]++;
  }
  let logged: Record<string, number> = {};
  // Counted in the database: more rows than one page of the Logs API.
  const allLogged = async () => {
    const rows = await query<{ arguments: string; n: number }>(
      databaseUrl,
      'select arguments, count(*)::int as n from call_logs where workspace_id = $1 group by arguments',
      [warm.id],
    );
    logged = { A: 0, B: 0, C: 0 };
    for (const r of rows) logged[nodes[(JSON.parse(r.arguments) as { limit: number }).limit - 1].name] += r.n;
    return JSON.stringify(logged) === JSON.stringify(called);
  };
  // Nothing is being written when the server stops: the rows of the calls so far are in.
  t.ok(await observe(allLogged, performance.now(), { intervalMs: 100, timeoutMs: 10_000 }), 'the warm-up calls are logged');

  const server = serverControl(cluster);
  await server.stop();
  t.comment('the PostgreSQL server is stopped (pg_ctl stop -m fast)');

  for (const node of nodes) {
    const ready = await fetch(`${node.url}/readyz`);
    t.equal(ready.status, 503, `${node.name}: /readyz answers 503`);
    t.match(
      await ready.json(),
      { status: 'unavailable', database: 'unreachable', message: /database does not answer/ },
      `${node.name}: and says why`,
    );
    t.equal((await fetch(`${node.url}/healthz`)).status, 200, `${node.name}: /healthz answers 200 (alive)`);
  }
  // A steady load for a few seconds: each node's call-log batches fail, are held, and are retried
  // while new ones keep coming.
  const before = upstream.stats().requests;
  const failed: string[] = [];
  let turn = 0;
  const loadStart = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() - loadStart < 2500) {
        const node = nodes[turn++ % 3];
        const res = await listItems(onNode(warm.mcpUrl, node), limitOf(node));
        if (!succeeded(res)) failed.push(`${node.name}: ${res.status} ${res.text.slice(0, 200)}`);
        called[node.name]++;
      }
    }),
  );
  const outageCalls = upstream.stats().requests - before;
  t.same(failed, [], `${outageCalls} calls to the warm workspace over A, B, C in 2.5 s all succeed without the database`);
  t.equal(outageCalls, called.A + called.B + called.C - 3, 'each reached the upstream');

  const coldCall = await listItems(onNode(cold.mcpUrl, b));
  t.equal(coldCall.status, 503, 'a workspace B never loaded: 503');
  t.match(coldCall.body, { jsonrpc: '2.0', error: { code: -32000, message: /cannot reach its database/ } }, 'a JSON-RPC error saying why');
  t.equal(coldCall.headers.get('retry-after'), '5', 'with a Retry-After');
  const coldStream = await fetch(onNode(cold.mcpUrl, b), { headers: { accept: 'text/event-stream' } });
  t.equal(coldStream.status, 503, 'a legacy SSE stream for it: 503 too');
  t.match(await coldStream.json(), { error: { code: -32000, message: /cannot reach its database/ } }, 'saying why');
  const admin = await a.api('GET', `/api/workspaces/${warm.id}`);
  t.equal(admin.status, 503, 'the admin API without the database: 503');
  t.match(
    JSON.parse(admin.text),
    { error: { code: 'LK_DATABASE_UNAVAILABLE', message: /database does not answer/ } },
    'saying what it cannot do',
  );
  t.same(nodes.map((n) => n.exited()).filter(Boolean), [], 'no node died with its database');

  await server.start();
  const back = performance.now();
  t.comment('the PostgreSQL server is started again on the same data and port');
  const ready = await Promise.all(
    nodes.map((node) =>
      observe(async () => (await fetch(`${node.url}/readyz`)).status === 200, back, { intervalMs: 50, timeoutMs: 15_000 }),
    ),
  );
  for (const [i, r] of ready.entries()) t.ok(r && r.ms < 10_000, `${nodes[i].name}: /readyz is 200 again within seconds, not restarted`);
  t.comment(`/readyz 200 again after ${ready.map((r, i) => `${nodes[i].name} ${r?.ms.toFixed(0)} ms`).join(', ')}`);

  // Each node's LISTEN connection comes back by itself (its retries back off to 5 s apart).
  const listeners = async () =>
    (
      await query<{ n: number }>(
        databaseUrl,
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'LISTEN latchkey_changes%'",
      )
    )[0].n;
  const listening = await observe(async () => (await listeners()) === 3, back, { intervalMs: 100, timeoutMs: 15_000 });
  t.ok(listening, 'all three nodes LISTEN again');
  t.comment(`three LISTEN connections again ${listening?.ms.toFixed(0)} ms after the server started`);

  t.ok(succeeded(await listItems(onNode(cold.mcpUrl, b))), 'B loads the cold workspace now');
  t.same((await toolNames(onNode(warm.mcpUrl, c)))?.sort(), ['getItem', 'listItems', 'listUsers'], 'C lists the warm workspace');
  t.same((await toolNames(onNode(warm.mcpUrl, b)))?.sort(), ['getItem', 'listItems', 'listUsers'], 'B too');
  t.equal((await a.api('PATCH', `/api/workspaces/${warm.id}/tools/listUsers`, { enabled: false })).status, 200, 'a tool toggled off on A');
  const since = performance.now();
  const seen = await Promise.all(
    [b, c].map((node) => observe(async () => !(await toolNames(onNode(warm.mcpUrl, node)))?.includes('listUsers'), since)),
  );
  for (const [i, r] of seen.entries()) t.ok(r && r.ms < 1000, `the change reaches ${[b, c][i].name} within 1 s`);
  t.comment(`a change after the outage reached B and C after ${spread(seen.map((r) => r?.ms ?? Infinity)).text}`);

  // The rows of the calls made during the outage were held in memory by each node and are written now.
  await observe(allLogged, back, { intervalMs: 200, timeoutMs: 10_000 });
  t.same(logged, called, 'every call made through the outage is in the call log, per node');
});
