import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { SpecFetchFailed, SpecFetchRefused, SpecTooLarge } from '../../../server/errors.js';
import { fetchSpecText } from '../../../server/modules/specs/index.js';
import type { Resolver } from '../../../server/modules/shared/egress.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(t: Test, handler: Handler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // Connections a test leaves hanging (the timeout case) must not keep the server open.
  t.teardown(() => server.closeAllConnections());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected fetchSpecText to fail');
}

const SPEC = '{"openapi":"3.0.3"}';
// The servers below listen on 127.0.0.1, which spec fetches refuse unless private networks are allowed.
const LOCAL = { allowPrivateNetworks: true };

t.test('fetches the text', async (t) => {
  const base = await serve(t, (req, res) => {
    t.match(req.headers.accept, /application\/json/);
    res.setHeader('content-type', 'application/json');
    res.end(SPEC);
  });
  t.same(await fetchSpecText(`${base}/openapi.json`, LOCAL), { text: SPEC, url: `${base}/openapi.json` });
});

t.test('an HTTP error status fails with the status', async (t) => {
  const base = await serve(t, (_req, res) => {
    res.statusCode = 404;
    res.end('nope');
  });
  const error = await failure(fetchSpecText(`${base}/missing.json`, LOCAL));
  t.ok(error instanceof SpecFetchFailed);
  t.match(error.message, /404 Not Found/);
  t.match(error.message, /missing\.json/);
});

t.test('redirects are followed and the final URL reported; too many fail', async (t) => {
  const base = await serve(t, (req, res) => {
    const hop = Number(/\/hop\/(\d+)/.exec(req.url ?? '')?.[1] ?? -1);
    if (req.url === '/start') {
      res.writeHead(302, { location: '/docs/spec.yaml' }).end();
    } else if (req.url === '/docs/spec.yaml') {
      res.end('openapi: 3.0.3');
    } else if (hop >= 0) {
      res.writeHead(301, { location: `/hop/${hop + 1}` }).end();
    } else {
      res.writeHead(500).end();
    }
  });
  t.same(await fetchSpecText(`${base}/start`, LOCAL), { text: 'openapi: 3.0.3', url: `${base}/docs/spec.yaml` });
  const error = await failure(fetchSpecText(`${base}/hop/0`, { ...LOCAL, maxRedirects: 3 }));
  t.ok(error instanceof SpecFetchFailed);
  t.match(error.message, /more than 3 redirects/);
});

t.test('a body over the limit is cut off while streaming', async (t) => {
  const base = await serve(t, (req, res) => {
    if (req.url === '/declared') {
      res.setHeader('content-length', String(5000));
      res.end('x'.repeat(5000));
      return;
    }
    // No content-length: only counting while reading can catch this one.
    res.write('x'.repeat(3000));
    res.write('x'.repeat(3000));
    res.end();
  });
  const streamed = await failure(fetchSpecText(`${base}/chunked`, { ...LOCAL, maxBytes: 4096 }));
  t.ok(streamed instanceof SpecTooLarge);
  t.match(streamed.message, /4 KiB/);
  const declared = await failure(fetchSpecText(`${base}/declared`, { ...LOCAL, maxBytes: 4096 }));
  t.ok(declared instanceof SpecTooLarge);
});

t.test('a server that does not answer in time', async (t) => {
  const base = await serve(t, () => {
    // never answers
  });
  const started = Date.now();
  const error = await failure(fetchSpecText(`${base}/slow`, { ...LOCAL, timeoutMs: 100 }));
  t.ok(error instanceof SpecFetchFailed);
  t.match(error.message, /no complete answer within 0.1 s/);
  t.ok(Date.now() - started < 5000);
});

t.test('connection refused', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const error = await failure(fetchSpecText(`http://127.0.0.1:${port}/spec.json`, LOCAL));
  t.ok(error instanceof SpecFetchFailed);
  t.match(error.message, /connection was refused/);
});

t.test('only http and https', async (t) => {
  for (const url of ['file:///etc/passwd', 'ftp://example.com/spec.json', 'not a url']) {
    const error = await failure(fetchSpecText(url));
    t.ok(error instanceof SpecFetchFailed, url);
  }
});

