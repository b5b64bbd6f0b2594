// SIGTERM under load (issue #14): the gateway stops taking connections, lets the calls in flight
// finish, answers those still waiting on their upstream when the grace period runs out with a
// clear error, flushes the call log and exits 0 — and every call it answered has its log row.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const ROOT = path.resolve(import.meta.dirname, '../..');
const GRACE_MS = 1500;

// Logs are read from the SQLite file after the process exits; the PostgreSQL pass would only repeat it.
if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'reads the SQLite file the process leaves');
  process.exit(0);
}

async function startUpstream(t: Test) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ q: url.searchParams.get('q') }));
    };
    // /slow answers long after the grace period; /fast at once.
    if (url.pathname === '/slow') setTimeout(reply, 6000).unref();
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The gateway as a process of its own, on SQLite in a temp dir; its output in `out()`. */
async function startGateway(t: Test, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lk-shutdown-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LATCHKEY_ADMIN_TOKEN: adminToken,
      LATCHKEY_RATE_LIMIT: '0',
      LATCHKEY_UPSTREAM_TIMEOUT_MS: '20000',
      LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => void child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(out)));
  });
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(url + p, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json() as Promise<any>;
  };
  return { child, exited, out: () => out, api, dataDir };
}

/** The `q` argument of every logged call, read from the SQLite file. */
function loggedQueries(dataDir: string): Set<string> {
  const db = new Database(path.join(dataDir, 'latchkey.db'), { readonly: true });
  try {
    return new Set(
      (db.prepare('select arguments from call_logs').all() as { arguments: string }[]).map(
        (row) => (JSON.parse(row.arguments) as { q: string }).q,
      ),
    );
  } finally {
    db.close();
  }
}

const spec = (upstream: string) => ({
  openapi: '3.0.3',
  info: { title: 'Shutdown', version: '1' },
  servers: [{ url: upstream }],
  paths: {
    '/fast': {
      get: {
        operationId: 'fast',
        parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
    '/slow': {
      get: {
        operationId: 'slow',
        parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
});

t.test('SIGTERM under load: answered calls all logged, waiting ones cut off with a clear error, exit 0', async (t) => {
  const upstream = await startUpstream(t);
  const { child, exited, out, api, dataDir } = await startGateway(t, { LATCHKEY_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  const ws = await api('POST', '/api/workspaces', { name: 'shutdown' });
  await api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(spec(upstream)) });

  let n = 0;
  const answered: string[] = [];
  const slowAnswers: { text: string; afterMs: number }[] = [];
  let refusedAfterClose = 0;
  const callOnce = async (tool: string): Promise<boolean> => {
    const q = `${tool}-${n++}`;
    try {
      const res = await fetch(ws.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: tool, arguments: { q } } }),
      });
      if (res.status !== 200) {
        refusedAfterClose++;
        return false;
      }
      const body = (await res.json()) as { result: { isError?: boolean; content: { text: string }[] } };
      answered.push(q);
      if (tool === 'slow') slowAnswers.push({ text: body.result.content[0].text, afterMs: performance.now() - signalledAt });
      return true;
    } catch {
      refusedAfterClose++; // the listener is closed: the connection is refused
      return false;
    }
  };
  let signalledAt = Infinity;
  const workers = Array.from({ length: 6 }, async () => {
    while (await callOnce('fast'));
  });
  const slow = Array.from({ length: 3 }, () => callOnce('slow'));
  await new Promise((r) => setTimeout(r, 400));
  const before = answered.length;
  signalledAt = performance.now();
  child.kill('SIGTERM');
  const code = await exited;
  await Promise.all([...workers, ...slow]);
  const exitMs = performance.now() - signalledAt;
  t.comment(
    `${before} calls answered before SIGTERM, ${answered.length} in all; ${refusedAfterClose} refused once closing; exit ${code} after ${exitMs.toFixed(0)} ms (grace ${GRACE_MS} ms)`,
  );
  t.equal(code, 0, 'exit 0');
  t.ok(answered.length > before, 'calls in flight at SIGTERM were answered');
  t.equal(slowAnswers.length, 3, 'each call waiting on the slow upstream was answered');
  for (const { text, afterMs } of slowAnswers) {
    t.match(text, /^The gateway is shutting down and stopped this call before the upstream answered/);
    t.ok(afterMs >= GRACE_MS - 50, `answered when the grace ran out (${afterMs.toFixed(0)} ms after SIGTERM)`);
  }

  const logged = loggedQueries(dataDir);
  const missing = answered.filter((q) => !logged.has(q));
  t.same(missing, [], `every one of the ${answered.length} answered calls has its log row`);
  t.match(out(), /the shutdown grace period ran out/);
});

t.test('kill -9 under load: only the calls answered in the last moments before it lack their log row', async (t) => {
  const upstream = await startUpstream(t);
  const { child, exited, api, dataDir } = await startGateway(t);
  const ws = await api('POST', '/api/workspaces', { name: 'kill -9' });
  await api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(spec(upstream)) });
  // The steady state: the call-log thread is up (its first rows are written). Under tsx it takes a
  // second or two to start, and rows wait in memory meanwhile.
  await fetch(ws.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: 'fast', arguments: { q: 'warm' } } }),
  });
  for (let tries = 0; tries < 200 && (await api('GET', `/api/workspaces/${ws.id}/logs?limit=1`)).items.length === 0; tries++)
    await new Promise((r) => setTimeout(r, 50));
  let n = 0;
  let running = true;
  const answeredAt = new Map<string, number>();
  const workers = Array.from({ length: 6 }, async () => {
    while (running) {
      const q = `k-${n++}`;
      try {
        const res = await fetch(ws.mcpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'fast', arguments: { q } } }),
        });
        if (res.status === 200 && !((await res.json()) as { result: { isError?: boolean } }).result.isError)
          answeredAt.set(q, performance.now());
      } catch {
        return; // the process is gone
      }
    }
  });
  await new Promise((r) => setTimeout(r, 2000));
  const killedAt = performance.now();
  child.kill('SIGKILL');
  await exited;
  running = false;
  await Promise.all(workers);
  const logged = loggedQueries(dataDir);
  const lost = [...answeredAt].filter(([q]) => !logged.has(q)).map(([, at]) => killedAt - at);
  const oldest = lost.length > 0 ? Math.max(...lost) : 0;
  t.comment(
    `${answeredAt.size} calls answered, ${lost.length} without a log row after kill -9 (${((lost.length / answeredAt.size) * 100).toFixed(2)} %), the oldest answered ${oldest.toFixed(0)} ms before the kill (the writer hands rows to its thread every 50 ms)`,
  );
  t.ok(answeredAt.size > 100, 'under load');
  // Stated bound: the last 100 ms of calls. Asserted loosely: a slow machine stretches the moment.
  t.ok(oldest < 1000, `only calls answered just before the kill are lost (oldest ${oldest.toFixed(0)} ms)`);
});
