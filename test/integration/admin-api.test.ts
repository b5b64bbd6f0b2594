// The admin API's contract and its bad-input behaviour: every error is JSON with a code and a
// message a person understands, and nothing already saved is lost.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';

const VALID_YAML = `openapi: 3.0.3
info: { title: Tiny, version: "2.1" }
servers: [{ url: "https://api.example.com/v1" }]
paths:
  /ping:
    get: { operationId: ping, responses: { "200": { description: ok } } }
`;

t.test('every /api route needs the admin token', async (t) => {
  const gw = await startGateway(t);
  for (const [method, path] of [
    ['GET', '/api/workspaces'],
    ['POST', '/api/workspaces'],
    ['GET', '/api/workspaces/x/tools'],
    ['PUT', '/api/workspaces/x/auth'],
  ]) {
    const res = await fetch(gw.url + path, { method, headers: { authorization: 'Bearer wrong-token-000000' } });
    t.equal(res.status, 401, `${method} ${path}`);
    t.match(await res.json(), { error: { code: 'LK_UNAUTHORIZED', message: /admin token/ } });
  }
  t.equal((await fetch(gw.url + '/api/workspaces')).status, 401, 'no header at all');
  const health = await fetch(gw.url + '/healthz');
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });
});

t.test('workspace CRUD and the effective base URL', async (t) => {
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: '  My API  ' });
  t.equal(ws.name, 'My API');
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 1);
  await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: VALID_YAML });
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.baseUrl, 'https://api.example.com/v1');
  const patched = await gw.api('PATCH', `/api/workspaces/${ws.id}`, { name: 'Renamed', baseUrl: 'http://127.0.0.1:9/v2/' });
  t.match(patched.body, { name: 'Renamed', baseUrl: 'http://127.0.0.1:9/v2', mcpUrl: ws.mcpUrl });
  t.equal(
    (await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: null })).body.baseUrl,
    'https://api.example.com/v1',
    'null restores the spec default',
  );
  const badUrl = await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: 'https://user:pw@x.example.com' });
  t.equal(badUrl.status, 400);
  t.match(badUrl.body.error.message, /must not contain credentials/);
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { name: '' })).status, 400);
  t.equal((await gw.api('POST', '/api/workspaces', {})).status, 400);
  const rotated = await gw.api('POST', `/api/workspaces/${ws.id}/rotate-url`);
  t.equal(rotated.status, 200);
  t.not(rotated.body.mcpUrl, ws.mcpUrl, 'a new URL');
  const mcpPost = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
  t.equal((await mcpPost(ws.mcpUrl)).status, 404, 'the old URL answers 404 at once');
  t.equal((await mcpPost(rotated.body.mcpUrl)).status, 200, 'the new one works');
  ws.mcpUrl = rotated.body.mcpUrl;
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}`)).status, 204);
  const gone = await gw.api('GET', `/api/workspaces/${ws.id}`);
  t.equal(gone.status, 404);
  t.match(gone.body, { error: { code: 'LK_WORKSPACE_NOT_FOUND' } });
  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}`)).status, 404);
  t.equal(
    (await fetch(ws.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    404,
    'its URL is gone too',
  );
});

