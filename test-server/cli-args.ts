// Command-line parsing for `npm run test-server`, apart from main.ts so it can be tested without
// starting a process.
import { parseArgs } from 'node:util';
import { AUTH_MODES, isAuthMode, keyProblem, type AuthMode } from './auth.js';

export const DEFAULT_PORT = 3456;

export const USAGE = `Usage: npm run test-server -- [options]

Starts the Latchkey test API: a small in-memory shop to try the gateway against.

Options:
  --mode <mode>  how /api requests authenticate: ${AUTH_MODES.join(', ')} (default apikey)
                   apikey: header X-Api-Key: <key>
                   bearer: header Authorization: Bearer <key>
  --port <port>  port to listen on, 0 for any free one (default ${DEFAULT_PORT})
  --host <host>  address to bind (default 127.0.0.1)
  --key <key>    the key to require (default: a random ts_… key)
  --help         show this help
`;

export interface CliOptions {
  mode: AuthMode;
  port: number;
  host: string;
  key?: string;
}

export type CliCommand = { kind: 'help' } | { kind: 'start'; options: CliOptions } | { kind: 'error'; message: string };

export function parseCliArgs(argv: string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        mode: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs messages can span lines ("… To specify a positional argument …"); keep the first.
    return { kind: 'error', message: (error as Error).message.split('\n')[0] };
  }
  if (values.help) return { kind: 'help' };

  const mode = values.mode ?? 'apikey';
  if (!isAuthMode(mode)) return { kind: 'error', message: `--mode must be one of ${AUTH_MODES.join(', ')}, got "${mode}"` };

  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : NaN;
    if (!(port <= 65535)) return { kind: 'error', message: `--port must be a whole number from 0 to 65535, got "${values.port}"` };
  }

  const host = values.host ?? '127.0.0.1';
  if (host.length === 0) return { kind: 'error', message: '--host must not be empty' };

  const key = values.key;
  if (key !== undefined) {
    if (mode === 'none') return { kind: 'error', message: '--key has no use in mode none; pick --mode apikey or bearer' };
    const problem = keyProblem(key);
    if (problem) return { kind: 'error', message: `--key is not usable: ${problem}` };
  }

  return { kind: 'start', options: { mode, port, host, ...(key === undefined ? {} : { key }) } };
}
