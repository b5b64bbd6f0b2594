// Each credential type lands where its type says, and beats any argument of the same name.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { buildUpstreamRequest, createUpstreamClient } from '../../../server/modules/upstream/index.js';
import type { UpstreamCredentials } from '../../../server/modules/upstream/types.js';
import { param, startRecordingServer, tool } from './fixtures/helpers.js';

const server = await startRecordingServer();
const client = createUpstreamClient({ timeoutMs: 5000 });
t.teardown(async () => {
  await client.close();
  await server.close();
});

const marker = `SECRET-MARKER-${randomBytes(6).toString('hex')}`;
// A tool whose arguments try to set every place a credential could go.
const def = tool({
  params: [
    param({ name: 'Authorization', in: 'header' }),
    param({ name: 'x-api-key', in: 'header' }),
    param({ name: 'X-Tenant', in: 'header' }),
    param({ name: 'api_key', in: 'query' }),
    param({ name: 'page', in: 'query' }),
    param({ name: 'sid', in: 'cookie' }),
    param({ name: 'theme', in: 'cookie' }),
  ],
});
const hostile = {
  Authorization: 'Bearer from-the-model',
  'x-api-key': 'from-the-model',
  'X-Tenant': 'model-tenant',
  api_key: 'from-the-model',
  page: 2,
  sid: 'from-the-model',
  theme: 'dark',
};

async function sent(credentials: UpstreamCredentials, args: Record<string, unknown> = hostile) {
  await client.send(buildUpstreamRequest(def, args, { baseUrl: server.origin, credentials }));
  return server.requests.at(-1)!;
}

t.test('bearer', async (t) => {
  const got = await sent({ type: 'bearer', token: marker });
  t.equal(got.headers.authorization, `Bearer ${marker}`, 'the credential wins over the argument');
  t.equal(got.url, '/items?api_key=from-the-model&page=2', 'nothing in the query');
  t.equal(got.headers.cookie, 'sid=from-the-model; theme=dark');
});

t.test('basic', async (t) => {
  const got = await sent({ type: 'basic', username: 'ada', password: marker });
  t.equal(got.headers.authorization, `Basic ${Buffer.from(`ada:${marker}`).toString('base64')}`);
});

t.test('api_key in a header, case-insensitively replacing the argument', async (t) => {
  const got = await sent({ type: 'api_key', in: 'header', name: 'X-API-Key', value: marker });
  t.equal(got.headers['x-api-key'], marker);
  t.equal(got.headers.authorization, 'Bearer from-the-model', 'unrelated headers stay');
  t.notMatch(got.url, marker);
});

t.test('api_key in the query replaces a same-named argument', async (t) => {
  const got = await sent({ type: 'api_key', in: 'query', name: 'api_key', value: `${marker}&x=1` });
  t.equal(got.url, `/items?page=2&api_key=${encodeURIComponent(`${marker}&x=1`)}`);
  t.notMatch(JSON.stringify(got.headers), marker, 'and nowhere else');
});

t.test('api_key in a cookie replaces a same-named cookie argument', async (t) => {
  const got = await sent({ type: 'api_key', in: 'cookie', name: 'sid', value: marker });
  t.equal(got.headers.cookie, `theme=dark; sid=${marker}`);
  const alone = await sent({ type: 'api_key', in: 'cookie', name: 'sid', value: marker }, {});
  t.equal(alone.headers.cookie, `sid=${marker}`);
});

t.test('a cookie argument cannot add a cookie or shadow a cookie credential', async (t) => {
  const jar = tool({
    params: [param({ name: 'ck', in: 'cookie', explode: true }), param({ name: 'Cookie', arg: 'raw_cookie', in: 'header' })],
  });
  const send = async (args: Record<string, unknown>) => {
    await client.send(
      buildUpstreamRequest(jar, args, {
        baseUrl: server.origin,
        credentials: { type: 'api_key', in: 'cookie', name: 'sess', value: marker },
      }),
    );
    return server.requests.at(-1)!.headers.cookie!;
  };
  const cookies = (header: string) => header.split('; ').map((pair) => pair.split('=', 1)[0]);
  const keyed = await send({ ck: { 'a=1; sess': 'X', sess: 'Y', '%73ess': 'Z' } });
  t.equal(cookies(keyed).filter((n) => n === 'sess').length, 1, `one sess cookie: ${keyed}`);
  t.ok(keyed.endsWith(`sess=${marker}`), 'and it is the credential');
  t.match(keyed, 'a%3D1%3B%20sess=X', "the key's `=` and `;` are encoded");
  const header = await send({ raw_cookie: 'a=1; sess=X;  sess=Y ; %73ess=Z' });
  t.same(
    cookies(header).filter((n) => n === 'sess' || n === '%73ess'),
    ['sess'],
    `a Cookie header argument cannot shadow it either: ${header}`,
  );
  t.ok(header.endsWith(`sess=${marker}`));
});

t.test('custom headers, Cookie included', async (t) => {
  const got = await sent({ type: 'headers', headers: { 'X-Tenant': `t-${marker}`, authorization: `Token ${marker}` } });
  t.equal(got.headers['x-tenant'], `t-${marker}`);
  t.equal(got.headers.authorization, `Token ${marker}`);
  t.equal(got.headers['x-api-key'], 'from-the-model');
  const cookie = await sent({ type: 'headers', headers: { Cookie: `session=${marker}` } });
  t.equal(cookie.headers.cookie, `session=${marker}`, 'credential cookies replace argument cookies');
});

t.test('none leaves the arguments alone', async (t) => {
  const got = await sent({ type: 'none' });
  t.equal(got.headers.authorization, 'Bearer from-the-model');
});
