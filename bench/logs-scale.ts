// The Logs tab with millions of rows: one workspace's call log filled with 1,000,000 rows (beside
// two other workspaces' 100,000 each), then the API's page queries timed as the console makes
// them — first page, a page deep in the history (keyset: `before` an id), filtered by tool and by
// failure — and one retention step. SQLite, then PostgreSQL: the empty database BENCH_DATABASE_URL
// names, or one in a throwaway local cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../server/db/client.js';
import { createRepositories } from '../server/db/repositories/index.js';
import type { CallLogInsert } from '../server/db/repositories/call-logs-repository.js';
// @ts-expect-error: a plain .mjs module shared with the test runner, without type declarations.
import { startCluster } from '../scripts/postgres-cluster.mjs';

const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 1_000_000);
const DAY = 24 * 60 * 60 * 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn: () => Promise<unknown>, runs = 21): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function measure(label: string, store: Store): Promise<string[]> {
  const repos = createRepositories(store);
  const now = Date.now();
  const iso = new Date(now).toISOString();
  for (const id of ['big', 'other-1', 'other-2']) await repos.workspaces.insert({ id, name: id, slug: id, createdAt: iso, updatedAt: iso });
  const fillStarted = performance.now();
  const tools = ['listItems', 'getItem', 'createItem', 'deleteItem', 'searchItems', 'rareTool'];
  const fill = async (workspaceId: string, count: number) => {
    for (let i = 0; i < count; i += 10_000) {
      const batch: CallLogInsert[] = [];
      for (let j = i; j < Math.min(count, i + 10_000); j++) {
        // Spread over 60 days, oldest first; one call in 50,000 uses rareTool, one in 20 failed.
        const tool = j % 50_000 === 7 ? 'rareTool' : tools[j % 5];
        batch.push({
          workspaceId,
          at: now - 60 * DAY + Math.floor((j / count) * 60 * DAY),
          tool,
          ok: j % 20 !== 0,
          durationMs: j % 300,
          status: j % 20 ? 200 : 500,
          environment: 'live',
          caller: 'url',
          url: 'http://127.0.0.1:3456/api/items',
          responseExcerpt: `{"items":[${j}]}`,
        });
      }
      if ((await repos.callLogs.insertMany(batch)) !== 0) throw new Error('rows were dropped');
    }
  };
  await fill('other-1', ROWS / 10);
  await fill('big', ROWS);
  await fill('other-2', ROWS / 10);
  const fillS = (performance.now() - fillStarted) / 1000;

  const first = await repos.callLogs.page('big', { limit: 50 });
  const middleId = first[0].id - Math.floor(ROWS / 2);
  const rows = [
    [`first page (50)`, await timed(() => repos.callLogs.page('big', { limit: 50 }))],
    [`page from the middle (cursor)`, await timed(() => repos.callLogs.page('big', { limit: 50, before: middleId }))],
    [`filtered: tool=listItems`, await timed(() => repos.callLogs.page('big', { limit: 50, tool: 'listItems' }))],
    [`filtered: ok=false`, await timed(() => repos.callLogs.page('big', { limit: 50, ok: false }))],
    [`filtered: a tool used 20 times`, await timed(() => repos.callLogs.page('big', { limit: 50, tool: 'rareTool' }), 5)],
    [`workspace list (last call per workspace)`, await timed(() => repos.workspaces.list())],
  ] as const;
  const pruneStarted = performance.now();
  const pruned = await repos.callLogs.pruneOlderThan(new Date(now - 30 * DAY).toISOString(), 5000);
  const pruneMs = performance.now() - pruneStarted;
  const out = [`${label}: ${(ROWS * 1.2).toLocaleString('en')} rows written in ${fillS.toFixed(1)} s`];
  for (const [name, ms] of rows) out.push(`  ${name.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms (median)`);
  out.push(`  ${'one retention step (5,000 oldest rows)'.padEnd(44)} ${pruneMs.toFixed(2).padStart(8)} ms (${pruned} rows)`);
  return out;
}

async function main() {
  const lines: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-logs-bench-'));
  try {
    const sqlite = await openStore({ dataDir });
    lines.push(...(await measure('SQLite', sqlite)));
    await sqlite.close();
    const cluster = process.env.BENCH_DATABASE_URL ? undefined : await startCluster();
    try {
      const postgres = await openStore({
        dataDir,
        databaseUrl: process.env.BENCH_DATABASE_URL ?? (await cluster.createDatabase('latchkey_logs')),
      });
      lines.push(...(await measure('PostgreSQL', postgres)));
      await postgres.close();
    } finally {
      await cluster?.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nLatchkey logs-scale bench: the call log API's queries over a large log, ${os.cpus().length} cores\n\n${lines.join('\n')}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`logs bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
