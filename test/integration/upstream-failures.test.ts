// Dead upstreams, slow upstreams and huge responses: each a clear tool result, no crash, no hang.
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

const SPEC = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'Odd API', version: '1' },
  paths: {
    '/big': { get: { operationId: 'big', responses: { 200: { description: 'a large body' } } } },
    '/slow': { get: { operationId: 'slow', responses: { 200: { description: 'never answers' } } } },
    '/empty': { delete: { operationId: 'empty', responses: { 204: { description: 'no content' } } } },
    '/away': { get: { operationId: 'away', responses: { 302: { description: 'redirects elsewhere' } } } },
  },
});

t.test('dead, slow, huge and redirecting upstreams', async (t) => {
  const elsewhere = createServer((req, res) => {
    res.end(JSON.stringify({ leakedAuth: req.headers.authorization ?? null }));
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  t.teardown(() => elsewhere.close());
  const elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  const server = createServer((req, res) => {
    if (req.url === '/big') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: 'x'.repeat(300_000) }));
    } else if (req.url === '/empty') {
      res.statusCode = 204;
      res.end();
    } else if (req.url === '/away') {
      res.statusCode = 302;
      res.setHeader('location', `${elsewhereUrl}/steal`);
      res.end();
    }
    // /slow: never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const gw = await startGateway(t, { env: { LATCHKEY_MAX_RESPONSE_BYTES: '100000', LATCHKEY_UPSTREAM_TIMEOUT_MS: '300' } });
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'odd' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: SPEC })).status, 200);
  const noBase = await connectClient(t, ws.mcpUrl);
  const unset = await noBase.callTool({ name: 'big', arguments: {} });
  t.ok(unset.isError);
  t.match(textOf(unset), /no API base URL/, 'a spec without servers says what to do');

  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: origin });
  await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'bearer', token: 'tok-123456' });
  await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { empty: true } });
  const client = await connectClient(t, ws.mcpUrl);

  const big = await client.callTool({ name: 'big', arguments: {} });
  t.notOk(big.isError);
  t.match(textOf(big), /truncated/i, 'says it was truncated');
  t.match(textOf(big), /300/, 'and the full size');
  t.ok(textOf(big).length < 150_000, 'the cut holds');

  const slow = await client.callTool({ name: 'slow', arguments: {} });
  t.ok(slow.isError);
  t.match(textOf(slow), /time|did not answer/i);

  const empty = await client.callTool({ name: 'empty', arguments: {} });
  t.notOk(empty.isError);
  t.match(textOf(empty), /204/);

  const away = await client.callTool({ name: 'away', arguments: {} });
  t.notMatch(JSON.stringify(away), 'tok-123456', 'a redirect to another origin is not followed with the token');

  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: 'http://127.0.0.1:9' });
  const dead = await client.callTool({ name: 'big', arguments: {} });
  t.ok(dead.isError);
  t.match(textOf(dead), /127\.0\.0\.1:9/, 'names the origin it could not reach');

  const health = await fetch(`${gw.url}/healthz`);
  t.equal(health.status, 200, 'the gateway is still fine');
});
