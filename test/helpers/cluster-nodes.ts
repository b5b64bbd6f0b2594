// Gateway nodes as separate processes on one PostgreSQL database, as they run behind a load
// balancer: each is `server/server.ts` through tsx, with the same master key and admin token. Also
// what the multi-node tests need around them: JSON-RPC over fetch, polling with a measured delay,
// and stopping and starting the cluster's server on the same data (the database going away).
import type { Test } from 'tap';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Cluster } from './postgres.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const START_TIMEOUT_MS = 90_000;

export interface NodeOptions {
  name: string;
  databaseUrl: string;
  adminToken: string;
  /** Base64 of 32 bytes, the same on every node: they open each other's sealed values. */
  masterKey: string;
  env?: Record<string, string>;
}

// any by default: answers are JSON of many shapes, which each test checks with its asserts.
export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface GatewayNode {
  name: string;
  url: string;
  pid: number;
  adminToken: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The exit code or signal once the process has ended; undefined while it runs. */
  exited(): string | undefined;
  api<T = any>(method: string, urlPath: string, body?: unknown): Promise<Answer<T>>;
  /** kill -9, and waits for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful close), SIGKILL if it is still there after 10 s. */
  stop(): Promise<void>;
}

/**
 * This process's environment without what tap adds for its own children: NODE_OPTIONS loads tap's
 * process tracking into every node, which doubled the time ten nodes took to start.
 */
function ownEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('_TAPJS_') && !name.startsWith('TAP')),
  );
}

/** Starts one node; it is stopped in `t`'s teardown. Rejects with the node's output if it exits before listening. */
export async function startNode(t: Test, opts: NodeOptions): Promise<GatewayNode> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `lk-node-${opts.name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: {
      ...ownEnv(),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: opts.databaseUrl,
      LATCHKEY_ADMIN_TOKEN: opts.adminToken,
      LATCHKEY_MASTER_KEY: opts.masterKey,
      LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exit: string | undefined;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? `exit ${code}`;
      resolve();
    }),
  );
  async function ended(signal: NodeJS.Signals, graceMs: number) {
    if (exit === undefined) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
  t.teardown(async () => {
    await ended('SIGTERM', 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: ten nodes compiling at once on two cores take ~20 s.
    const late = setTimeout(
      () => reject(new Error(`node ${opts.name} did not listen within ${START_TIMEOUT_MS} ms:\n${out}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(late);
        resolve(m[1]);
      }
    });
    void gone.then(() => {
      clearTimeout(late);
      reject(new Error(`node ${opts.name} exited (${exit}) before listening:\n${out}`));
    });
  });

  return {
    name: opts.name,
    url,
    pid: child.pid!,
    adminToken: opts.adminToken,
    output: () => out,
    exited: () => exit,
    api: (method, urlPath, body) => request(url + urlPath, method, { authorization: `Bearer ${opts.adminToken}` }, body),
    kill: () => ended('SIGKILL', 0),
    stop: () => ended('SIGTERM', 10_000),
  };
}

/** Starts `names.length` nodes at once. */
export function startNodes(t: Test, names: string[], opts: Omit<NodeOptions, 'name'>): Promise<GatewayNode[]> {
  return Promise.all(names.map((name) => startNode(t, { ...opts, name })));
}

async function request(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let rpcId = 0;

/** One JSON-RPC request to an MCP URL (stateless Streamable HTTP answers JSON). */
export function rpc(mcpUrl: string, method: string, params: unknown = {}, headers: Record<string, string> = {}): Promise<Answer> {
  return request(
    mcpUrl,
    'POST',
    { accept: 'application/json, text/event-stream', ...headers },
    { jsonrpc: '2.0', id: ++rpcId, method, params },
  );
}

/** A tools/call that the gateway answered and the upstream call behind it succeeded. */
export function succeeded(res: Answer): boolean {
  return res.status === 200 && res.body?.result !== undefined && res.body.result.isError !== true;
}

/** The names tools/list answers, or undefined when the request was refused. */
export async function toolNames(mcpUrl: string, headers: Record<string, string> = {}): Promise<string[] | undefined> {
  const res = await rpc(mcpUrl, 'tools/list', {}, headers);
  return res.status === 200 && res.body?.result ? (res.body.result.tools as { name: string }[]).map((x) => x.name) : undefined;
}

/** The same MCP URL on another node: only the origin differs. */
export function onNode(mcpUrl: string, node: GatewayNode): string {
  const url = new URL(mcpUrl);
  return node.url + url.pathname;
}

export interface Observed {
  /** From the start to the arrival of the first answer that showed the change. */
  ms: number;
  polls: number;
}

/**
 * Polls `check` every `intervalMs` (one request at a time) until it answers true; answers the
 * delay from `since` (performance.now()) to the answer that did, or undefined after `timeoutMs`.
 */
export async function observe(
  check: () => Promise<boolean>,
  since: number,
  { intervalMs = 10, timeoutMs = 5000 } = {},
): Promise<Observed | undefined> {
  for (let polls = 1; ; polls++) {
    if (await check()) return { ms: performance.now() - since, polls };
    if (performance.now() - since > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** "min 1.2 / median 3.4 / max 5.6 ms (n = 7)" */
export function spread(values: number[]): { min: number; median: number; max: number; text: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    min,
    median,
    max,
    text: `min ${min.toFixed(1)} / median ${median.toFixed(1)} / max ${max.toFixed(1)} ms (n = ${sorted.length})`,
  };
}

interface ClusterScript {
  findBinDir(): string;
}

/**
 * Stops and starts the cluster's server keeping its data (the Cluster from ./postgres.js only
 * starts once and stops for good): the database going away under running nodes and coming back
 * on the same port.
 */
export function serverControl(cluster: Cluster) {
  const data = path.join(cluster.dataDir, 'data');
  const logFile = path.join(cluster.dataDir, 'postgres.log');
  async function pgCtl(args: string[]) {
    const script = (await import(new URL('../../scripts/postgres-cluster.mjs', import.meta.url).href)) as ClusterScript;
    const file = path.join(script.findBinDir(), 'pg_ctl');
    // PostgreSQL refuses root: as root the cluster belongs to `postgres` (scripts/postgres-cluster.mjs).
    const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    await new Promise<void>((resolve, reject) =>
      execFile(cmd, argv, { timeout: 90_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`pg_ctl ${args[0]} failed: ${stderr || stdout || err.message}`)) : resolve(),
      ),
    );
  }
  return {
    /** pg_ctl stop -m fast: sessions are ended, the data is kept. */
    stop: () => pgCtl(['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']),
    start: () => pgCtl(['start', '-D', data, '-l', logFile, '-o', `-p ${cluster.port}`, '-w', '-t', '60', '-s']),
  };
}

/** Runs one query on `url` through a connection of its own (rows untyped unless `R` is given). */
export async function query<R extends pg.QueryResultRow = any>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
