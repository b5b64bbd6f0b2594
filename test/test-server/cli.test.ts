import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DEFAULT_PORT, parseCliArgs } from '../../test-server/cli-args.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BANNER_TIMEOUT_MS = 20_000;

function runCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'test-server/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function finish(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Resolves with stdout so far once it contains `until`. */
function waitForOutput(child: ChildProcess, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${until} on stdout within ${BANNER_TIMEOUT_MS} ms; got: ${seen}`)),
      BANNER_TIMEOUT_MS,
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (until.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${until}; got: ${seen}`));
    });
  });
}

t.test('--mode apikey --port 0: banner with the real port and key, serves, exits cleanly on SIGTERM', async (t) => {
  const child = runCli(['--mode', 'apikey', '--port', '0']);
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const banner = await waitForOutput(child, /^API key: .+$/m);
  const listening = /^Latchkey test server \(mode apikey\) listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(banner);
  t.ok(listening, `banner names the origin: ${banner}`);
  const origin = listening?.[1] ?? '';
  t.not(listening?.[2], '0', 'the real port, not 0');
  t.match(banner, new RegExp(`^OpenAPI spec: ${origin}/openapi.json$`, 'm'));
  const key = /^API key: (\S+)$/m.exec(banner)?.[1] ?? '';
  t.match(key, /^ts_/);

  const unauthorized = await fetch(`${origin}/api/items`);
  t.equal(unauthorized.status, 401);
  const ok = await fetch(`${origin}/api/items`, { headers: { 'x-api-key': key } });
  t.equal(ok.status, 200);

  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  const [code, signal] = await exited;
  t.equal(code, 0, 'exit code 0');
  t.equal(signal, null, 'handled the signal rather than dying of it');
  t.equal(stderr, '', 'nothing on stderr');
});

t.test('SIGINT closes it too, with a keep-alive connection open', async (t) => {
  const child = runCli(['--mode', 'bearer', '--port', '0', '--key', 'cli-key']);
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const banner = await waitForOutput(child, /^API key: cli-key$/m);
  const origin = /listening on (\S+)/.exec(banner)?.[1] ?? '';
  const res = await fetch(`${origin}/api/users`, { headers: { authorization: 'Bearer cli-key' } });
  t.equal(res.status, 200);
  await res.arrayBuffer();

  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGINT');
  t.same(await exited, [0, null]);
});

t.test('a bad --mode exits 2 with a one-line message', async (t) => {
  const result = await finish(runCli(['--mode', 'oauth2']));
  t.equal(result.code, 2);
  t.equal(result.stdout, '');
  t.match(result.stderr, /--mode must be one of none, apikey, bearer, oauth, got "oauth2"/);
  t.equal(result.stderr.trimEnd().split('\n').length, 1, 'one line');
});

