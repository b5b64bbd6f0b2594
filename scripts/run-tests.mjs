#!/usr/bin/env node
// `npm test`: runs the tap suite and ends with one line, `N passed, N failed`, that CI and people
// can read at a glance. Extra arguments go to tap (e.g. `npm test -- test/integration`).
//
// Two passes when the run includes test/integration (the whole suite, or paths under it): first
// everything on SQLite, then the integration files again on PostgreSQL — one throwaway cluster
// (scripts/postgres-cluster.mjs) started before that pass and stopped after, every gateway a test
// starts getting a database of its own on it (test/helpers/gateway.ts). The last line sums both.
// `npm test -- --no-postgres`, or LATCHKEY_TEST_POSTGRES=0, skips the PostgreSQL pass for a
// quick local run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureChromium, ensureWebBuild } from './setup-browser-tests.mjs';
import { findBinDir, startCluster } from './postgres-cluster.mjs';

// Integration files that run once, in the first pass: each starts PostgreSQL clusters of its own
// where it needs them, so a second pass would repeat it word for word. Keep it short.
const SQLITE_ONLY = [
  'test/integration/migrate-data.test.ts', // moves an SQLite install into a cluster it starts itself
  'test/integration/shared-rate-limit.test.ts', // three gateways on a cluster of its own
  'test/integration/cluster.test.ts', // gateway processes on a cluster of its own
  'test/integration/cluster-failures.test.ts', // the same, and the cluster stopped under them
  'test/integration/shutdown.test.ts', // reads the SQLite file a gateway process leaves
  'test/integration/cli.test.ts', // the CLI on a data directory of its own
  'test/integration/modern-protocol.test.ts', // the wire protocol, which no database changes
  'test/integration/graph-beta.test.ts', // a 47 MB import; toolsets and tool modes cover the large-API tables on PostgreSQL
  'test/integration/tool-modes.test.ts', // search reads no table; toolsets.test.ts runs GitHub, keys' tool modes and search on both
];

const require = createRequire(import.meta.url);
const tapBin = path.join(path.dirname(require.resolve('tap/package.json')), 'dist', 'esm', 'run.mjs');
const argv = process.argv.slice(2);
const skipPostgres = argv.includes('--no-postgres') || process.env.LATCHKEY_TEST_POSTGRES === '0';
const args = argv.filter((a) => a !== '--no-postgres');
// Paths select test files; everything else is a tap option (and its value) and goes to both passes.
const paths = args.filter((a) => !a.startsWith('-') && existsSync(a));
const options = args.filter((a) => !paths.includes(a));
const within = (child, parent) => {
  const [c, p] = [path.resolve(child), path.resolve(parent)];
  return c === p || c.startsWith(p + path.sep);
};
// A path covers a dir when it lies in it (a file, a subdir) or contains it (`test`, `.`).
const covers = (selected, dir) => within(selected, dir) || within(dir, selected);

// The browser tests need Chromium and a current console build: set both up when they will run
// (the whole suite, or any path under test/web). Failures here make those tests fail, not skip.
if (paths.length === 0 || paths.some((p) => covers(p, 'test/web'))) {
  ensureWebBuild();
  ensureChromium();
}

const totals = { passed: 0, failed: 0 };
let exitCode = 0;

process.stdout.write('== SQLite\n');
const sqlite = await runTap(args, { LATCHKEY_TEST_DATABASE: undefined, LATCHKEY_TEST_POSTGRES_URL: undefined });
add(sqlite);

const postgresFiles = integrationFiles();
// Without PostgreSQL installed, a developer's run skips its pass and says so; CI's never does
// (.ci/run installs it, and a missing install there is a failure below).
const missing = postgresFiles.length > 0 && !skipPostgres && !process.env.CI ? installProblem() : undefined;
if (postgresFiles.length > 0 && skipPostgres) {
  process.stdout.write('\n== PostgreSQL: skipped (--no-postgres or LATCHKEY_TEST_POSTGRES=0)\n');
} else if (missing) {
  process.stdout.write(`\n== PostgreSQL: skipped: ${missing}\n`);
} else if (postgresFiles.length > 0) {
  process.stdout.write(`\n== PostgreSQL (${postgresFiles.length} integration files)\n`);
  let cluster;
  try {
    const started = Date.now();
    cluster = await startCluster();
    process.stdout.write(`cluster ${cluster.adminUrl} started in ${Date.now() - started} ms\n`);
  } catch (error) {
    process.stdout.write(`The PostgreSQL cluster did not start: ${error.message}\n`);
    add({ passed: 0, failed: 1, code: 1 });
  }
  if (cluster) {
    try {
      add(
        await runTap([...options, ...postgresFiles], { LATCHKEY_TEST_DATABASE: 'postgres', LATCHKEY_TEST_POSTGRES_URL: cluster.adminUrl }),
      );
    } finally {
      const stopping = Date.now();
      await cluster.stop();
      process.stdout.write(`cluster stopped in ${Date.now() - stopping} ms\n`);
    }
  }
}

process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed\n`);
process.exit(exitCode);

function installProblem() {
  try {
    findBinDir();
    return undefined;
  } catch (error) {
    return error.message;
  }
}

function add(pass) {
  totals.passed += pass.passed;
  totals.failed += pass.failed;
  if (pass.code !== 0 && exitCode === 0) exitCode = pass.code || 1;
}

/** The integration files the run selects, as paths relative to the cwd, less SQLITE_ONLY. */
function integrationFiles() {
  const dir = 'test/integration';
  if (!existsSync(dir)) return [];
  if (paths.length > 0 && !paths.some((p) => covers(p, dir))) return [];
  const all = readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
  const selected = paths.length === 0 ? all : all.filter((f) => paths.some((p) => within(f, p)));
  const sqliteOnly = SQLITE_ONLY.map((f) => path.resolve(f));
  return selected.filter((f) => !sqliteOnly.includes(path.resolve(f)));
}

/** One tap run, its output passed through; answers its counts and exit code. */
function runTap(tapArgs, env) {
  const reporter = tapArgs.some((a) => a.startsWith('-R') || a.startsWith('--reporter')) ? [] : ['--reporter=base'];
  const childEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const child = spawn(process.execPath, [tapBin, ...reporter, ...tapArgs], { stdio: ['inherit', 'pipe', 'inherit'], env: childEnv });
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      const counts = summaryOf(tail);
      if (!counts) {
        process.stdout.write(`\ntap ended (${signal ?? `exit ${code}`}) without a summary\n`);
        resolve({ passed: 0, failed: 1, code: code || 1 });
        return;
      }
      // A failure without a failed assert: e.g. a test file that crashed before asserting.
      const failed = code !== 0 && counts.failed === 0 ? 1 : counts.failed;
      resolve({ passed: counts.passed, failed, code: code ?? 1 });
    });
  });
}

function summaryOf(output) {
  // base/terse print "Asserts:  12 pass  1 fail ..."; the tap reporter prints "# { total: 13, pass: 12, fail: 1 }".
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  // The base reporter redraws progress lines in place: the last match is the final count.
  const asserts = [...plain.matchAll(/Asserts:\s+(\d+) pass\s+(\d+) fail/g)].at(-1);
  if (asserts) return { passed: Number(asserts[1]), failed: Number(asserts[2]) };
  const summary = [...plain.matchAll(/# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/g)].at(-1);
  if (summary) return { passed: Number(summary[2] ?? 0), failed: Number(summary[3] ?? 0) };
  return undefined;
}
