// Parameters per their OpenAPI style, checked on what a real server received.
import t from 'tap';
import { buildUpstreamRequest, createUpstreamClient, InvalidArgument } from '../../../server/modules/upstream/index.js';
import type { UpstreamCredentials } from '../../../server/modules/upstream/types.js';
import type { ToolDefinition } from '../../../server/modules/specs/types.js';
import { param, startRecordingServer, tool } from './fixtures/helpers.js';

const server = await startRecordingServer();
const client = createUpstreamClient({ timeoutMs: 5000 });
t.teardown(async () => {
  await client.close();
  await server.close();
});

async function sent(
  def: ToolDefinition,
  args: Record<string, unknown>,
  baseUrl = server.origin,
  credentials: UpstreamCredentials = { type: 'none' },
) {
  const req = buildUpstreamRequest(def, args, { baseUrl, credentials });
  await client.send(req);
  return server.requests.at(-1)!;
}

t.test('path styles: simple, label and matrix for primitives, arrays and objects', async (t) => {
  const cases: [Partial<Parameters<typeof param>[0]>, unknown, string][] = [
    [{ style: 'simple' }, 'a b/c', '/p/a%20b%2Fc'],
    [{ style: 'simple' }, 5, '/p/5'],
    [{ style: 'simple' }, ['blue', 'black'], '/p/blue,black'],
    [{ style: 'simple', explode: true }, ['blue', 'black'], '/p/blue,black'],
    [{ style: 'simple' }, { R: 100, G: 200 }, '/p/R,100,G,200'],
    [{ style: 'simple', explode: true }, { R: 100, G: 200 }, '/p/R=100,G=200'],
    [{ style: 'label' }, 'blue', '/p/.blue'],
    [{ style: 'label' }, ['blue', 'black'], '/p/.blue,black'],
    [{ style: 'label', explode: true }, ['blue', 'black'], '/p/.blue.black'],
    [{ style: 'label' }, { R: 100, G: 200 }, '/p/.R,100,G,200'],
    [{ style: 'label', explode: true }, { R: 100, G: 200 }, '/p/.R=100.G=200'],
    [{ style: 'matrix' }, 'blue', '/p/;color=blue'],
    [{ style: 'matrix' }, ['blue', 'black'], '/p/;color=blue,black'],
    [{ style: 'matrix', explode: true }, ['blue', 'black'], '/p/;color=blue;color=black'],
    [{ style: 'matrix' }, { R: 100, G: 200 }, '/p/;color=R,100,G,200'],
    [{ style: 'matrix', explode: true }, { R: 100, G: 200 }, '/p/;R=100;G=200'],
    [{ style: 'simple', contentType: 'application/json' }, { a: 1 }, '/p/%7B%22a%22%3A1%7D'],
  ];
  for (const [binding, value, expected] of cases) {
    const def = tool({ path: '/p/{color}', params: [param({ name: 'color', in: 'path', ...binding })] });
    t.equal(
      (await sent(def, { color: value })).url,
      expected,
      `${binding.style} explode=${binding.explode ?? false} ${JSON.stringify(value)}`,
    );
  }
});

