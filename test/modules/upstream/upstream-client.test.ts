// The client against real sockets: byte cap, redirects, failures, connection reuse.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import {
  buildUpstreamRequest,
  createUpstreamClient,
  UpstreamTimeout,
  UpstreamUnreachable,
  type UpstreamRequest,
} from '../../../server/modules/upstream/index.js';
import { param, startRecordingServer, tool } from './fixtures/helpers.js';
import { UpstreamRefused } from '../../../server/modules/upstream/errors.js';
import type { Resolver } from '../../../server/modules/shared/egress.js';

const marker = `SECRET-MARKER-${randomBytes(6).toString('hex')}`;
const server = await startRecordingServer();
t.teardown(() => server.close());

function get(path: string, origin = server.origin): UpstreamRequest {
  return { method: 'GET', url: `${origin}${path}`, headers: { authorization: `Bearer ${marker}` } };
}

t.test('bodies over the cap are cut, with and without content-length', async (t) => {
  const client = createUpstreamClient({ maxResponseBytes: 1000 });
  t.teardown(() => client.close());
  const big = Buffer.alloc(5000, 'a');
  server.on('/sized', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(big);
  });
  server.on('/chunked', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    for (let i = 0; i < 10; i++) res.write(big.subarray(0, 500));
    res.end();
  });
  server.on('/exact', (_req, res) => res.end(big.subarray(0, 1000)));

  const sized = await client.send(get('/sized'));
  t.equal(sized.status, 200);
  t.equal(sized.body.length, 1000);
  t.ok(sized.truncated);
  t.equal(sized.totalBytes, 5000, 'the full size from content-length');

  const chunked = await client.send(get('/chunked'));
  t.equal(chunked.headers['transfer-encoding'], 'chunked');
  t.equal(chunked.body.length, 1000);
  t.ok(chunked.truncated);
  t.equal(chunked.totalBytes, undefined, 'unknown full size');

  const exact = await client.send(get('/exact'));
  t.notOk(exact.truncated, 'exactly the cap is not truncated');
  t.equal(exact.totalBytes, 1000);
  t.equal(exact.statusText, 'OK');
  t.type(exact.durationMs, 'number');
});

t.test('same-origin redirects are followed, at most 3; other origins are not', async (t) => {
  const client = createUpstreamClient({});
  t.teardown(() => client.close());
  const elsewhere = await startRecordingServer();
  t.teardown(() => elsewhere.close());
  const redirect = (status: number, location: string) =>
    server.on(`/r${status}`, (_req, res) => {
      res.statusCode = status;
      res.setHeader('location', location);
      res.end('moving');
    });
  redirect(301, '/r302');
  redirect(302, `${server.origin}/final?x=1`);
  server.on('/final', (_req, res) => res.end('arrived'));
  redirect(307, `${elsewhere.origin}/steal?k=1`);
  server.on('/loop', (_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', '/loop');
    res.end();
  });
  redirect(303, '/final');

  const before = server.requests.length;
  const followed = await client.send(get('/r301'));
  t.equal(followed.status, 200);
  t.equal(followed.body.toString(), 'arrived');
  const hops = server.requests.slice(before);
  t.same(
    hops.map((r) => r.url),
    ['/r301', '/r302', '/final?x=1'],
  );
  t.ok(
    hops.every((r) => r.headers.authorization === `Bearer ${marker}`),
    'credentials kept within the origin',
  );

  const away = await client.send(get('/r307'));
  t.equal(away.status, 307, 'the cross-origin redirect is the answer');
  t.equal(away.headers.location, `${elsewhere.origin}/steal?k=1`);
  t.equal(elsewhere.requests.length, 0, 'the other origin received nothing, so no credentials');

  const loopStart = server.requests.length;
  const loop = await client.send(get('/loop'));
  t.equal(loop.status, 302);
  t.equal(server.requests.length - loopStart, 4, 'the first request and 3 redirects');

  const postStart = server.requests.length;
  const seeOther = await client.send({
    method: 'POST',
    url: `${server.origin}/r303`,
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  });
  t.equal(seeOther.status, 200);
  const [post, followGet] = server.requests.slice(postStart);
  t.equal(post.method, 'POST');
  t.equal(followGet.method, 'GET', '303 turns into a GET');
  t.equal(followGet.body.length, 0);

  // Two Location headers are ambiguous: the redirect is the answer, not a guess between them.
  server.on('/two-locations', (_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', ['/final', '/r301']);
    res.end();
  });
  const twoStart = server.requests.length;
  const two = await client.send(get('/two-locations'));
  t.equal(two.status, 302);
  t.equal(server.requests.length - twoStart, 1, 'nothing followed');
});

