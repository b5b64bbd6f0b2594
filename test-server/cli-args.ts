// Command-line parsing for `npm run test-server`, apart from main.ts so it can be tested without
// starting a process.
import { parseArgs } from 'node:util';
import { AUTH_MODES, isAuthMode, keyProblem, type AuthMode } from './auth.js';
import { DEFAULT_TOKEN_TTL_SECONDS, DISCOVERY_MODES, type DiscoveryMode } from './oauth/oauth-server.js';

export const DEFAULT_PORT = 3456;

export const USAGE = `Usage: npm run test-server -- [options]

Starts the Latchkey test API: a small in-memory shop to try the gateway against.

Options:
  --mode <mode>  how /api requests authenticate: ${AUTH_MODES.join(', ')} (default apikey)
                   apikey: header X-Api-Key: <key>
                   bearer: header Authorization: Bearer <key>
                   oauth:  Authorization: Bearer <access token> from this server's own
                           OAuth authorization server (/authorize, /token, /register)
  --port <port>  port to listen on, 0 for any free one (default ${DEFAULT_PORT})
  --host <host>  address to bind (default 127.0.0.1)
  --key <key>    the key to require in apikey and bearer modes (default: a random ts_… key)
  --help         show this help

Mode oauth only:
  --token-ttl <seconds>   access-token lifetime (default ${DEFAULT_TOKEN_TTL_SECONDS}); short values exercise refresh
  --client-id <id>        the pre-registered confidential client (default: generated)
  --client-secret <s>     its secret (default: a random ts_… secret)
  --redirect-uri <uri>    a redirect URI of that client, repeatable (default: any http(s) URI)
  --discovery <kind>      oauth: metadata at /.well-known/oauth-authorization-server (default)
                          openid: metadata only at /.well-known/openid-configuration
`;

export interface CliOptions {
  mode: AuthMode;
  port: number;
  host: string;
  key?: string;
  tokenTtlSeconds?: number;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  discovery?: DiscoveryMode;
}

const OAUTH_FLAGS = ['token-ttl', 'client-id', 'client-secret', 'redirect-uri', 'discovery'] as const;

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
        'token-ttl': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        discovery: { type: 'string' },
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
    if (mode === 'none' || mode === 'oauth') {
      const instead =
        mode === 'oauth' ? '; mode oauth issues tokens (see --client-id and --client-secret)' : '; pick --mode apikey or bearer';
      return { kind: 'error', message: `--key has no use in mode ${mode}${instead}` };
    }
    const problem = keyProblem(key);
    if (problem) return { kind: 'error', message: `--key is not usable: ${problem}` };
  }

  const options: CliOptions = { mode, port, host, ...(key === undefined ? {} : { key }) };
  if (mode !== 'oauth') {
    const stray = OAUTH_FLAGS.find((flag) => values[flag] !== undefined);
    return stray ? { kind: 'error', message: `--${stray} only applies to --mode oauth` } : { kind: 'start', options };
  }

  const ttl = values['token-ttl'];
  if (ttl !== undefined) {
    options.tokenTtlSeconds = /^\d{1,9}$/.test(ttl) ? Number(ttl) : NaN;
    if (!(options.tokenTtlSeconds >= 1))
      return { kind: 'error', message: `--token-ttl must be a whole number of seconds, at least 1, got "${ttl}"` };
  }
  for (const [flag, field] of [
    ['client-id', 'clientId'],
    ['client-secret', 'clientSecret'],
  ] as const) {
    const value = values[flag];
    if (value === undefined) continue;
    const problem = keyProblem(value);
    if (problem) return { kind: 'error', message: `--${flag} is not usable: ${problem.replace('the key', 'it')}` };
    options[field] = value;
  }
  const redirectUris = values['redirect-uri'];
  if (redirectUris !== undefined) {
    const bad = redirectUris.find((uri) => !/^https?:\/\/[^\s#]+$/.test(uri));
    if (bad !== undefined)
      return { kind: 'error', message: `--redirect-uri must be an absolute http(s) URL without a fragment, got "${bad}"` };
    options.redirectUris = redirectUris;
  }
  const discovery = values.discovery;
  if (discovery !== undefined) {
    if (!(DISCOVERY_MODES as readonly string[]).includes(discovery)) {
      return { kind: 'error', message: `--discovery must be one of ${DISCOVERY_MODES.join(', ')}, got "${discovery}"` };
    }
    options.discovery = discovery as DiscoveryMode;
  }
  return { kind: 'start', options };
}
