#!/usr/bin/env node
// What the browser tests (test/web) need before they start: Debian's Chromium at /usr/bin/chromium
// (installed with apt-get when missing and we are root, as in CI) and a console build in web/dist
// that is not older than its sources. Quick when both are already there. `npm test` runs this
// itself; `node scripts/setup-browser-tests.mjs` runs it alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function say(line) {
  process.stderr.write(`[browser tests] ${line}\n`);
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env }, cwd: ROOT });
  return result.status === 0;
}

/** True when Chromium is there (now). Never throws: the tests themselves fail with the explanation. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return true;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    say(`Chromium is missing at ${CHROMIUM}. Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium`);
    return false;
  }
  say(`Chromium is missing at ${CHROMIUM}: installing Debian's chromium package (apt-get, a minute or two)…`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update', '-q'], env) || !run('apt-get', ['install', '-y', '-q', 'chromium'], env) || !existsSync(CHROMIUM)) {
    say('Installing chromium failed; see the apt-get output above.');
    return false;
  }
  return true;
}

function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === 'dist' || name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** Builds web/dist when it is missing or older than anything it is built from. */
export function ensureWebBuild() {
  const built = path.join(ROOT, 'web', 'dist', 'index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'web')), newestMtime(path.join(ROOT, 'package-lock.json')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return true;
  say('building the console (web/dist)…');
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!run(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'])) {
    say('the console build failed; see above.');
    return false;
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ok = ensureWebBuild() & ensureChromium();
  process.exit(ok ? 0 : 1);
}
