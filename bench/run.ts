// `npm run bench`: what the gateway adds to a tool call, measured against calling the test server
// directly, in one run on this machine. Everything listens on 127.0.0.1 and every loop is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error: a plain .mjs module shared with the test runner, without type declarations.
import { startCluster } from '../scripts/postgres-cluster.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const LOAD = path.join(ROOT, 'bench', 'load.mjs');
const children: ChildProcess[] = [];
let cluster: { createDatabase(name?: string): Promise<string>; stop(): Promise<void> } | undefined;

function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

/** The fields of load.mjs's JSON line that the report uses. */
interface LoadOutput {
  throughput_rps: number;
  latency_ms: { p50: number; p90: number; p99: number };
  errors: number;
  ok: number;
  cpu_ms_per_call?: number;
  main_thread_cpu_ms_per_call?: number;
  fatal?: string;
}

interface LoadResult {
  calls_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  cpuMsPerCall?: number;
  /** The gateway's event loop alone (its main thread): the hot path, without the call-log thread. */
  mainMsPerCall?: number;
  /** PostgreSQL's own processes (writing the call logs), per call. */
  databaseMsPerCall?: number;
}

/** CPU (user+sys, ms) of a PostgreSQL cluster: the postmaster and every process it started (Linux /proc). */
function postgresCpuMs(clusterDir: string): number {
  const postmaster = Number(readFileSync(path.join(clusterDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(entry) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / 100;
}

function runLoad(args: string[]): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      let parsed: LoadOutput;
      try {
        parsed = JSON.parse(line) as LoadOutput;
      } catch {
        return reject(new Error(`load.mjs exited ${code}: ${out}\n${err}`));
      }
      if (parsed.fatal || code !== 0) return reject(new Error(`load.mjs failed: ${parsed.fatal ?? line}\n${err}`));
      resolve({
        calls_per_s: parsed.throughput_rps,
        p50_ms: parsed.latency_ms.p50,
        p99_ms: parsed.latency_ms.p99,
        errors: parsed.errors,
        cpuMsPerCall: parsed.cpu_ms_per_call,
        mainMsPerCall: parsed.main_thread_cpu_ms_per_call,
      });
    });
  });
}

