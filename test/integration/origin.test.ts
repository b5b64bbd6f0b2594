// Origin and Host validation on a real gateway (MCP transport security, issue #16): a browser page
// from a foreign origin, or a request to a name the gateway does not answer to (DNS rebinding), is
// refused with 403 on /mcp and /api before anything runs; MCP clients, which send no Origin, and
// the console on the gateway's own origin keep working; LATCHKEY_ALLOWED_ORIGINS admits a page.
import t from 'tap';
import http from 'node:http';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { loadConfig } from '../../server/config.js';

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

/** A raw request, so that Host and Origin are exactly what the test says. */
function post(url: string, headers: Record<string, string>, body = LIST): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

t.test('foreign origins and names are refused; clients without Origin and the own origin are not', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { LATCHKEY_METRICS_TOKEN: 'metrics-token-0123456789' } });
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });
  const own = new URL(gw.url);

  t.equal((await post(ws.mcpUrl, {})).status, 200, 'an MCP client (no Origin)');
  t.equal((await post(ws.mcpUrl, { origin: own.origin })).status, 200, 'a page on the gateway itself');
  const foreign = await post(ws.mcpUrl, { origin: 'https://evil.example' });
  t.equal(foreign.status, 403);
  t.match(JSON.parse(foreign.body), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32000, message: /web origin "https:\/\/evil\.example" are not allowed here/ },
  });
  const rebound = await post(ws.mcpUrl, { host: `evil.example:${own.port}`, origin: `http://evil.example:${own.port}` });
  t.equal(rebound.status, 403, 'DNS rebinding: the page rebinds its own name to 127.0.0.1');
  t.match(rebound.body, /does not answer to the name/);
  t.equal((await post(ws.mcpUrl, { host: `evil.example:${own.port}` })).status, 403, 'a foreign Host without Origin too');

  const api = await post(
    `${gw.url}/api/workspaces`,
    { authorization: `Bearer ${gw.adminToken}`, origin: 'https://evil.example' },
    JSON.stringify({ name: 'x' }),
  );
  t.equal(api.status, 403, 'the admin API as well, even with the admin token');
  t.match(JSON.parse(api.body), { error: { code: 'LK_ORIGIN_FORBIDDEN' } });
  t.equal((await gw.api('GET', '/api/workspaces')).body.workspaces.length, 1, 'nothing was created');

  const metrics = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
  t.match(await metrics.text(), /latchkey_mcp_requests_refused_total\{reason="forbidden_origin"\} 3/);
});

t.test('LATCHKEY_ALLOWED_ORIGINS admits a page; a malformed value stops start-up with one line', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { LATCHKEY_ALLOWED_ORIGINS: 'https://agents.example.com, http://localhost:5173' } });
  const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems'] });
  t.equal((await post(ws.mcpUrl, { origin: 'https://agents.example.com' })).status, 200);
  t.equal((await post(ws.mcpUrl, { origin: 'http://localhost:5173' })).status, 200);
  t.equal((await post(ws.mcpUrl, { origin: 'https://other.example.com' })).status, 403);
  t.throws(
    () => loadConfig({ LATCHKEY_ALLOWED_ORIGINS: 'https://app.example.com/path' }),
    /LATCHKEY_ALLOWED_ORIGINS takes web origins such as/,
  );
  t.throws(() => loadConfig({ LATCHKEY_ALLOWED_ORIGINS: 'app.example.com' }), /got "app\.example\.com"/);
});
