// docker-compose.yml: `docker compose up` stays one container; the "ha" profile adds PostgreSQL, two
// gateway nodes and HAProxy. Checked with the real docker-compose (its `config`, which needs no
// Docker daemon) and the real haproxy, run here against two stand-in nodes.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { waitUntil } from '../helpers/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HAPROXY_CFG = path.join(ROOT, 'deploy', 'haproxy.cfg');
const HA_SERVICES = ['gateway-a', 'gateway-b', 'ha-preflight', 'latchkey', 'lb', 'postgres'];
const SECRETS = {
  LATCHKEY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  LATCHKEY_ADMIN_TOKEN: 'admin-token-0123456789',
  POSTGRES_PASSWORD: 'pg-pass_0123',
};

interface Service {
  image?: string;
  build?: { context: string } | string;
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: Array<string | { published?: string | number; target?: number }>;
  volumes?: Array<string | { source?: string; target?: string }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  entrypoint?: string[];
}

// Present, or: skipped with the reason here, failed in CI (.ci/run installs both).
function toolPresent(t: Test, bin: string, args: string[], pkg: string): boolean {
  if (!spawnSync(bin, args).error) return true;
  const why = `${bin} is not installed (apt-get install ${pkg})`;
  if (process.env.CI) t.fail(`${why}; CI must install it`);
  else t.skip(why, () => {});
  return false;
}

// No .env and none of the variables the file reads: what a fresh checkout sees.
function composeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(LATCHKEY_|POSTGRES_|COMPOSE_)|^(PUBLIC_URL|LOG_LEVEL)$/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

function composeConfig(t: Test, profile: string | undefined, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lk-compose-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const emptyEnvFile = path.join(dir, 'empty.env');
  writeFileSync(emptyEnvFile, '');
  const args = [
    '--env-file',
    emptyEnvFile,
    '-f',
    path.join(ROOT, 'docker-compose.yml'),
    ...(profile ? ['--profile', profile] : []),
    'config',
  ];
  const run = spawnSync('docker-compose', args, { cwd: ROOT, env: composeEnv(extra), encoding: 'utf8' });
  const services = run.status === 0 ? (YAML.parse(run.stdout) as { services: Record<string, Service> }).services : {};
  // docker-compose v1 prints every service with its profiles; v2 prints the active ones only.
  const active = Object.fromEntries(
    Object.entries(services).filter(([, s]) => !s.profiles || (profile !== undefined && s.profiles.includes(profile))),
  );
  return { status: run.status, stderr: run.stderr, active };
}

const text = (value: unknown) => (Array.isArray(value) ? value.join(' ') : String(value ?? ''));
const publishedPorts = (s: Service) => (s.ports ?? []).map((p) => Number(typeof p === 'string' ? p.split(':').at(-2) : p.published));
function bindSource(s: Service, target: string): string | undefined {
  for (const v of s.volumes ?? []) {
    const [source, dest] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    if (dest === target) return source;
  }
  return undefined;
}

t.test('docker compose up: the single gateway, and nothing it needs set', async (t) => {
  if (!toolPresent(t, 'docker-compose', ['version'], 'docker-compose')) return;
  const { status, stderr, active } = composeConfig(t, undefined);
  t.equal(status, 0, `config passes with no variables set: ${stderr}`);
  if (status !== 0) return;
  t.same(Object.keys(active), ['latchkey'], 'exactly one service');
  const single = active.latchkey;
  t.same(publishedPorts(single), [8080]);
  t.equal(single.environment?.DATABASE_URL, undefined, 'SQLite in /data');
  t.match(bindSource(single, '/data'), 'latchkey-data');
  t.match(text(single.healthcheck?.test), '/healthz');
});

