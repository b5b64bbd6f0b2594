// The `latchkey` command as an operator runs it, in a child process (a test server the command
// may call lives in the test's own process, which must not block).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestGateway } from './gateway.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** What it printed so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

export function spawnLatchkey(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const child = spawn(process.execPath, ['bin/latchkey.mjs', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stdout: () => stdout, done };
}

/** The command's settings beside a test gateway: its data, and a master key only when `env` gives one. */
export function besideGateway(gw: Pick<TestGateway, 'dataDir' | 'config'>, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: gw.dataDir,
    ...(gw.config.databaseUrl ? { DATABASE_URL: gw.config.databaseUrl } : {}),
    ...env,
  };
  if (!('LATCHKEY_MASTER_KEY' in env)) delete childEnv.LATCHKEY_MASTER_KEY;
  return childEnv;
}
