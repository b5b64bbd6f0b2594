import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { call, start } from './fixtures/helper.js';

t.test('mode apikey: missing and invalid keys get distinct 401s, the right key passes', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  t.match(server.key, /^ts_[\w-]{16,}$/, 'a generated key has the ts_ prefix');

  const missing = await fetch(`${server.url}/api/items`);
  t.equal(missing.status, 401);
  t.same(await missing.json(), { error: 'MISSING_API_KEY' });

  const invalid = await fetch(`${server.url}/api/items`, { headers: { 'x-api-key': `${server.key}x` } });
  t.equal(invalid.status, 401);
  t.same(await invalid.json(), { error: 'INVALID_API_KEY' });

  const empty = await fetch(`${server.url}/api/items`, { headers: { 'x-api-key': '' } });
  t.same(await empty.json(), { error: 'MISSING_API_KEY' }, 'an empty header is no key');

  const asBearer = await fetch(`${server.url}/api/items`, { headers: { authorization: `Bearer ${server.key}` } });
  t.same(await asBearer.json(), { error: 'MISSING_API_KEY' }, 'the key in the wrong header does not count');

  const ok = await fetch(`${server.url}/api/items`, { headers: { 'X-Api-Key': server.key } });
  t.equal(ok.status, 200);
});

t.test('every /api route is guarded, unknown ones included', async (t) => {
  const server = await start(t, { mode: 'apikey', key: 'secret-1' });
  for (const [method, path] of [
    ['GET', '/api/items'],
    ['POST', '/api/items'],
    ['GET', '/api/items/itm_0001'],
    ['DELETE', '/api/items/itm_0001'],
    ['GET', '/api/users'],
    ['GET', '/api/nope'],
    ['GET', '/api'],
  ]) {
    const res = await fetch(`${server.url}${path}`, { method });
    t.equal(res.status, 401, `${method} ${path}`);
    t.same(await res.json(), { error: 'MISSING_API_KEY' });
  }
  const stillThere = await call(server, '/api/items/itm_0001');
  t.equal(stillThere.status, 200, 'the unauthenticated DELETE did nothing');
});

t.test('mode bearer: Authorization: Bearer <key>', async (t) => {
  const server = await start(t, { mode: 'bearer', key: 'tok_123' });
  t.equal(server.key, 'tok_123', '--key is used as given');

  const missing = await fetch(`${server.url}/api/users`);
  t.equal(missing.status, 401);
  t.same(await missing.json(), { error: 'MISSING_API_KEY' });
  t.match(missing.headers.get('www-authenticate'), /^Bearer /);

  for (const authorization of ['Bearer tok_1234', 'Basic dG9rXzEyMw==', 'tok_123', 'Bearer']) {
    const res = await fetch(`${server.url}/api/users`, { headers: { authorization } });
    t.equal(res.status, 401, authorization);
    t.same(await res.json(), { error: 'INVALID_API_KEY' }, authorization);
  }

  const xApiKey = await fetch(`${server.url}/api/users`, { headers: { 'x-api-key': 'tok_123' } });
  t.same(await xApiKey.json(), { error: 'MISSING_API_KEY' }, 'X-Api-Key means nothing in bearer mode');

  for (const authorization of ['Bearer tok_123', 'bearer tok_123']) {
    const res = await fetch(`${server.url}/api/users`, { headers: { authorization } });
    t.equal(res.status, 200, `${authorization}: the scheme name is case-insensitive`);
  }
});

t.test('mode none: no credential needed, key is empty', async (t) => {
  const server = await start(t, { mode: 'none', key: 'ignored' });
  t.equal(server.key, '');
  const res = await fetch(`${server.url}/api/items/itm_0001`);
  t.equal(res.status, 200);
});

t.test('public endpoints need no credential in any mode', async (t) => {
  for (const mode of ['apikey', 'bearer'] as const) {
    const server = await start(t, { mode });
    t.equal((await fetch(`${server.url}/openapi.json`)).status, 200, `${mode}: /openapi.json`);
    t.equal((await fetch(`${server.url}/__stats`)).status, 200, `${mode}: /__stats`);
  }
});

t.test('unusable keys are refused at start', async (t) => {
  await t.rejects(startTestServer({ mode: 'apikey', key: 'has space' }), TypeError);
  await t.rejects(startTestServer({ mode: 'bearer', key: '' }), TypeError);
  // A JavaScript caller can get the mode wrong too.
  await t.rejects(startTestServer({ mode: 'oauth2' as 'none' }), /Unknown mode/);
});

t.test('binds 127.0.0.1 by default', async (t) => {
  const server = await start(t, { mode: 'none' });
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.not(server.url, 'http://127.0.0.1:0', 'reports the real port');
});