t.test('bad specs are refused with details, and the previous spec stays', async (t) => {
  const gw = await startGateway(t, { env: { LATCHKEY_MAX_SPEC_BYTES: '65536' } });
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'bad input' });
  const ok = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: VALID_YAML });
  t.match(ok.body, { status: 'ready', title: 'Tiny', version: '2.1', openapi: '3.0.3', toolCount: 1 });

  const notText = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: '{"openapi": "3.0.0", ' });
  t.equal(notText.status, 422);
  t.match(notText.body.error, { code: 'LK_SPEC_UNREADABLE', details: [{ message: String, pointer: String }] });

  const invalid = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, {
    content: JSON.stringify({ openapi: '3.0.3', info: { title: 'x' }, paths: { '/a': { get: { responses: 'nope' } } } }),
  });
  t.equal(invalid.status, 422);
  t.equal(invalid.body.error.code, 'LK_SPEC_INVALID');
  t.ok(invalid.body.error.details.length >= 1, 'every problem listed');
  t.ok(invalid.body.error.details.every((d: { pointer: string }) => typeof d.pointer === 'string'));

  const empty = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, {
    content: JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: {} }),
  });
  t.equal(empty.status, 422);
  t.equal(empty.body.error.code, 'LK_SPEC_NO_OPERATIONS');
  t.same(
    empty.body.error.details,
    [{ message: '"paths" is empty: there are no operations to turn into tools.', pointer: '/paths' }],
    'its details say where, as for every rejected spec',
  );
  const pathsOnly = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, {
    content: JSON.stringify({ openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: { '/a': { summary: 'no operations here' } } }),
  });
  t.match(pathsOnly.body.error, {
    code: 'LK_SPEC_NO_OPERATIONS',
    details: [{ message: /None of the 1 path has an operation/, pointer: '/paths' }],
  });

  const tooBig = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: VALID_YAML + '#'.repeat(70_000) });
  t.equal(tooBig.status, 413);
  t.equal(tooBig.body.error.code, 'LK_SPEC_TOO_LARGE');

  const dead = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: 'http://127.0.0.1:9/openapi.json' });
  t.equal(dead.status, 422);
  t.equal(dead.body.error.code, 'LK_SPEC_FETCH_FAILED');

  const neither = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { something: 1 });
  t.equal(neither.status, 400);

  const summary = await gw.api('GET', `/api/workspaces/${ws.id}/spec`);
  t.match(summary.body, { title: 'Tiny', toolCount: 1 }, 'the previous spec is untouched');
  t.same(
    (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools.map((x: { name: string }) => x.name),
    ['ping'],
  );

  const unknown = await gw.api('POST', '/api/workspaces/nope/spec', { content: VALID_YAML });
  t.equal(unknown.status, 404);
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).status, 200);
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools/nope`, { enabled: true })).status, 404);
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools/ping`, { enabled: 'yes' })).status, 400);
});

t.test('a spec can be uploaded as a multipart file, as YAML or Swagger 2.0', async (t) => {
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'files' });
  const form = new FormData();
  form.append('file', new Blob([VALID_YAML], { type: 'application/yaml' }), 'openapi.yaml');
  const res = await fetch(`${gw.url}/api/workspaces/${ws.id}/spec`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.adminToken}` },
    body: form,
  });
  t.equal(res.status, 200);
  t.match(await res.json(), { title: 'Tiny', toolCount: 1 });
  const swagger = {
    swagger: '2.0',
    info: { title: 'Old', version: '1' },
    host: 'old.example.com',
    basePath: '/api',
    schemes: ['https'],
    paths: { '/things': { get: { operationId: 'listThings', responses: { 200: { description: 'ok' } } } } },
  };
  const converted = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(swagger) });
  t.match(converted.body, { openapi: '2.0', toolCount: 1, changes: { added: ['listThings'], removed: ['ping'] } });
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.baseUrl, 'https://old.example.com/api');
});

t.test('auth settings: validation, defaults from the spec, and no secret in any answer', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'auth' });
  t.same((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body, {
    type: 'none',
    environment: 'live',
    saved: false,
    updatedAt: null,
    origin: null,
    held: false,
  });
  const noName = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: 'v' });
  t.equal(noName.status, 422, 'no spec yet, so the header name is needed');
  await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.match((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: 'v' })).body, {
    name: 'X-Api-Key',
    in: 'header',
  });
  const headers = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'headers',
    headers: { 'X-Custom-Auth': 'a', 'X-Tenant-ID': 'b' },
  });
  t.same(headers.body.headerNames, ['X-Custom-Auth', 'X-Tenant-ID']);
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'oauth9' })).status, 422);
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}/auth`)).body.type, 'headers', 'a refused change keeps the saved one');
});

t.test('unknown routes and bad JSON answer in the JSON error shape', async (t) => {
  const gw = await startGateway(t);
  const res = await fetch(gw.url + '/api/nothing-here', { headers: { authorization: `Bearer ${gw.adminToken}` } });
  t.equal(res.status, 404);
  t.match(await res.json(), { error: { code: 'LK_NOT_FOUND' } });
  const bad = await fetch(gw.url + '/api/workspaces', {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
    body: '{"name":',
  });
  t.equal(bad.status, 400);
  t.match(await bad.json(), { error: { code: 'LK_BAD_REQUEST' } });
});