t.test('--profile ha: PostgreSQL, two nodes sharing one key, one load balancer', async (t) => {
  if (!toolPresent(t, 'docker-compose', ['version'], 'docker-compose')) return;
  const { status, stderr, active } = composeConfig(t, 'ha', SECRETS);
  t.equal(status, 0, stderr);
  if (status !== 0) return;
  t.same(Object.keys(active).sort(), HA_SERVICES);

  const pg = active.postgres;
  t.match(pg.image, /^postgres:1[56]\b/);
  t.match(bindSource(pg, '/var/lib/postgresql/data'), /^[\w-]+$/, 'a named volume');
  t.match(text(pg.healthcheck?.test), 'pg_isready');
  t.equal(pg.environment?.POSTGRES_PASSWORD, SECRETS.POSTGRES_PASSWORD);
  t.same(publishedPorts(pg), [], 'the database is not published');

  const [a, b] = [active['gateway-a'], active['gateway-b']];
  for (const [name, node] of [
    ['gateway-a', a],
    ['gateway-b', b],
  ] as const) {
    t.same(node.build, active.latchkey.build, `${name}: built from the same Dockerfile`);
    t.equal(node.environment?.LATCHKEY_MASTER_KEY, SECRETS.LATCHKEY_MASTER_KEY, `${name}: the shared master key`);
    t.equal(node.environment?.LATCHKEY_ADMIN_TOKEN, SECRETS.LATCHKEY_ADMIN_TOKEN, `${name}: the shared admin token`);
    t.equal(
      node.environment?.DATABASE_URL,
      `postgres://latchkey:${SECRETS.POSTGRES_PASSWORD}@postgres:5432/latchkey`,
      `${name}: DATABASE_URL`,
    );
    t.equal(node.depends_on?.postgres?.condition, 'service_healthy', `${name}: waits for the database`);
    t.equal(node.depends_on?.['ha-preflight']?.condition, 'service_completed_successfully', `${name}: waits for the preflight`);
    t.match(text(node.healthcheck?.test), '/readyz', `${name}: healthy means ready`);
    t.same(publishedPorts(node), [], `${name}: reached through the load balancer only`);
  }
  t.same(a, b, 'the two nodes are identical');

  const lb = active.lb;
  t.match(lb.image, /^haproxy:/);
  t.equal(publishedPorts(lb).length, 1, 'the load balancer publishes one port');
  t.ok(lb.healthcheck, 'the load balancer has a healthcheck');
  t.equal(bindSource(lb, '/usr/local/etc/haproxy/haproxy.cfg'), HAPROXY_CFG);
  t.equal(a.environment?.PUBLIC_URL, `http://localhost:${publishedPorts(lb)[0]}`, 'PUBLIC_URL: the load balancer');

  // The single service has no profile, so it starts under --profile ha too: no port may clash.
  const published = Object.values(active).flatMap(publishedPorts);
  t.equal(new Set(published).size, published.length, `no two services publish one port: ${published}`);
});

t.test('--profile ha without the shared secrets: stopped with a clear message, the default untouched', async (t) => {
  if (!toolPresent(t, 'docker-compose', ['version'], 'docker-compose')) return;
  // Compose interpolates every service before applying profiles, so ${VAR:?} in an ha service
  // would break the plain `docker compose up`; the ha-preflight service does the check instead.
  const { status, stderr, active } = composeConfig(t, 'ha');
  t.equal(status, 0, stderr);
  if (status !== 0) return;
  const preflight = active['ha-preflight'];
  t.same(preflight.entrypoint, ['sh', '/preflight/ha-preflight.sh']);
  const script = bindSource(preflight, '/preflight/ha-preflight.sh');
  t.equal(script, path.join(ROOT, 'deploy', 'ha-preflight.sh'));

  // The script as the service runs it: its environment as compose resolved it.
  const runPreflight = (env: Record<string, unknown>) =>
    spawnSync('sh', [script!], {
      env: { PATH: process.env.PATH, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? '')])) },
      encoding: 'utf8',
    });
  const unset = runPreflight(preflight.environment ?? {});
  t.equal(unset.status, 1, 'nothing starts');
  for (const name of Object.keys(SECRETS)) t.match(unset.stderr, `${name} is not set`);

  const withSecrets = composeConfig(t, 'ha', { ...SECRETS, LATCHKEY_MASTER_KEY: '' }).active['ha-preflight'];
  const noKey = runPreflight(withSecrets.environment ?? {});
  t.equal(noKey.status, 1);
  t.match(
    noKey.stderr,
    /LATCHKEY_MASTER_KEY is not set\. Every node must share one master key: put LATCHKEY_MASTER_KEY=.*openssl rand -base64 32.* in \.env/,
  );
  t.notMatch(noKey.stderr, 'LATCHKEY_ADMIN_TOKEN');
  t.equal(runPreflight({ ...SECRETS, POSTGRES_PASSWORD: 'p@ss/word' }).status, 1, 'a password that would break the URL');
  t.equal(runPreflight(composeConfig(t, 'ha', SECRETS).active['ha-preflight'].environment ?? {}).status, 0, 'all set: the nodes start');
});