t.test('timeouts: no headers, or a stalled body', async (t) => {
  const client = createUpstreamClient({ timeoutMs: 150 });
  t.teardown(() => client.close());
  server.on('/never', () => {});
  server.on('/stall', (_req, res) => {
    res.setHeader('content-length', '100');
    res.write('partial');
  });
  for (const path of ['/never', '/stall']) {
    const started = Date.now();
    const err = await client.send(get(`${path}?token=${marker}`)).catch((e: Error) => e);
    t.type(err, UpstreamTimeout, path);
    t.match(err, { code: 'LK_UPSTREAM_TIMEOUT', message: /did not answer within 150 ms/ });
    t.match((err as Error).message, server.origin, 'names the origin');
    t.notMatch((err as Error).message, marker, 'no secret');
    t.notMatch((err as Error).message, /\?|token=/, 'no query string');
    t.ok(Date.now() - started < 2000, 'gives up promptly');
  }
});

t.test('one deadline for the whole call: a body that keeps dripping is still cut off', async (t) => {
  const client = createUpstreamClient({ timeoutMs: 300 });
  t.teardown(() => client.close());
  // Each chunk arrives well within the per-read timeout; only the overall deadline can stop it.
  server.on('/drip', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    const timer = setInterval(() => res.write('.'), 40);
    res.on('close', () => clearInterval(timer));
  });
  const started = Date.now();
  const err = await client.send(get('/drip')).catch((e: Error) => e);
  t.type(err, UpstreamTimeout);
  t.match(err, { message: /did not answer within 300 ms/ });
  t.ok(Date.now() - started < 3000, 'gives up promptly');
});

t.test('connection refused and DNS failure', async (t) => {
  const client = createUpstreamClient({ timeoutMs: 5000 });
  t.teardown(() => client.close());
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const def = tool({ params: [param({ name: 'q', in: 'query' })] });
  const req = buildUpstreamRequest(
    def,
    { q: 'visible' },
    { baseUrl: `http://127.0.0.1:${port}/v1`, credentials: { type: 'api_key', in: 'query', name: 'api_key', value: marker } },
  );
  const err = await client.send(req).catch((e: Error) => e);
  t.type(err, UpstreamUnreachable);
  t.match(err, { code: 'LK_UPSTREAM_UNREACHABLE', reason: 'ECONNREFUSED' });
  t.equal((err as Error).message, `Could not reach http://127.0.0.1:${port}: the connection was refused.`);
  t.notMatch(JSON.stringify(err) + String((err as Error).stack), marker, 'the secret is nowhere on the error');

  const dns = await client.send(get('/x', 'http://latchkey-test.invalid')).catch((e: Error) => e);
  t.type(dns, UpstreamUnreachable);
  t.match((dns as Error).message, /^Could not reach http:\/\/latchkey-test\.invalid: /);
  t.notMatch((dns as Error).message, marker);
});

t.test('a caller signal cancels the call', async (t) => {
  const client = createUpstreamClient({ timeoutMs: 5000 });
  t.teardown(() => client.close());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await t.rejects(client.send(get('/never'), { signal: controller.signal }), { code: 'LK_UPSTREAM_ABORTED' });
});

t.test('keep-alive: sequential calls reuse one connection', async (t) => {
  const client = createUpstreamClient({});
  t.teardown(() => client.close());
  server.on('/ping', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"pong":true}');
  });
  const before = server.sockets();
  for (let i = 0; i < 20; i++) {
    const res = await client.send(get('/ping'));
    t.equal(res.status, 200);
  }
  const opened = server.sockets() - before;
  // undici waits one event-loop turn before reusing a socket (for servers that close despite
  // keep-alive), so back-to-back calls settle on two pooled sockets used in turn.
  t.ok(opened <= 2, `20 calls opened ${opened} socket(s)`);
});

// --- Egress policy at connect time -----------------------------------------------------------

