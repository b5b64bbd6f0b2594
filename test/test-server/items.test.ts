import t from 'tap';
import type { Item } from '../../test-server/store.js';
import { call, postJson, start } from './fixtures/helper.js';

interface ItemList {
  items: Item[];
  total: number;
}

t.test('listItems: seeded widgets, default limit 20, total counts every match', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  const res = await call(server, '/api/items');
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/json/);
  const body = (await res.json()) as ItemList;
  t.equal(body.items.length, 20);
  t.equal(body.total, 25);
  const widget10 = body.items.find((item) => item.name === 'widget-0010');
  t.ok(widget10, 'widget-0010 is on the first page (the benchmark looks for it)');
  t.match(widget10, { id: 'itm_0010', name: 'widget-0010', price: Number, tags: [String], createdAt: /^\d{4}-\d\d-\d\dT/ });
});

t.test('listItems: limit and q', async (t) => {
  const server = await start(t, { mode: 'none' });
  const limited = (await (await call(server, '/api/items?limit=3')).json()) as ItemList;
  t.same(
    limited.items.map((item) => item.name),
    ['widget-0001', 'widget-0002', 'widget-0003'],
  );
  t.equal(limited.total, 25);

  const all = (await (await call(server, '/api/items?limit=100')).json()) as ItemList;
  t.equal(all.items.length, 25);

  const filtered = (await (await call(server, '/api/items?q=001')).json()) as ItemList;
  t.same(
    filtered.items.map((item) => item.name),
    [
      'widget-0001',
      'widget-0010',
      'widget-0011',
      'widget-0012',
      'widget-0013',
      'widget-0014',
      'widget-0015',
      'widget-0016',
      'widget-0017',
      'widget-0018',
      'widget-0019',
    ],
  );
  t.equal(filtered.total, 11);

  const upper = (await (await call(server, '/api/items?q=WIDGET-0025')).json()) as ItemList;
  t.same(
    upper.items.map((item) => item.id),
    ['itm_0025'],
    'q is case-insensitive',
  );

  const none = (await (await call(server, '/api/items?q=gadget')).json()) as ItemList;
  t.same(none, { items: [], total: 0 });

  const both = (await (await call(server, '/api/items?q=widget-00&limit=2')).json()) as ItemList;
  t.equal(both.items.length, 2);
  t.equal(both.total, 25);
});

t.test('listItems: a limit outside 1..100 is a 400 that says why', async (t) => {
  const server = await start(t, { mode: 'none' });
  for (const limit of ['0', '101', '-1', 'abc', '2.5', '', '1e1', '0x10']) {
    const res = await call(server, `/api/items?limit=${encodeURIComponent(limit)}`);
    t.equal(res.status, 400, `limit=${limit}`);
    t.match(await res.json(), { error: 'INVALID_QUERY', message: /limit must be an integer from 1 to 100/ });
  }
  t.equal((await call(server, '/api/items?limit=1')).status, 200);
  t.equal((await call(server, '/api/items?limit=100')).status, 200);
});

t.test('createItem then getItem returns it; it shows in listItems', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  const created = await postJson(server, '/api/items', { name: 'gizmo', price: 4.5, tags: ['new', 'sale'] });
  t.equal(created.status, 201);
  const item = (await created.json()) as Item;
  t.match(item, { id: /^itm_[0-9a-f]+$/, name: 'gizmo', price: 4.5, tags: ['new', 'sale'] });
  t.ok(!Number.isNaN(Date.parse(item.createdAt)), 'createdAt is a date');

  const fetched = await call(server, `/api/items/${item.id}`);
  t.equal(fetched.status, 200);
  t.same(await fetched.json(), item);

  const listed = (await (await call(server, '/api/items?q=gizmo')).json()) as ItemList;
  t.same(listed, { items: [item], total: 1 });

  const minimal = (await (await postJson(server, '/api/items', { name: 'bare' })).json()) as Item;
  t.same(minimal.tags, [], 'tags default to []');
  t.notOk('price' in minimal, 'no price when none was given');
  t.not(minimal.id, item.id, 'ids are unique');
});

