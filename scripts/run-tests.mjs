#!/usr/bin/env node
// `npm test`: runs the whole tap suite and ends with one line, `N passed, N failed`, that CI and
// people can read at a glance. Extra arguments go to tap (e.g. `npm test -- test/integration`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureChromium, ensureWebBuild } from './setup-browser-tests.mjs';

const require = createRequire(import.meta.url);
const tapBin = path.join(path.dirname(require.resolve('tap/package.json')), 'dist', 'esm', 'run.mjs');
const args = process.argv.slice(2);
// The browser tests need Chromium and a current console build: set both up when they will run
// (the whole suite, or any path under test/web). Failures here make those tests fail, not skip.
const files = args.filter((a) => !a.startsWith('-'));
if (files.length === 0 || files.some((f) => path.resolve(f).startsWith(path.resolve('test/web')) || path.resolve('test/web').startsWith(path.resolve(f)))) {
  ensureWebBuild();
  ensureChromium();
}
const reporter = args.some((a) => a.startsWith('-R') || a.startsWith('--reporter')) ? [] : ['--reporter=base'];
const child = spawn(process.execPath, [tapBin, ...reporter, ...args], { stdio: ['inherit', 'pipe', 'inherit'] });

let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});

child.on('exit', (code, signal) => {
  // base/terse print "Asserts:  12 pass  1 fail ..."; the tap reporter prints "# { total: 13, pass: 12, fail: 1 }".
  const plain = tail.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  let passed;
  let failed;
  // The base reporter redraws progress lines in place: the last match is the final count.
  const asserts = [...plain.matchAll(/Asserts:\s+(\d+) pass\s+(\d+) fail/g)].at(-1);
  const summary = [...plain.matchAll(/# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/g)].at(-1);
  if (asserts) {
    passed = Number(asserts[1]);
    failed = Number(asserts[2]);
  } else if (summary) {
    passed = Number(summary[2] ?? 0);
    failed = Number(summary[3] ?? 0);
  }
  if (passed === undefined) {
    process.stdout.write(`\ntap ended (${signal ?? `exit ${code}`}) without a summary\n0 passed, 1 failed\n`);
    process.exit(code || 1);
  }
  if (code !== 0 && failed === 0) failed = 1; // e.g. a test file that crashed before asserting
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(code ?? 1);
});
