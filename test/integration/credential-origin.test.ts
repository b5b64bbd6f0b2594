// Credentials go only to the origin they were saved for: an operation's own server on another
// port never receives the key unless the admin allows that origin; an admin-set base URL wins
// over every operation's server; a re-upload that moves the API holds the credentials back until
// an admin confirms; `user:pw@` in a spec's servers is stored and answered nowhere.
import t from 'tap';
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../../test-server/test-server.js';
import { startRecordingServer, type RecordingServer } from '../modules/upstream/fixtures/helpers.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { storedBytes } from '../helpers/stored-bytes.js';

/** The test server's own spec, with `edit` applied (e.g. an operation-level server elsewhere). */
async function specOf(api: TestServer, edit: (doc: any) => void = () => {}): Promise<string> {
  const doc = await (await fetch(`${api.url}/openapi.json`)).json();
  edit(doc);
  return JSON.stringify(doc);
}

async function servers(t: Test): Promise<{ api: TestServer; other: RecordingServer }> {
  const api = await startTestServer({ mode: 'apikey' });
  t.teardown(() => api.close());
  const other = await startRecordingServer();
  t.teardown(() => other.close());
  return { api, other };
}

/** A workspace with the spec uploaded, the API key saved and every tool enabled. */
async function workspace(t: Test, gw: TestGateway, api: TestServer, spec: string) {
  const created = await gw.api('POST', '/api/workspaces', { name: 'origins' });
  const id = created.body.id as string;
  const upload = await gw.api('POST', `/api/workspaces/${id}/spec`, { content: spec });
  t.equal(upload.status, 200, upload.text);
  t.equal((await gw.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', value: api.key })).status, 200, 'key saved');
  const tools = (await gw.api('GET', `/api/workspaces/${id}/tools`)).body.tools as { name: string }[];
  await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: Object.fromEntries(tools.map((x) => [x.name, true])) });
  return { id, mcpUrl: created.body.mcpUrl as string, upload: upload.body };
}

const withUsersElsewhere = (origin: string) => (doc: any) => {
  doc.paths['/api/users'].get.servers = [{ url: origin }];
};