// --- Egress policy: where a spec fetch may connect -------------------------------------------

/** A server that records every request it gets, so a test can assert that none arrived. */
async function recording(t: Test): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const base = await serve(t, (req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(SPEC);
  });
  return { port: Number(new URL(base).port), seen };
}

/** DNS as a test wants it: one answer list per lookup, the last one repeated. */
function scriptedDns(...answers: string[][]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  let next = 0;
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const list = answers[Math.min(next++, answers.length - 1)];
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

t.test('every way of writing a loopback address is refused by default and fetched with the setting', async (t) => {
  const { port, seen } = await recording(t);
  // Each of these reaches the server on 127.0.0.1 (0.0.0.0 and the IPv4-mapped forms included).
  const hosts = [
    '127.0.0.1',
    '2130706433',
    '0x7f.1',
    '0177.0.0.1',
    '127.1',
    '0x7f000001',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '0.0.0.0',
    'localhost',
  ];
  for (const host of hosts) {
    const url = `http://${host}:${port}/openapi.json`;
    const error = await failure(fetchSpecText(url));
    t.ok(error instanceof SpecFetchRefused, `${host}: refused`);
    t.match(error.message, /(loopback|unspecified) address/, host);
    t.match(
      error.message,
      /spec fetches to private networks are off — upload the file instead, or start Latchkey with LATCHKEY_ALLOW_PRIVATE_NETWORKS=true/,
      host,
    );
    t.equal((error as { code?: string }).code, 'LK_SPEC_FETCH_REFUSED');
  }
  t.same(seen, [], 'no refused fetch reached the server');
  for (const host of hosts) {
    const fetched = await fetchSpecText(`http://${host}:${port}/openapi.json`, LOCAL);
    t.equal(fetched.text, SPEC, `${host}: fetched with LATCHKEY_ALLOW_PRIVATE_NETWORKS`);
  }
  t.equal(seen.length, hosts.length);
});

t.test('private, link-local, unspecified and metadata addresses are refused before any connection', async (t) => {
  const cases: [string, RegExp][] = [
    ['[::1]', /::1 is a loopback address/],
    ['[::]', /:: is the unspecified address/],
    ['169.254.169.254', /169\.254\.169\.254 is a link-local address \(the cloud metadata service\)/],
    ['0xa9fea9fe', /169\.254\.169\.254 is a link-local address/],
    ['10.0.0.1', /10\.0\.0\.1 is a private-network address/],
    ['172.16.5.4', /private-network/],
    ['192.168.1.1', /private-network/],
    ['100.64.0.1', /private-network/],
    ['[fc00::1]', /fc00::1 is a private-network address/],
    ['[fd00:ec2::254]', /private-network address \(the cloud metadata service\)/],
    ['[fe80::1]', /fe80::1 is a link-local address/],
    ['[64:ff9b::7f00:1]', /loopback/],
  ];
  for (const [host, reason] of cases) {
    const started = Date.now();
    const error = await failure(fetchSpecText(`http://${host}/openapi.json`, { timeoutMs: 60_000 }));
    t.ok(error instanceof SpecFetchRefused, `${host}: refused`);
    t.match(error.message, reason, host);
    t.ok(Date.now() - started < 30_000, `${host}: refused without waiting for a connection`);
  }
});

t.test('a DNS name that resolves to loopback is refused; with the setting it is fetched', async (t) => {
  const { port, seen } = await recording(t);
  const dns = scriptedDns(['127.0.0.1']);
  const error = await failure(fetchSpecText(`http://internal.example.test:${port}/openapi.json`, { resolve: dns }));
  t.ok(error instanceof SpecFetchRefused);
  t.match(error.message, /internal\.example\.test resolves to 127\.0\.0\.1, a loopback address/);
  t.same(seen, []);
  t.same(dns.calls, ['internal.example.test']);

  // One bad address among good ones is enough: the socket may try any of them.
  const mixed = await failure(
    fetchSpecText(`http://mixed.example.test:${port}/openapi.json`, { resolve: scriptedDns(['93.184.215.14', '10.1.2.3']) }),
  );
  t.match(mixed.message, /mixed\.example\.test resolves to 10\.1\.2\.3, a private-network address/);

  const fetched = await fetchSpecText(`http://internal.example.test:${port}/openapi.json`, { ...LOCAL, resolve: dns });
  t.equal(fetched.text, SPEC);
  t.same(seen, ['/openapi.json']);
});

t.test('DNS rebinding: a public answer first and 127.0.0.1 next never reaches the local server', async (t) => {
  const { port, seen } = await recording(t);
  // `localhost` really is this machine: a fetch that ignored the answers it was checked against
  // (or checked one lookup and connected with another) would land on the server.
  const dns = scriptedDns(['93.184.215.14'], ['127.0.0.1']);
  const error = await failure(fetchSpecText(`http://localhost:${port}/openapi.json`, { resolve: dns, timeoutMs: 2000 }));
  t.ok(error instanceof SpecFetchFailed || error instanceof SpecFetchRefused, error.message);
  t.same(seen, [], 'the local server saw no request');
  t.ok(dns.calls.length >= 1, 'the injected DNS was the one used to connect');
  t.comment(`rebinding attempt ended with: ${error.message}`);
});

t.test('redirects are followed only within the origin; one to loopback elsewhere is refused', async (t) => {
  const target = await recording(t);
  const base = await serve(t, (req, res) => {
    if (req.url === '/to-loopback') res.writeHead(302, { location: `http://127.0.0.1:${target.port}/openapi.json` }).end();
    else if (req.url === '/to-metadata') res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    else if (req.url === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    else res.writeHead(404).end();
  });
  for (const path of ['/to-loopback', '/to-metadata', '/to-file']) {
    const error = await failure(fetchSpecText(`${base}${path}`, LOCAL));
    t.ok(error instanceof SpecFetchFailed, path);
    t.match(error.message, /spec fetches follow redirects within http:\/\/127\.0\.0\.1:\d+ only/, path);
  }
  t.match(
    (await failure(fetchSpecText(`${base}/to-loopback`, LOCAL))).message,
    new RegExp(`redirected to http://127\\.0\\.0\\.1:${target.port};`),
  );
  t.same(target.seen, [], 'the other origin was never asked');
});

t.test('user:password@ in the spec URL: sent as Basic auth to that origin, never returned or quoted', async (t) => {
  const marker = `pw-${Math.random().toString(36).slice(2)}`;
  const auths: (string | undefined)[] = [];
  const base = await serve(t, (req, res) => {
    auths.push(req.headers.authorization);
    if (req.url === '/start') return void res.writeHead(302, { location: '/openapi.json' }).end();
    if (req.url === '/missing') return void res.writeHead(404).end();
    res.end(SPEC);
  });
  const withAuth = base.replace('http://', `http://admin:${marker}@`);
  const fetched = await fetchSpecText(`${withAuth}/start`, LOCAL);
  t.same(fetched, { text: SPEC, url: `${base}/openapi.json` }, 'the reported URL has no userinfo');
  const basic = `Basic ${Buffer.from(`admin:${marker}`).toString('base64')}`;
  t.same(auths, [basic, basic], 'Basic auth on each hop within the origin');
  for (const url of [`${withAuth}/missing`, `http://admin:${marker}@[oops/openapi.json`, `http://admin:${marker}@10.0.0.1/openapi.json`]) {
    const error = await failure(fetchSpecText(url));
    t.notMatch(error.message, marker, `${url.replace(marker, '***')}: the password is not in the message`);
    t.notMatch(error.message, /admin:/);
  }
});

t.test('errors never quote the fetched document', async (t) => {
  const marker = `DOC-${Math.random().toString(36).slice(2)}`;
  const base = await serve(t, (req, res) => {
    if (req.url === '/big') return void res.end(`${marker}`.repeat(2000));
    if (req.url === '/error') return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`${marker} stack trace`);
    res.writeHead(302, { location: `/${marker}` }).end(marker);
  });
  for (const [path, opts] of [
    ['/big', { maxBytes: 4096 }],
    ['/error', {}],
  ] as const) {
    const error = await failure(fetchSpecText(`${base}${path}`, { ...LOCAL, ...opts }));
    t.notMatch(error.message, marker, path);
  }
});