t.test('query styles: form, spaceDelimited, pipeDelimited, deepObject, allowReserved, content', async (t) => {
  const cases: [Partial<Parameters<typeof param>[0]>, unknown, string][] = [
    [{}, 'a b&c', '/items?q=a%20b%26c'],
    [{}, ['x', 'y'], '/items?q=x&q=y'],
    [{ explode: false }, ['x', 'y'], '/items?q=x,y'],
    [{}, { R: 100, G: 200 }, '/items?R=100&G=200'],
    [{ explode: false }, { R: 100, G: 200 }, '/items?q=R,100,G,200'],
    [{ style: 'spaceDelimited', explode: false }, ['x', 'y'], '/items?q=x%20y'],
    [{ style: 'pipeDelimited', explode: false }, ['x', 'y'], '/items?q=x|y'],
    [{ style: 'pipeDelimited', explode: true }, ['x', 'y'], '/items?q=x&q=y'],
    [{ style: 'deepObject', explode: true }, { R: 100, G: 'a b' }, '/items?q[R]=100&q[G]=a%20b'],
    [{ style: 'deepObject', explode: true }, { a: { b: 1 }, c: [1, 2] }, '/items?q[a][b]=1&q[c][0]=1&q[c][1]=2'],
    [{ allowReserved: true }, 'a/b?c:d@e,f+g', '/items?q=a/b?c:d@e,f+g'],
    [{ allowReserved: true }, 'x%20y #', '/items?q=x%20y%20%23'],
    [{ contentType: 'application/json' }, { a: [1] }, '/items?q=%7B%22a%22%3A%5B1%5D%7D'],
    [{}, true, '/items?q=true'],
    [{}, [], '/items'],
    [{ explode: false }, [], '/items?q='],
  ];
  for (const [binding, value, expected] of cases) {
    const def = tool({ params: [param({ name: 'q', in: 'query', ...binding })] });
    t.equal(
      (await sent(def, { q: value })).url,
      expected,
      `${binding.style ?? 'form'} explode=${binding.explode ?? true} ${JSON.stringify(value)}`,
    );
  }
  const bracketed = tool({ params: [param({ name: 'filter[status]', arg: 'filter_status', in: 'query' })] });
  t.equal(
    (await sent(bracketed, { filter_status: 'open' })).url,
    '/items?filter[status]=open',
    'sanitized arg mapped back to the real name',
  );
  const optional = tool({ params: [param({ name: 'q', in: 'query' }), param({ name: 'r', in: 'query' })] });
  t.equal((await sent(optional, { r: null })).url, '/items', 'absent and null optional params are left out');
});

t.test('header and cookie params', async (t) => {
  const def = tool({
    params: [
      param({ name: 'X-Request-Id', arg: 'X_Request_Id', in: 'header' }),
      param({ name: 'X-Tags', in: 'header' }),
      param({ name: 'X-Point', in: 'header', explode: true }),
      param({ name: 'Accept', in: 'header' }),
      param({ name: 'Host', in: 'header' }),
      param({ name: 'session', in: 'cookie' }),
      param({ name: 'prefs', in: 'cookie', explode: false }),
    ],
  });
  const got = await sent(def, {
    X_Request_Id: 'abc-1',
    'X-Tags': ['a', 'b'],
    'X-Point': { x: 1, y: 2 },
    Accept: 'text/csv',
    Host: 'evil.example',
    session: 'v a;l',
    prefs: ['dark', 'wide'],
  });
  t.equal(got.headers['x-request-id'], 'abc-1');
  t.equal(got.headers['x-tags'], 'a,b');
  t.equal(got.headers['x-point'], 'x=1,y=2');
  t.equal(got.headers.accept, 'text/csv', 'an Accept argument replaces the default');
  t.equal(got.headers.host, server.origin.slice('http://'.length), 'a Host argument is dropped');
  t.equal(got.headers.cookie, 'session=v%20a%3Bl; prefs=dark,wide');

  const plain = await sent(tool(), {});
  t.equal(plain.headers.accept, 'application/json, */*;q=0.5', 'default Accept');
  t.throws(
    () => buildUpstreamRequest(def, { X_Request_Id: 'a\r\nX-Injected: 1' }, { baseUrl: server.origin, credentials: { type: 'none' } }),
    InvalidArgument,
    'no header injection',
  );
});

t.test('cookie parameter names are encoded like values', async (t) => {
  const def = tool({
    params: [param({ name: 'ck', in: 'cookie', explode: true }), param({ name: 'odd name;', arg: 'odd', in: 'cookie' })],
  });
  const got = await sent(def, { ck: { 'a=1; sess': 'X', plain: 'v' }, odd: 'w' });
  t.equal(got.headers.cookie, 'a%3D1%3B%20sess=X; plain=v; odd%20name%3B=w', 'no key can add a cookie of its own');
});