t.test('other bad arguments exit 2 too', async (t) => {
  for (const args of [
    ['--port', 'http'],
    ['--nope'],
    ['stray'],
    ['--mode', 'none', '--key', 'k'],
    ['--token-ttl', '5'],
    ['--mode', 'oauth', '--token-ttl', '0'],
  ]) {
    const result = await finish(runCli(args));
    t.equal(result.code, 2, args.join(' '));
    t.equal(result.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: one line`);
  }
});

t.test('--mode oauth: banner with the metadata URL and the client; the client gets a token that the API accepts', async (t) => {
  const child = runCli([
    '--mode',
    'oauth',
    '--port',
    '0',
    '--token-ttl',
    '2',
    '--client-id',
    'cli-client',
    '--client-secret',
    'cli-secret',
  ]);
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const banner = await waitForOutput(child, /^Press Ctrl\+C/m);
  const origin = /listening on (\S+)/.exec(banner)?.[1] ?? '';
  t.match(banner, /^Latchkey test server \(mode oauth\) listening on /m);
  t.match(banner, new RegExp(`^OAuth metadata: ${origin}/\\.well-known/oauth-authorization-server$`, 'm'));
  t.match(banner, /^Client ID: cli-client$/m);
  t.match(banner, /^Client secret: cli-secret$/m);
  t.match(banner, /^Access tokens last 2 s\./m);

  const res = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=cli-client&client_secret=cli-secret',
  });
  const tokens = (await res.json()) as { access_token: string; expires_in: number };
  t.equal(tokens.expires_in, 2, '--token-ttl is used');
  const api = await fetch(`${origin}/api/items`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  t.equal(api.status, 200);
  await api.arrayBuffer();

  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  t.same(await exited, [0, null]);
});

t.test('--help prints usage and exits 0', async (t) => {
  const result = await finish(runCli(['--help']));
  t.equal(result.code, 0);
  t.match(result.stdout, /^Usage: npm run test-server/);
  t.match(result.stdout, /--mode/);
});

t.test('parseCliArgs', async (t) => {
  t.same(parseCliArgs([]), { kind: 'start', options: { mode: 'apikey', port: DEFAULT_PORT, host: '127.0.0.1' } });
  t.same(parseCliArgs(['--mode', 'bearer', '--port', '8080', '--host', '0.0.0.0', '--key', 'abc']), {
    kind: 'start',
    options: { mode: 'bearer', port: 8080, host: '0.0.0.0', key: 'abc' },
  });
  t.same(parseCliArgs(['--mode=none', '--port=0']), { kind: 'start', options: { mode: 'none', port: 0, host: '127.0.0.1' } });
  t.same(parseCliArgs(['-h']), { kind: 'help' });
  t.match(parseCliArgs(['--port', '65536']), { kind: 'error', message: /--port/ });
  t.match(parseCliArgs(['--port', '-1']), { kind: 'error' });
  t.match(parseCliArgs(['--key', 'with space']), { kind: 'error', message: /--key/ });
  t.match(parseCliArgs(['--host', '']), { kind: 'error', message: /--host/ });
  t.match(parseCliArgs(['--mode']), { kind: 'error' });
});

t.test('parseCliArgs: mode oauth', async (t) => {
  t.same(parseCliArgs(['--mode', 'oauth']), { kind: 'start', options: { mode: 'oauth', port: DEFAULT_PORT, host: '127.0.0.1' } });
  t.same(
    parseCliArgs([
      '--mode',
      'oauth',
      '--token-ttl',
      '2',
      '--client-id',
      'c',
      '--client-secret',
      's',
      '--discovery',
      'openid',
      '--redirect-uri',
      'http://a/cb',
      '--redirect-uri',
      'https://b/cb',
    ]),
    {
      kind: 'start',
      options: {
        mode: 'oauth',
        port: DEFAULT_PORT,
        host: '127.0.0.1',
        tokenTtlSeconds: 2,
        clientId: 'c',
        clientSecret: 's',
        discovery: 'openid',
        redirectUris: ['http://a/cb', 'https://b/cb'],
      },
    },
  );
  t.match(parseCliArgs(['--mode', 'oauth', '--token-ttl', '0']), { kind: 'error', message: /--token-ttl/ });
  t.match(parseCliArgs(['--mode', 'oauth', '--token-ttl', '1.5']), { kind: 'error', message: /--token-ttl/ });
  t.match(parseCliArgs(['--mode', 'oauth', '--client-secret', 'a b']), {
    kind: 'error',
    message: /--client-secret is not usable: it may only contain/,
  });
  t.match(parseCliArgs(['--mode', 'oauth', '--discovery', 'oidc']), { kind: 'error', message: /--discovery must be one of oauth, openid/ });
  t.match(parseCliArgs(['--mode', 'oauth', '--redirect-uri', 'ftp://x']), { kind: 'error', message: /--redirect-uri/ });
  t.match(parseCliArgs(['--mode', 'oauth', '--key', 'k']), { kind: 'error', message: /--key has no use in mode oauth/ });
  t.match(parseCliArgs(['--mode', 'bearer', '--client-id', 'c']), { kind: 'error', message: /--client-id only applies to --mode oauth/ });
});