t.test('an operation-level server on another origin gets neither the call nor the key until the admin allows it', async (t) => {
  const { api, other } = await servers(t);
  const gw = await startGateway(t);
  const ws = await workspace(t, gw, api, await specOf(api, withUsersElsewhere(other.origin)));
  t.ok(
    ws.upload.warnings.some((w: { message: string }) => w.message.includes(other.origin) && w.message.includes('"allowedOrigins"')),
    'the upload warns that the tool on another origin is refused and says how to allow it',
  );

  const tools = (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools as { name: string; serverUrl: string | null }[];
  t.equal(tools.find((x) => x.name === 'listUsers')?.serverUrl, other.origin, "the tools API shows the tool's own server");
  t.equal(tools.find((x) => x.name === 'listItems')?.serverUrl, null, 'null when the tool has none');

  const auth = (await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body;
  t.match(auth, { type: 'api_key', origin: api.url, held: false }, "the credentials are bound to the base URL's origin");

  const client = await connectClient(t, ws.mcpUrl);
  const items = await client.callTool({ name: 'listItems', arguments: {} });
  t.notOk(items.isError, textOf(items));
  t.equal(api.received.at(-1)?.headers['x-api-key'], api.key, "the base URL's origin gets the key");

  const refused = await client.callTool({ name: 'listUsers', arguments: {} });
  t.ok(refused.isError, 'the call is refused');
  t.match(
    textOf(refused),
    `Tool "listUsers" calls ${other.origin}, which is neither the base URL's origin (${api.url}) nor an origin the admin allowed`,
  );
  t.match(textOf(refused), `PATCH /api/workspaces/:id {"allowedOrigins": ["${other.origin}"]}`, 'it says how to allow it');
  t.equal(other.requests.length, 0, 'nothing reached the other origin: neither the key nor a call without it');

  // Bad input: a clear 400, nothing changed.
  for (const bad of [`${other.origin}/path`, 'ftp://files.example.com', 'not a url', `http://u:sekrit_pw@127.0.0.1:1`]) {
    const res = await gw.api('PATCH', `/api/workspaces/${ws.id}`, { allowedOrigins: [bad] });
    t.equal(res.status, 400, `"${bad}" refused`);
    t.match(res.body.error.message, /"allowedOrigins" entries must be origins such as "https:\/\/uploads\.example\.com"/);
    t.notMatch(res.text, 'sekrit_pw', 'a password given in an origin is not echoed');
  }
  t.same((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.allowedOrigins, [], 'nothing was saved');

  const allowed = await gw.api('PATCH', `/api/workspaces/${ws.id}`, { allowedOrigins: [`${other.origin}/`, other.origin] });
  t.equal(allowed.status, 200, allowed.text);
  t.same(allowed.body.allowedOrigins, [other.origin], 'normalised, without repeats');
  const users = await client.callTool({ name: 'listUsers', arguments: {} });
  t.notOk(users.isError, textOf(users));
  t.equal(other.requests.length, 1);
  t.equal(other.requests[0].url, '/api/users');
  t.equal(other.requests[0].headers['x-api-key'], api.key, 'an allowed origin gets the key');

  t.same((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { allowedOrigins: null })).body.allowedOrigins, [], 'null clears the list');
  t.ok((await client.callTool({ name: 'listUsers', arguments: {} })).isError, 'refused again');
  t.equal(other.requests.length, 1, 'and not sent');
  const logs = (await gw.api('GET', `/api/workspaces/${ws.id}/logs?tool=listUsers`)).body.items as { ok: boolean; error: string | null }[];
  t.ok(
    logs.some((x) => !x.ok && x.error?.includes('nor an origin the admin allowed')),
    'the refusal is in the call log',
  );
});

t.test('an admin-set base URL wins over operation- and path-level servers, in live and test', async (t) => {
  const { api, other } = await servers(t);
  const gw = await startGateway(t);
  // The spec's own server and the operation's are both the other port; the admin points the workspace at the API.
  const ws = await workspace(
    t,
    gw,
    api,
    await specOf(api, (doc) => {
      doc.servers = [{ url: other.origin }];
      doc.paths['/api/users'].servers = [{ url: `${other.origin}/path-level` }];
      doc.paths['/api/items'].get.servers = [{ url: `${other.origin}/op-level` }];
    }),
  );
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: api.url })).status, 200);
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: api.key })).status, 200);
  const client = await connectClient(t, ws.mcpUrl);
  for (const name of ['listItems', 'listUsers', 'getItem']) {
    const result = await client.callTool({ name, arguments: name === 'getItem' ? { id: 'itm_0001' } : {} });
    t.notOk(result.isError, `${name}: ${textOf(result)}`);
    t.equal(api.received.at(-1)?.headers['x-api-key'], api.key, `${name} went to the admin's base URL with the key`);
  }
  t.equal(other.requests.length, 0, "nothing went to the spec's servers");

  const env = await gw.api('POST', `/api/workspaces/${ws.id}/environments`, { name: 'test', baseUrl: api.url });
  t.equal(env.status, 201, env.text);
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth?environment=test`, { type: 'api_key', value: api.key })).status, 200);
  const test = await connectClient(t, env.body.mcpUrl);
  const before = api.received.length;
  for (const name of ['listItems', 'listUsers']) t.notOk((await test.callTool({ name, arguments: {} })).isError, `test: ${name}`);
  t.equal(api.received.length, before + 2, "the test environment's base URL wins too");
  t.equal(other.requests.length, 0);
});

t.test('a re-upload that moves the API holds the credentials back until an admin confirms', async (t) => {
  const { api, other } = await servers(t);
  const gw = await startGateway(t);
  const ws = await workspace(t, gw, api, await specOf(api));
  const client = await connectClient(t, ws.mcpUrl);
  t.notOk((await client.callTool({ name: 'listItems', arguments: {} })).isError);

  // The same API's spec, now pointing at another host: a different API, or a hostile spec.
  const moved = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, {
    content: await specOf(api, (doc) => (doc.servers = [{ url: other.origin }])),
  });
  t.equal(moved.status, 200, moved.text);
  const message = `The API's address changed from ${api.url} to ${other.origin}; the saved credentials of the live environment are held back until an admin confirms them in Configure or with POST /api/workspaces/:id/auth/confirm?environment=live.`;
  t.ok(
    moved.body.warnings.some((w: { message: string }) => w.message.startsWith(message)),
    'the upload answer says so',
  );
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { saved: true, origin: api.url, held: true });

  const held = await client.callTool({ name: 'listItems', arguments: {} });
  t.ok(held.isError);
  t.match(textOf(held), message, 'the call says why and what to do');
  t.equal(other.requests.length, 0, 'the key was not sent to the new host, and no call went without it');

  t.equal(
    (await gw.api('POST', `/api/workspaces/${ws.id}/auth/confirm?environment=test`)).status,
    404,
    'an environment that does not exist',
  );
  const confirmed = await gw.api('POST', `/api/workspaces/${ws.id}/auth/confirm`);
  t.equal(confirmed.status, 200, confirmed.text);
  t.match(confirmed.body, { type: 'api_key', origin: other.origin, held: false });
  const after = await client.callTool({ name: 'listItems', arguments: {} });
  t.notOk(after.isError, textOf(after));
  t.equal(other.requests.at(-1)?.headers['x-api-key'], api.key, 'confirmed: the new origin gets the key');

  // Back to the first host: held again, until confirmed again.
  await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: await specOf(api) });
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { origin: other.origin, held: true });
  const count = api.received.length;
  t.ok((await client.callTool({ name: 'listItems', arguments: {} })).isError);
  t.equal(api.received.length, count, 'nothing sent while held');

  // Saving credentials anew binds them to the current origin, as confirming does.
  t.match((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: api.key })).body, {
    origin: api.url,
    held: false,
  });
  t.notOk((await client.callTool({ name: 'listItems', arguments: {} })).isError);

  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/auth`)).status, 200);
  const none = await gw.api('POST', `/api/workspaces/${ws.id}/auth/confirm`);
  t.equal(none.status, 409);
  t.match(none.body.error.message, 'no saved credentials to confirm');
});

t.test('credentials saved before a spec bind to the first upload; an upload without credentials holds nothing', async (t) => {
  const { api, other } = await servers(t);
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'auth first' });
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', name: 'X-Api-Key', value: api.key });
  t.match(saved.body, { origin: null, held: false }, 'no base URL yet');
  const first = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: await specOf(api) });
  t.notOk(first.body.warnings.some((w: { message: string }) => w.message.includes('held back')));
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { origin: api.url, held: false });
  const client = await connectClient(t, ws.mcpUrl);
  t.notOk((await client.callTool({ name: 'listItems', arguments: {} })).isError);

  // A second upload to another host is held: the binding of the first upload stuck.
  await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: await specOf(api, (doc) => (doc.servers = [{ url: other.origin }])) });
  t.match((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, { origin: api.url, held: true });
  t.ok((await client.callTool({ name: 'listItems', arguments: {} })).isError);
  t.equal(other.requests.length, 0);

  const { body: plain } = await gw.api('POST', '/api/workspaces', { name: 'no auth' });
  await gw.api('POST', `/api/workspaces/${plain.id}/spec`, { content: await specOf(api) });
  const again = await gw.api('POST', `/api/workspaces/${plain.id}/spec`, {
    content: await specOf(api, (doc) => (doc.servers = [{ url: other.origin }])),
  });
  t.notOk(
    again.body.warnings.some((w: { message: string }) => w.message.includes('held back')),
    'nothing to hold',
  );
  t.match((await gw.api('GET', `/api/workspaces/${plain.id}/auth`)).body, { saved: false, held: false });
});

t.test("user:pw@ in a spec's servers is neither stored nor answered", async (t) => {
  const { api, other } = await servers(t);
  const gw = await startGateway(t, { env: { LOG_LEVEL: 'trace' } });
  const marker = `URLINFO${randomBytes(6).toString('hex')}`;
  const withUserinfo = (origin: string, who: string) => origin.replace('http://', `http://${who}_${marker}:pw_${marker}@`);
  const seen: string[] = [];
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await gw.api(method, p, body);
    seen.push(res.text);
    return res;
  };

  const { body: ws } = await call('POST', '/api/workspaces', { name: 'userinfo' });
  const upload = await call('POST', `/api/workspaces/${ws.id}/spec`, {
    content: await specOf(api, (doc) => {
      doc.servers = [{ url: withUserinfo(api.url, 'doc') }];
      doc.paths['/api/users'].get.servers = [{ url: `${withUserinfo(other.origin, 'op')}/alt` }];
      doc.paths['/api/items/{id}'].servers = [
        { url: '//{who}127.0.0.1:9/v{n}', variables: { who: { default: `v_${marker}:pw@` }, n: { default: '2' } } },
      ];
    }),
  });
  t.equal(upload.status, 200, upload.text);
  t.equal(upload.body.baseUrl, api.url, 'the base URL without userinfo');
  t.ok(
    upload.body.warnings.some(
      (w: { message: string }) => w.message.includes('Credentials in server URLs are ignored') && w.message.includes('Basic auth'),
    ),
    'the upload says why',
  );
  const tools = (await call('GET', `/api/workspaces/${ws.id}/tools`)).body.tools as { name: string; serverUrl: string | null }[];
  t.equal(tools.find((x) => x.name === 'listUsers')?.serverUrl, `${other.origin}/alt`);
  t.equal(tools.find((x) => x.name === 'getItem')?.serverUrl, 'http://127.0.0.1:9/v2', "a variable's default is stripped too");
  t.equal((await call('GET', `/api/workspaces/${ws.id}`)).body.baseUrl, api.url);
  t.equal((await call('GET', `/api/workspaces/${ws.id}/spec`)).body.baseUrl, api.url);

  // The admin's own base URL with userinfo: refused with a clear 400 (and not echoed).
  const patched = await call('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: withUserinfo(api.url, 'admin') });
  t.equal(patched.status, 400);
  t.match(patched.body.error.message, 'must not contain credentials: save them under auth instead');
  const env = await call('POST', `/api/workspaces/${ws.id}/environments`, { name: 'test', baseUrl: withUserinfo(api.url, 'env') });
  t.equal(env.status, 400, "the test environment's too");

  // The spec fetched from a URL with userinfo: not stored, not answered.
  const fetched = await call('POST', `/api/workspaces/${ws.id}/spec`, { url: `${withUserinfo(api.url, 'src')}/openapi.json` });
  t.comment(`upload by URL with userinfo answered ${fetched.status}`);
  for (const p of ['', '/spec', '/tools', '/auth', '/environments']) await call('GET', `/api/workspaces/${ws.id}${p}`);

  await gw.app.close();
  t.notOk((await storedBytes(gw)).includes(marker), 'not in the database');
  t.notOk(seen.join('\n').includes(marker), 'not in any admin API answer');
  t.notOk(gw.logs().includes(marker), 'not in the log output');
});