t.test("the base URL keeps its path prefix and query; the tool's serverUrl is not consulted", async (t) => {
  const def = tool({ path: '/items/{id}', params: [param({ name: 'id', in: 'path' })] });
  t.equal((await sent(def, { id: 7 }, `${server.origin}/v1`)).url, '/v1/items/7');
  t.equal((await sent(def, { id: 7 }, `${server.origin}/v1/`)).url, '/v1/items/7', 'trailing slash');
  t.equal((await sent(def, { id: 7 }, `${server.origin}/v1?api-version=2`)).url, '/v1/items/7?api-version=2');
  // The runtime decides which URL a tool goes to (and whether its origin is allowed); the builder obeys.
  const own = tool({ ...def, serverUrl: 'https://elsewhere.invalid/other' });
  t.equal((await sent(own, { id: 7 }, `${server.origin}/v9`)).url, '/v9/items/7', "the given base URL, not the tool's own");
  t.equal(
    buildUpstreamRequest(own, { id: 7 }, { baseUrl: `${server.origin}/v9`, credentials: { type: 'none' } }).url,
    `${server.origin}/v9/items/7`,
  );
});

t.test('path arguments that would change the path are refused', async (t) => {
  const def = tool({ path: '/items/{id}/parts', params: [param({ name: 'id', in: 'path' })] });
  const build = (id: unknown) => buildUpstreamRequest(def, { id }, { baseUrl: server.origin, credentials: { type: 'none' } });
  for (const id of ['.', '..', '%2e', '%2e%2E', '.%2e', '%2E.', '%252e%252e', 'a/..', '..\\x', '%2e%2e%2fsecret', ['..'], '']) {
    t.throws(() => build(id), { code: 'LK_INVALID_ARGUMENT' }, `refuses ${JSON.stringify(id)}`);
  }
  t.throws(() => build(undefined), { code: 'LK_INVALID_ARGUMENT', message: /"id" is required/ });
  const label = tool({ path: '/items/{id}', params: [param({ name: 'id', in: 'path', style: 'label' })] });
  t.throws(
    () => buildUpstreamRequest(label, { id: '.' }, { baseUrl: server.origin, credentials: { type: 'none' } }),
    InvalidArgument,
    'label "." makes ".."',
  );
  for (const id of ['a/b', '...', '.hidden', 'v1.2']) {
    t.doesNotThrow(() => build(id), `allows ${id}`);
  }
  t.equal((await sent(def, { id: 'a/b' })).url, '/items/a%2Fb/parts', 'a slash stays inside its segment');
  const before = server.requests.length;
  t.throws(() => build('..'));
  t.equal(server.requests.length, before, 'nothing was sent');
});

t.test('missing required query and body are refused', async (t) => {
  const def = tool({
    method: 'POST',
    params: [param({ name: 'q', in: 'query', required: true })],
    body: { arg: 'body', contentType: 'application/json', required: true },
  });
  const target = { baseUrl: server.origin, credentials: { type: 'none' } as const };
  t.throws(() => buildUpstreamRequest(def, { body: {} }, target), { code: 'LK_INVALID_ARGUMENT', message: /"q" is required/ });
  t.throws(() => buildUpstreamRequest(def, { q: 1 }, target), { code: 'LK_INVALID_ARGUMENT', message: /"body" is required/ });
  t.throws(() => buildUpstreamRequest(tool(), {}, { baseUrl: 'not a url', credentials: { type: 'none' } }), {
    code: 'LK_INVALID_ARGUMENT',
  });
  t.throws(() => buildUpstreamRequest(tool(), {}, { baseUrl: 'ftp://x.example', credentials: { type: 'none' } }), {
    code: 'LK_INVALID_ARGUMENT',
  });
});
