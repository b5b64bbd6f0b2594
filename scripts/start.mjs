// `npm start`: builds the server and the console only when one of their sources changed since
// their last build (a full build took 8-10 s on every start), then runs the compiled gateway with
// the arguments given (`npm start -- --help`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = '.build-stamp';

/** What each build reads, and where it writes (its stamp goes there, written after a build succeeds). */
export const PARTS = [
  {
    name: 'server',
    script: 'build:server',
    inputs: ['server', 'test-server', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    output: 'dist',
  },
  {
    name: 'console',
    script: 'build:web',
    inputs: ['web', 'package-lock.json'],
    output: 'web/dist',
    skip: ['web/dist', 'web/node_modules'],
  },
];

/** The newest modification time (ms) under `target`, leaving out `skip`. */
function newest(root, target, skip) {
  const full = path.join(root, target);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(full)) {
    const child = path.join(target, entry);
    if (skip.includes(child)) continue;
    latest = Math.max(latest, newest(root, child, skip));
  }
  return latest;
}

/** Whether `part` must be built in `root`: never built, or a source newer than its last build. */
export function isStale(root, part) {
  const stamp = path.join(root, part.output, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return part.inputs.some((input) => newest(root, input, part.skip ?? []) > built);
}

function build(part) {
  process.stdout.write(`Building the ${part.name} (a source changed since the last build)…\n`);
  const result = spawnSync('npm', ['run', '--silent', part.script], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`latchkey: building the ${part.name} failed (npm run ${part.script}); the gateway was not started.\n`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(path.join(ROOT, part.output, STAMP), `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  // --help needs no build of the console, only of the server that prints it.
  const parts = args.includes('--help') || args.includes('-h') ? PARTS.filter((part) => part.name === 'server') : PARTS;
  for (const part of parts) if (isStale(ROOT, part)) build(part);
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/server.js'), ...args], { cwd: process.cwd(), stdio: 'inherit' });
  // Ctrl-C and `kill` reach the gateway, which closes gracefully; its exit is ours.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