/** DNS as a test wants it: one answer list per lookup, the last one repeated. */
function scriptedDns(...answers: string[][]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    const list = answers[Math.min(calls.length, answers.length - 1)];
    calls.push(hostname);
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

t.test('a host name that resolves to loopback is refused unless private networks are allowed', async (t) => {
  const port = new URL(server.origin).port;
  const origin = `http://api.example.test:${port}`;
  const dns = scriptedDns(['127.0.0.1']);
  const client = createUpstreamClient({ timeoutMs: 5000, resolve: dns });
  t.teardown(() => client.close());
  const before = server.requests.length;
  const err = await client.send(get(`/ping?key=${marker}`, origin)).catch((e: Error) => e);
  t.type(err, UpstreamRefused);
  t.match(err, { code: 'LK_UPSTREAM_REFUSED' });
  t.equal(
    (err as Error).message,
    `Refused to connect to ${origin}: api.example.test resolves to a loopback address (this machine), and calls to private networks are off (the gateway's admin can allow them with LATCHKEY_ALLOW_PRIVATE_NETWORKS=true).`,
  );
  t.notMatch(JSON.stringify(err) + String((err as Error).stack), marker, 'no secret on the error');
  t.equal(server.requests.length, before, 'nothing reached the server');

  for (const answer of [['10.0.0.7'], ['169.254.169.254'], ['::ffff:127.0.0.1'], ['0.0.0.0'], ['93.184.215.14', '192.168.1.1']]) {
    const other = createUpstreamClient({ timeoutMs: 5000, resolve: scriptedDns(answer) });
    t.teardown(() => other.close());
    const refused = await other.send(get('/ping', origin)).catch((e: Error) => e);
    t.type(refused, UpstreamRefused, answer.join(', '));
  }

  const allowed = createUpstreamClient({ timeoutMs: 5000, resolve: dns, allowPrivateNetworks: true });
  t.teardown(() => allowed.close());
  const res = await allowed.send(get('/ping', origin));
  t.equal(res.status, 200, 'allowed with LATCHKEY_ALLOW_PRIVATE_NETWORKS');
  t.equal(server.requests.at(-1)?.headers.host, `api.example.test:${port}`);
});

t.test('an upstream named by IP literal or as localhost is allowed as given', async (t) => {
  const port = new URL(server.origin).port;
  const client = createUpstreamClient({ timeoutMs: 5000 });
  t.teardown(() => client.close());
  for (const origin of [
    `http://127.0.0.1:${port}`,
    `http://[::ffff:127.0.0.1]:${port}`,
    `http://localhost:${port}`,
    `http://2130706433:${port}`,
  ]) {
    const res = await client.send(get('/ping', origin));
    t.equal(res.status, 200, origin);
  }
});

t.test('DNS rebinding: a public answer first, loopback next, never connects to loopback', async (t) => {
  const port = new URL(server.origin).port;
  const origin = `http://rebind.example.test:${port}`;
  const dns = scriptedDns(['93.184.215.14'], ['127.0.0.1']);
  const client = createUpstreamClient({ timeoutMs: 2000, resolve: dns });
  t.teardown(() => client.close());
  const before = server.requests.length;
  const first = await client.send(get('/ping', origin)).catch((e: Error) => e);
  t.ok(first instanceof Error, `the public address is not this test's server: ${(first as Error).message}`);
  // A new connection, a new lookup: the answer that would reach this machine is refused there.
  const second = await client.send(get('/ping', origin)).catch((e: Error) => e);
  t.type(second, UpstreamRefused);
  t.same(dns.calls, ['rebind.example.test', 'rebind.example.test'], 'one lookup per connection, the one the socket used');
  t.equal(server.requests.length, before, 'the local server saw no request');
});

t.test('the address check costs nothing per call on a pooled connection', async (t) => {
  const port = new URL(server.origin).port;
  const dns = scriptedDns(['127.0.0.1']);
  const client = createUpstreamClient({ timeoutMs: 5000, resolve: dns, allowPrivateNetworks: true });
  t.teardown(() => client.close());
  for (let i = 0; i < 20; i++) t.equal((await client.send(get('/ping', `http://pooled.example.test:${port}`))).status, 200);
  t.ok(dns.calls.length <= 2, `20 calls, ${dns.calls.length} lookup(s): one per new connection`);
});