async function admin(base: string, token: string, method: string, p: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

const fmt = (n: number, d = 2) => n.toFixed(d).padStart(9);

async function main() {
  const n = Number(process.env.BENCH_CALLS ?? 8000);
  // Unmeasured calls before each row. The figures are the steady state a long-running gateway
  // serves at: with a few hundred, the rows measured V8 compiling the hot path (the gateway's and
  // the load generator's own) rather than the path itself, and the direct row ran at a third of
  // its steady-state rate.
  const warmup = Number(process.env.BENCH_WARMUP ?? 4000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  const key = `ts_${randomBytes(8).toString('hex')}`;
  const adminToken = `bench-${randomBytes(12).toString('hex')}`;
  try {
    const upstream = await startProcess(
      ['--import', 'tsx', 'test-server/main.ts', '--mode', 'apikey', '--port', '0', '--key', key],
      {},
      /listening on (http:\/\/[\d.:]+)/,
    );
    const upstreamUrl = upstream.match[1];
    // The compiled server, as `npm start` runs it (npm run bench builds it first).
    const gateway = await startProcess(
      ['dist/server/server.js'],
      {
        PORT: '0',
        DATA_DIR: dataDir,
        LATCHKEY_ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
        LATCHKEY_RATE_LIMIT: '0',
        LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      /listening on (http:\/\/[\d.:]+)/,
    );
    const gatewayUrl = gateway.match[1];
    const floor = await startProcess(['bench/floor-proxy.mjs', upstreamUrl, key], {}, /listening on (http:\/\/[\d.:]+)/);
    const floorUrl = floor.match[1];

    // The same gateway on PostgreSQL, in a throwaway cluster: the hot path reads no database, so its
    // row should match the SQLite one (issue #12's target: within 10 %).
    const pg = await startCluster();
    cluster = pg;
    const pgGateway = await startProcess(
      ['dist/server/server.js'],
      {
        PORT: '0',
        DATA_DIR: dataDir + '-pg',
        DATABASE_URL: await pg.createDatabase('latchkey_bench'),
        LATCHKEY_ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
        LATCHKEY_RATE_LIMIT: '0',
        LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      /listening on (http:\/\/[\d.:]+)/,
    );
    const pgGatewayUrl = pgGateway.match[1];

    const workspaceOn = async (base: string) => {
      const ws = await admin(base, adminToken, 'POST', '/api/workspaces', { name: 'bench' });
      await admin(base, adminToken, 'POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstreamUrl}/openapi.json` });
      await admin(base, adminToken, 'PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: key });
      return ws;
    };
    const ws = await workspaceOn(gatewayUrl);
    const pgWs = await workspaceOn(pgGatewayUrl);
    // The same API served in OpenAI's strict form: each call's arguments are mapped back first.
    const openaiWs = await workspaceOn(gatewayUrl);
    await admin(gatewayUrl, adminToken, 'PATCH', `/api/workspaces/${openaiWs.id}`, { schemaProfile: 'openai' });

    const rows: {
      label: string;
      c: number;
      direct: LoadResult;
      floor: LoadResult;
      gateway: LoadResult;
      modern: LoadResult;
      openai: LoadResult;
      postgres: LoadResult;
    }[] = [];
    for (const c of [1, 16]) {
      const common = ['-n', String(n), '-c', String(c), '--expect', 'widget-0010', '--warmup', String(warmup), '--max-seconds', '60'];
      const direct = await runLoad([
        '--direct',
        '--url',
        `${upstreamUrl}/api/items`,
        '--key',
        key,
        '--cpu-pid',
        String(upstream.child.pid),
        ...common,
      ]);
      const viaFloor = await runLoad([
        '--direct',
        '--url',
        `${floorUrl}/api/items`,
        '--key',
        key,
        '--cpu-pid',
        String(floor.child.pid),
        ...common,
      ]);
      /** tools/call listItems at a gateway, its process's CPU (and its main thread's) measured. */
      const viaMcp = (url: string, pid: number | undefined, ...extra: string[]) =>
        runLoad(['--url', url, '--tool', 'listItems', ...extra, '--cpu-pid', String(pid), '--cpu-main-thread', String(pid), ...common]);
      const viaGateway = await viaMcp(ws.mcpUrl, gateway.child.pid);
      // The same gateway and calls over MCP 2026-07-28 (no handshake, _meta and headers checked per request).
      const viaModern = await viaMcp(ws.mcpUrl, gateway.child.pid, '--protocol-version', '2026-07-28');
      // Strict mode's model fills every property: the optional `q` as null, which means "left out".
      const viaOpenAi = await viaMcp(openaiWs.mcpUrl, gateway.child.pid, '--args', '{"limit":20,"q":null}');
      const database0 = postgresCpuMs(pg.dataDir);
      const viaPostgres = await viaMcp(pgWs.mcpUrl, pgGateway.child.pid);
      // The log rows of the last calls reach the database within the writer's flush interval.
      await new Promise((r) => setTimeout(r, 500));
      viaPostgres.databaseMsPerCall = (postgresCpuMs(pg.dataDir) - database0) / n;
      rows.push({
        label: 'listItems',
        c,
        direct,
        floor: viaFloor,
        gateway: viaGateway,
        modern: viaModern,
        openai: viaOpenAi,
        postgres: viaPostgres,
      });
    }

    // Every call is logged off the hot path (a worker thread in the compiled server): check it was.
    const logged = await admin(gatewayUrl, adminToken, 'GET', `/api/workspaces/${ws.id}/logs?limit=1`);
    if (logged.items.length !== 1 || logged.items[0].tool !== 'listItems')
      throw new Error(`the call log is empty after the runs: ${JSON.stringify(logged)}`);

    process.stdout.write(
      `\nLatchkey bench: listItems (20 items), ${n} calls per row, each after ${warmup} unmeasured; ${os.cpus().length} cores, node ${process.version}\n`,
    );
    process.stdout.write(
      'direct: the test server itself; floor: the least a proxy adds; gateway: MCP tools/call through Latchkey (SQLite);\n',
    );
    process.stdout.write('gw-2026: the same gateway spoken to in MCP 2026-07-28 (per-request _meta and headers, no handshake);\n');
    process.stdout.write("gw-oai: the same gateway, a workspace on the openai schema profile (each call's arguments mapped back);\n");
    process.stdout.write('postgres: the same through a gateway whose store is PostgreSQL (a throwaway local cluster).\n');
    process.stdout.write('The load generator, the servers and the gateway share this machine: compare rows of one run.\n\n');
    // CPU ms per call is that of the serving process only (test server for direct, gateway for
    // gateway): less sensitive to a noisy machine than wall-clock figures.
    // "loop ms/call" is the gateway's main thread alone: the hot path, without its call-log thread.
    process.stdout.write('  c  path        calls/s    p50 ms    p99 ms  cpu ms/call  loop ms/call  errors\n');
    for (const r of rows) {
      for (const [name, x] of [
        ['direct', r.direct],
        ['floor', r.floor],
        ['gateway', r.gateway],
        ['gw-2026', r.modern],
        ['gw-oai', r.openai],
        ['postgres', r.postgres],
      ] as const) {
        process.stdout.write(
          `${String(r.c).padStart(3)}  ${name.padEnd(8)}${fmt(x.calls_per_s, 0)} ${fmt(x.p50_ms)} ${fmt(x.p99_ms)} ${fmt(x.cpuMsPerCall ?? NaN, 3)}  ${x.mainMsPerCall === undefined ? '           -' : fmt(x.mainMsPerCall, 3)}    ${String(x.errors).padStart(4)}\n`,
        );
      }
      const added = r.gateway.p50_ms - r.direct.p50_ms;
      const ratio = r.gateway.calls_per_s / r.direct.calls_per_s;
      const floorAdded = r.floor.p50_ms - r.direct.p50_ms;
      const floorRatio = r.floor.calls_per_s / r.direct.calls_per_s;
      process.stdout.write(`     gateway adds ${added.toFixed(2)} ms at p50; keeps ${(ratio * 100).toFixed(0)} % of direct throughput\n`);
      process.stdout.write(
        `     (floor: a bare node:http+undici proxy adds ${floorAdded.toFixed(2)} ms and keeps ${(floorRatio * 100).toFixed(0)} %;`,
      );
      process.stdout.write(
        ` the gateway serves ${((r.gateway.calls_per_s / r.floor.calls_per_s) * 100).toFixed(0)} % of the floor's calls/s)\n`,
      );
      const pct = (a = NaN, b = NaN) => `${((a / b) * 100).toFixed(0)} %`;
      process.stdout.write(
        `     in 2026-07-28: ${pct(r.modern.calls_per_s, r.gateway.calls_per_s)} of the 2025 calls/s; CPU per call on the event loop ${pct(r.modern.mainMsPerCall, r.gateway.mainMsPerCall)} of 2025's\n`,
      );
      process.stdout.write(
        `     openai profile: ${pct(r.openai.calls_per_s, r.gateway.calls_per_s)} of default's calls/s; CPU per call on the event loop ${pct(r.openai.mainMsPerCall, r.gateway.mainMsPerCall)} of default's\n`,
      );
      process.stdout.write(
        `     on PostgreSQL: ${pct(r.postgres.calls_per_s, r.gateway.calls_per_s)} of the SQLite gateway's calls/s; CPU per call on the event loop (the hot path) ${pct(r.postgres.mainMsPerCall, r.gateway.mainMsPerCall)} of SQLite's,`,
      );
      process.stdout.write(
        ` whole process ${pct(r.postgres.cpuMsPerCall, r.gateway.cpuMsPerCall)}; PostgreSQL's own processes ${fmt(r.postgres.databaseMsPerCall ?? NaN, 3).trim()} ms/call (the call-log inserts)\n\n`,
      );
    }
    const c1 = rows.find((r) => r.c === 1)!;
    const c16 = rows.find((r) => r.c === 16)!;
    process.stdout.write(
      `targets: p50 added at c=1 <= 1 ms: ${(c1.gateway.p50_ms - c1.direct.p50_ms).toFixed(2)} ms; throughput kept at c=16 >= 50 %: ${((c16.gateway.calls_per_s / c16.direct.calls_per_s) * 100).toFixed(0)} %\n`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dataDir + '-pg', { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  for (const child of children) child.kill('SIGKILL');
  void cluster?.stop().finally(() => process.exit(1));
});
