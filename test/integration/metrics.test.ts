// GET /metrics (issue #14): off until a token is set, then Prometheus text whose counts match the
// calls made exactly; the same on LATCHKEY_METRICS_PORT without a token. No secret, URL token or
// key appears in it.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';

/** The value of one series in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const parts = inside.split(',');
    if (wanted.every((w) => parts.includes(w)) && parts.length === wanted.length) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

t.test('off without a token: a 404 that says how to turn it on', async (t) => {
  const gw = await startGateway(t);
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
  t.equal(res.status, 404);
  t.match(await res.json(), { error: { code: 'LK_METRICS_OFF', message: /set LATCHKEY_METRICS_TOKEN/ } });
});

t.test('calls, refusals and imports counted exactly; nothing secret in the text', async (t) => {
  const metricsToken = `metrics-${randomBytes(12).toString('hex')}`;
  const gw = await startGateway(t, { env: { LATCHKEY_METRICS_TOKEN: metricsToken, LATCHKEY_METRICS_PORT: '0' } });
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'metrics' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: '{"openapi": "3.0.3"' })).status, 422);
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: upstream.key })).status, 200);

  const client = await connectClient(t, ws.mcpUrl);
  for (let i = 0; i < 3; i++) t.notOk((await client.callTool({ name: 'listItems', arguments: { limit: 1 } })).isError);
  t.ok((await client.callTool({ name: 'getItem', arguments: { id: 'itm_does_not_exist' } })).isError, 'the upstream answers 404');
  t.ok((await client.callTool({ name: 'listItems', arguments: { limit: 'many' } })).isError, 'refused before sending');
  const wrongUrl = ws.mcpUrl.replace(/.{6}$/, 'zzzzzz');
  t.equal(
    (
      await fetch(wrongUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      })
    ).status,
    404,
  );

  const denied = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
  t.equal(denied.status, 401, 'the admin token does not open it');
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain/);
  const text = await res.text();
  const calls = (tool: string, outcome: string, statusClass: string) =>
    sample(text, 'latchkey_tool_calls_total', { workspace: ws.id, tool, outcome, status_class: statusClass });
  t.equal(calls('listItems', 'ok', '2xx'), 3);
  t.equal(calls('getItem', 'upstream_error', '4xx'), 1);
  t.equal(calls('listItems', 'error', 'none'), 1);
  t.equal(sample(text, 'latchkey_tool_call_duration_seconds_count', { workspace: ws.id, tool: 'listItems' }), 4);
  t.equal(
    sample(text, 'latchkey_upstream_duration_seconds_count', { workspace: ws.id, tool: 'listItems' }),
    3,
    'upstream time only for calls that were sent',
  );
  t.equal(sample(text, 'latchkey_upstream_duration_seconds_count', { workspace: ws.id, tool: 'getItem' }), 1);
  t.equal(sample(text, 'latchkey_mcp_requests_refused_total', { reason: 'unknown_workspace' }), 1);
  t.equal(sample(text, 'latchkey_spec_imports_total', { result: 'ok' }), 1);
  t.equal(sample(text, 'latchkey_spec_imports_total', { result: 'refused' }), 1);
  t.match(text, /^latchkey_process_resident_memory_bytes \d+/m, 'process metrics too');
  t.match(text, /^latchkey_call_log_queued \d+/m);

  const urlToken = new URL(ws.mcpUrl).pathname.split('/').pop()!;
  for (const [what, value] of [
    ['admin token', gw.adminToken],
    ['metrics token', metricsToken],
    ['URL token', urlToken],
    ['API key', upstream.key],
  ] as const) {
    t.notOk(text.includes(value), `no ${what} in the metrics`);
  }

  const portUrl = gw.app.metrics.portUrl();
  t.ok(portUrl, 'the metrics port listens');
  const onPort = await fetch(`${portUrl}/metrics`);
  t.equal(onPort.status, 200, 'no token on the metrics port');
  t.equal(
    sample(await onPort.text(), 'latchkey_tool_calls_total', { workspace: ws.id, tool: 'listItems', outcome: 'ok', status_class: '2xx' }),
    3,
  );
  t.equal((await fetch(`${portUrl}/api/workspaces`)).status, 404, 'and nothing else');
});
