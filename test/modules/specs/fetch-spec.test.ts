import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { SpecFetchFailed, SpecTooLarge } from '../../../server/errors.js';
import { fetchSpecText } from '../../../server/modules/specs/index.js';

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

t.test('fetches the text', async (t) => {
  const base = await serve(t, (req, res) => {
    t.match(req.headers.accept, /application\/json/);
    res.setHeader('content-type', 'application/json');
    res.end(SPEC);
  });
  t.same(await fetchSpecText(`${base}/openapi.json`), { text: SPEC, url: `${base}/openapi.json` });
});

t.test('an HTTP error status fails with the status', async (t) => {
  const base = await serve(t, (_req, res) => {
    res.statusCode = 404;
    res.end('nope');
  });
  const error = await failure(fetchSpecText(`${base}/missing.json`));
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
  t.same(await fetchSpecText(`${base}/start`), { text: 'openapi: 3.0.3', url: `${base}/docs/spec.yaml` });
  const error = await failure(fetchSpecText(`${base}/hop/0`, { maxRedirects: 3 }));
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
  const streamed = await failure(fetchSpecText(`${base}/chunked`, { maxBytes: 4096 }));
  t.ok(streamed instanceof SpecTooLarge);
  t.match(streamed.message, /4 KiB/);
  const declared = await failure(fetchSpecText(`${base}/declared`, { maxBytes: 4096 }));
  t.ok(declared instanceof SpecTooLarge);
});

t.test('a server that does not answer in time', async (t) => {
  const base = await serve(t, () => {
    // never answers
  });
  const started = Date.now();
  const error = await failure(fetchSpecText(`${base}/slow`, { timeoutMs: 100 }));
  t.ok(error instanceof SpecFetchFailed);
  t.match(error.message, /no complete answer within 0.1 s/);
  t.ok(Date.now() - started < 5000);
});

t.test('connection refused', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const error = await failure(fetchSpecText(`http://127.0.0.1:${port}/spec.json`));
  t.ok(error instanceof SpecFetchFailed);
  t.match(error.message, /connection was refused/);
});

t.test('only http and https', async (t) => {
  for (const url of ['file:///etc/passwd', 'ftp://example.com/spec.json', 'not a url']) {
    const error = await failure(fetchSpecText(url));
    t.ok(error instanceof SpecFetchFailed, url);
  }
});