t.test('deploy/haproxy.cfg: both nodes, round robin, health-checked, nothing sticky', async (t) => {
  const cfg = readFileSync(HAPROXY_CFG, 'utf8').replace(/#.*$/gm, '');
  for (const backend of ['ready', 'alive']) {
    const body = cfg.split(/^backend /m).find((b) => b.startsWith(backend)) ?? '';
    t.match(body, /^\s*server gateway-a gateway-a:8080\s*$/m, `${backend}: gateway-a`);
    t.match(body, /^\s*server gateway-b gateway-b:8080\s*$/m, `${backend}: gateway-b`);
    t.match(body, 'balance roundrobin');
    t.match(body, `uri /${backend === 'ready' ? 'readyz' : 'healthz'}`);
  }
  t.match(cfg, /default-server check /, 'every server is checked');
  t.notMatch(cfg, /\bcookie\b|\bstick\b|balance source|prefer-last-server/, 'no stickiness');
  if (!toolPresent(t, 'haproxy', ['-v'], 'haproxy')) return;
  const check = spawnSync('haproxy', ['-c', '-f', HAPROXY_CFG], { encoding: 'utf8' });
  t.equal(check.status, 0, `haproxy -c: ${check.stderr}`);
});

// A stand-in node: answers which node it is, with /readyz switchable. `Connection: close` so the
// LB holds no idle connection to it: a killed node is then a refused connect, as after a restart.
async function startNode(t: Test, name: string) {
  const node = { name, ready: true, port: 0, server: http.createServer() };
  node.server.on('request', (req, res) => {
    const code = req.url === '/readyz' && !node.ready ? 503 : 200;
    res.writeHead(code, { 'content-type': 'text/plain', connection: 'close' }).end(name);
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.port = (node.server.address() as net.AddressInfo).port;
  t.teardown(() => new Promise((resolve) => node.server.close(resolve)));
  return node;
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

t.test('haproxy with this config: round robin, a failing node leaves rotation, a dead one costs no request', async (t) => {
  if (!toolPresent(t, 'haproxy', ['-v'], 'haproxy')) return;
  const [a, b] = [await startNode(t, 'a'), await startNode(t, 'b')];
  const [lbPort, monitorPort] = [await freePort(), await freePort()];
  // The config as shipped, with the addresses made local and the check interval shortened.
  let cfg = readFileSync(HAPROXY_CFG, 'utf8');
  for (const [from, to, times] of [
    ['bind :8080', `bind 127.0.0.1:${lbPort}`, 1],
    ['bind :8404', `bind 127.0.0.1:${monitorPort}`, 1],
    ['gateway-a:8080', `127.0.0.1:${a.port}`, 2],
    ['gateway-b:8080', `127.0.0.1:${b.port}`, 2],
    ['inter 2s', 'inter 200ms', 1],
  ] as const) {
    t.equal(cfg.split(from).length - 1, times, `the config has ${from} ${times} time(s)`);
    cfg = cfg.replaceAll(from, to);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lk-haproxy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'haproxy.cfg'), cfg);
  const haproxy = spawn('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let haproxyErr = '';
  haproxy.stderr.on('data', (chunk) => (haproxyErr += chunk));
  t.teardown(() => haproxy.kill('SIGTERM'));

  const ask = async () => {
    const res = await fetch(`http://127.0.0.1:${lbPort}/which`);
    return `${res.status} ${await res.text()}`;
  };
  const askMany = async (n: number) => {
    const answers: string[] = [];
    for (let i = 0; i < n; i++) answers.push(await ask());
    return answers;
  };
  const serverStatus = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${monitorPort}/stats;csv`)).text();
    const [header, ...rows] = csv.split('\n').map((l) => l.replace(/^# /, '').split(','));
    const [px, sv, st] = ['pxname', 'svname', 'status'].map((c) => header.indexOf(c));
    return Object.fromEntries(rows.filter((r) => r[sv]?.startsWith('gateway-')).map((r) => [`${r[px]}/${r[sv]}`, r[st]]));
  };
  // In rotation: "UP", or "UP 1/2" (one check failed, not yet out); "DOWN 1/2" is still out.
  const upIn = async (backend: string) =>
    Object.entries(await serverStatus())
      .filter(([k, v]) => k.startsWith(`${backend}/`) && v.startsWith('UP'))
      .map(([k]) => k.split('/')[1])
      .sort()
      .join(',');

  await waitUntil(async () => (await upIn('ready').catch(() => '')) === 'gateway-a,gateway-b', `both nodes up in haproxy (${haproxyErr})`);
  const both = await askMany(20);
  t.same(
    [both.filter((r) => r === '200 a').length, both.filter((r) => r === '200 b').length],
    [10, 10],
    'one client on one connection, spread evenly',
  );

  a.ready = false;
  let started = Date.now();
  await waitUntil(async () => (await upIn('ready')) === 'gateway-b', 'a out of the ready backend');
  t.comment(`a node answering 503 on /readyz left rotation after ${Date.now() - started} ms (checks every 200 ms here, 2 s shipped)`);
  t.same(new Set(await askMany(10)), new Set(['200 b']), 'only b while a is not ready');

  b.ready = false;
  await waitUntil(async () => (await upIn('ready')) === '', 'no node ready');
  const fallback = await askMany(10);
  t.same(new Set(fallback), new Set(['200 a', '200 b']), 'no node ready: the alive nodes still serve, round robin');

  a.ready = b.ready = true;
  await waitUntil(async () => (await upIn('ready')) === 'gateway-a,gateway-b', 'both back');
  a.server.close();
  a.server.closeAllConnections();
  started = Date.now();
  const afterKill = await askMany(10);
  t.same(afterKill, Array(10).fill('200 b'), 'a killed node: its requests retried on b, none lost');
  await waitUntil(async () => (await upIn('ready')) === 'gateway-b', 'a marked down');
  t.comment(`a closed node was marked down after ${Date.now() - started} ms`);

  b.server.close();
  b.server.closeAllConnections();
  await waitUntil(async () => (await upIn('alive')) === '', 'no node alive');
  t.equal((await ask()).split(' ')[0], '503', 'no node: 503 from the load balancer');
  t.equal((await fetch(`http://127.0.0.1:${monitorPort}/lb-healthz`)).status, 503, 'and its own healthcheck fails');
});
