import { request } from 'node:http';
import t from 'tap';
import { RECEIVED_LIMIT } from '../../test-server/test-server.js';
import { call, postJson, start } from './fixtures/helper.js';

t.test('/__stats counts /api requests only, refused ones included', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  const stats = async (): Promise<unknown> => (await fetch(`${server.url}/__stats`)).json();
  t.same(await stats(), { requests: 0 });

  await fetch(`${server.url}/openapi.json`);
  await fetch(`${server.url}/nope`);
  t.same(await stats(), { requests: 0 }, 'public and unknown non-/api routes do not count');

  await call(server, '/api/items');
  await fetch(`${server.url}/api/items`);
  await call(server, '/api/nope');
  t.same(await stats(), { requests: 3 });
  t.same(server.stats(), { requests: 3 });
});

t.test('received records exactly what arrived', async (t) => {
  const server = await start(t, { mode: 'apikey', key: 'k-1' });
  await postJson(server, '/api/items?dry=1', { name: 'gizmo' });
  await fetch(`${server.url}/api/users?limit=5`, { headers: { 'X-Api-Key': 'wrong', 'X-Trace': 'abc' } });

  t.equal(server.received.length, 2);
  const [post, get] = server.received;
  t.match(post, { method: 'POST', path: '/api/items?dry=1', body: '{"name":"gizmo"}' });
  t.equal(post.headers['x-api-key'], 'k-1');
  t.equal(post.headers['content-type'], 'application/json');
  t.match(get, { method: 'GET', path: '/api/users?limit=5', body: '' });
  t.equal(get.headers['x-api-key'], 'wrong', 'refused requests are recorded too');
  t.equal(get.headers['x-trace'], 'abc', 'header names are lower-cased');
});

t.test('received keeps repeated headers that req.headers would drop', async (t) => {
  const server = await start(t, { mode: 'bearer', key: 'k-2' });
  await new Promise<void>((resolve, reject) => {
    const url = new URL('/api/users', server.url);
    // Raw header arrays are sent as given, so Host has to be spelled out.
    const headers = ['Host', url.host, 'Authorization', 'Bearer k-2', 'Authorization', 'Bearer other'];
    const req = request(url, { headers }, (res) => {
      t.equal(res.statusCode, 200, 'the first Authorization header decides');
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(server.received[0].headers.authorization, 'Bearer k-2, Bearer other');
});

t.test(`received keeps the last ${RECEIVED_LIMIT} requests`, async (t) => {
  const server = await start(t, { mode: 'none' });
  const total = RECEIVED_LIMIT + 5;
  for (let i = 0; i < total; i++) await (await call(server, `/api/items?q=${i}`)).arrayBuffer();
  t.equal(server.received.length, RECEIVED_LIMIT);
  t.equal(server.received[0].path, '/api/items?q=5');
  t.equal(server.received.at(-1)?.path, `/api/items?q=${total - 1}`);
  t.same(server.stats(), { requests: total });
});

t.test('close() does not wait for idle keep-alive connections', async (t) => {
  const server = await start(t, { mode: 'none' });
  const res = await call(server, '/api/users');
  t.equal(res.headers.get('connection'), 'keep-alive');
  await res.arrayBuffer();
  const started = Date.now();
  await server.close();
  t.ok(Date.now() - started < 1000, `closed in ${Date.now() - started} ms`);
  await t.rejects(fetch(`${server.url}/__stats`), 'nothing listens afterwards');
  await server.close();
  t.pass('closing twice is harmless');
});