t.test('createItem validates its body', async (t) => {
  const server = await start(t, { mode: 'none' });
  const cases: Array<[string, unknown, RegExp]> = [
    ['name missing', { price: 1 }, /name/],
    ['name not a string', { name: 42 }, /name/],
    ['name empty', { name: '' }, /name/],
    ['price a string', { name: 'a', price: '1.00' }, /price/],
    ['price null', { name: 'a', price: null }, /price/],
    ['tags not an array', { name: 'a', tags: 'x' }, /tags/],
    ['tags with a number', { name: 'a', tags: ['x', 1] }, /tags/],
    ['an array', [{ name: 'a' }], /object/],
    ['not JSON', '{"name":', /JSON/],
    ['empty', '', /JSON/],
  ];
  for (const [label, body, message] of cases) {
    const res = await postJson(server, '/api/items', body);
    t.equal(res.status, 400, label);
    t.match(await res.json(), { error: 'INVALID_BODY', message }, label);
  }
  const list = (await (await call(server, '/api/items?limit=100')).json()) as ItemList;
  t.equal(list.total, 25, 'nothing was created');
});

t.test('getItem and deleteItem', async (t) => {
  const server = await start(t, { mode: 'bearer' });
  const unknown = await call(server, '/api/items/itm_nope');
  t.equal(unknown.status, 404);
  t.same(await unknown.json(), { error: 'NOT_FOUND' });

  const deleted = await call(server, '/api/items/itm_0003', { method: 'DELETE' });
  t.equal(deleted.status, 204);
  t.equal(await deleted.text(), '', 'no body');

  const gone = await call(server, '/api/items/itm_0003');
  t.equal(gone.status, 404);
  t.same(await gone.json(), { error: 'NOT_FOUND' });

  const again = await call(server, '/api/items/itm_0003', { method: 'DELETE' });
  t.equal(again.status, 404);
  t.same(await again.json(), { error: 'NOT_FOUND' });

  const list = (await (await call(server, '/api/items?limit=100')).json()) as ItemList;
  t.equal(list.total, 24);

  const malformed = await call(server, '/api/items/%E0%A4%A');
  t.equal(malformed.status, 404, 'a malformed escape is just an unknown id');
});

t.test('listUsers', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  const res = await call(server, '/api/users');
  t.equal(res.status, 200);
  const body = (await res.json()) as { users: Array<{ id: string; name: string; email: string }>; total: number };
  t.ok(body.users.length >= 3);
  t.equal(body.total, body.users.length);
  for (const user of body.users) t.match(user, { id: String, name: String, email: /@/ });
});

t.test('servers do not share data', async (t) => {
  const first = await start(t, { mode: 'none' });
  const second = await start(t, { mode: 'none' });
  await call(first, '/api/items/itm_0001', { method: 'DELETE' });
  t.equal((await call(second, '/api/items/itm_0001')).status, 200);
});

t.test('unknown routes and methods answer JSON', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  for (const path of ['/', '/nope', '/api/nope', '/api/items/itm_0001/extra', '/api/items/']) {
    const res = await call(server, path);
    t.equal(res.status, 404, path);
    t.match(await res.json(), { error: 'NOT_FOUND', message: /No route/ }, path);
  }
  const put = await call(server, '/api/items/itm_0001', { method: 'PUT', body: '{}' });
  t.equal(put.status, 405);
  t.equal(put.headers.get('allow'), 'GET, DELETE');
  t.match(await put.json(), { error: 'METHOD_NOT_ALLOWED' });

  const postUsers = await call(server, '/api/users', { method: 'POST', body: '{}' });
  t.equal(postUsers.status, 405);
});

t.test('bodies over 1 MiB get 413; exactly 1 MiB is accepted', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  const envelope = JSON.stringify({ name: '' }).length;
  const atLimit = await postJson(server, '/api/items', { name: 'x'.repeat(1024 * 1024 - envelope) });
  t.equal(atLimit.status, 201);

  const over = await postJson(server, '/api/items', { name: 'x'.repeat(1024 * 1024 - envelope + 1) });
  t.equal(over.status, 413);
  t.match(await over.json(), { error: 'PAYLOAD_TOO_LARGE' });

  // Without a Content-Length the limit is found while reading.
  const chunk = new TextEncoder().encode('y'.repeat(64 * 1024));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 40; i++) controller.enqueue(chunk);
      controller.close();
    },
  });
  const chunked = await call(server, '/api/items', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  t.equal(chunked.status, 413);
  t.match(await chunked.json(), { error: 'PAYLOAD_TOO_LARGE' });

  t.equal((await call(server, '/api/items/itm_0001')).status, 200, 'the server carries on');
});
