// Drives `mcp-remote <url>` as Claude Desktop would: a child process speaking JSON-RPC lines over
// stdio, with nothing but the URL (and optional extra arguments such as --header).
import type { Test } from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const PROXY = path.join(path.dirname(require.resolve('mcp-remote/package.json')), 'dist', 'proxy.js');

export interface McpRemote {
  request(method: string, params?: unknown, timeoutMs?: number): Promise<{ result?: any; error?: { code: number; message: string } }>;
  notify(method: string, params?: unknown): void;
  stderr(): string;
  child: ChildProcessWithoutNullStreams;
}

export async function startMcpRemote(t: Test, url: string, extraArgs: string[] = []): Promise<McpRemote> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'lk-mcp-remote-'));
  const child = spawn(process.execPath, [PROXY, url, ...extraArgs], {
    env: { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: path.join(home, '.mcp-auth') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errText = '';
  child.stderr.on('data', (d) => (errText += d.toString()));
  const waiting = new Map<number, (msg: any) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.id !== undefined && waiting.has(msg.id)) {
      waiting.get(msg.id)!(msg);
      waiting.delete(msg.id);
    }
  });
  t.teardown(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  });

  let nextId = 1;
  return {
    child,
    stderr: () => errText,
    notify(method, params) {
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
    },
    request(method, params, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`mcp-remote did not answer ${method} within ${timeoutMs} ms; stderr:\n${errText}`));
        }, timeoutMs);
        waiting.set(id, (msg) => {
          clearTimeout(timer);
          resolve(msg);
        });
        child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      });
    },
  };
}

/** initialize + initialized, as a client does first. */
export async function initialize(remote: McpRemote) {
  const init = await remote.request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'latchkey-test', version: '1.0.0' },
  });
  remote.notify('notifications/initialized');
  return init;
}
