// `tsx bench/spec-scale.ts`: GitHub's REST description (13 MB, ~1,200 operations) against a real
// gateway process. Measures the upload + import time, the gateway's peak memory, and `tools/list`
// latency afterwards with every tool enabled (the list is built once per workspace version, so
// each answer after the first should cost little more than writing the JSON).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const SPEC = process.env.GITHUB_OPENAPI_JSON ?? require.resolve('@octokit/openapi/generated/api.github.com.json');
const LIST_CALLS = Number(process.env.BENCH_LIST_CALLS ?? 50);
const children: ChildProcess[] = [];

function startGateway(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
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

/** One raw JSON-RPC POST, as a Streamable HTTP client sends it; answers the time and the body size. */
async function listTools(mcpUrl: string, id: number): Promise<{ ms: number; bytes: number; tools: number }> {
  const started = performance.now();
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list', params: {} }),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`tools/list: ${res.status} ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text) as { result?: { tools: unknown[] }; error?: unknown };
  if (!parsed.result) throw new Error(`tools/list: ${text.slice(0, 300)}`);
  return { ms, bytes: Buffer.byteLength(text), tools: parsed.result.tools.length };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mib = (n: number) => `${n.toFixed(0)} MiB`;
const row = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(38)}${value}\n`);

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

    const first = await listTools(ws.mcpUrl, 0);
    const times: number[] = [];
    let last = first;
    for (let i = 1; i <= LIST_CALLS; i++) {
      last = await listTools(ws.mcpUrl, i);
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    const afterList = memoryOf(pid);

    process.stdout.write(
      `\nLatchkey spec-scale bench: ${path.basename(SPEC)} (${(statSync(SPEC).size / 1024 / 1024).toFixed(1)} MiB, OpenAPI ${spec.openapi}) on ${os.cpus().length} cores, node ${process.version}\n\n`,
    );
    row('upload + import (one POST)', `${(importMs / 1000).toFixed(2)} s  -> ${spec.toolCount} tools, ${spec.warnings.length} warnings`);
    if (before && afterImport && afterList) {
      row('gateway RSS before upload', mib(before.rss));
      row('gateway peak RSS during import', `${mib(afterImport.peak)}  (+${mib(afterImport.peak - before.peak)} over the peak before)`);
      row('gateway RSS after import', mib(afterImport.rss));
      row('gateway RSS after tools/list', `${mib(afterList.rss)}  (peak ${mib(afterList.peak)})`);
    }
    row('tools/list, first (builds the list)', `${first.ms.toFixed(1)} ms`);
    row(`tools/list x${LIST_CALLS}, p50 / p99`, `${percentile(times, 50).toFixed(1)} ms / ${percentile(times, 99).toFixed(1)} ms`);
    row('tools/list answer', `${last.tools} tools, ${(last.bytes / 1024 / 1024).toFixed(2)} MiB of JSON`);
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
