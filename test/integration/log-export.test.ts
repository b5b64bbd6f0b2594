// Exporting a workspace's call log (issue #14): JSON Lines and CSV, filtered as the Logs tab
// filters, every matching row however many (read a page at a time), with no secret in either file.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';

t.test('JSON Lines and CSV, filtered, all rows, no secret', async (t) => {
  const gw = await startGateway(t);
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'export' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: upstream.key })).status, 200);
  const client = await connectClient(t, ws.mcpUrl);
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'listItems', arguments: { limit: i + 1 } });
  await client.callTool({ name: 'getItem', arguments: { id: 'itm_missing' } });
  // Older history, more than one export page.
  const old = Array.from({ length: 2_500 }, (_, i) => ({
    workspaceId: ws.id,
    at: Date.UTC(2026, 0, 1) + i,
    tool: 'listUsers',
    ok: true,
    status: 200,
    durationMs: 3,
    caller: 'url',
    environment: 'live',
    arguments: `{"n":${i}}`,
  }));
  await gw.app.repos.callLogs.insertMany(old);

  const get = (query: string) =>
    fetch(`${gw.url}/api/workspaces/${ws.id}/logs/export?${query}`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
  const jsonl = await get('format=jsonl');
  t.equal(jsonl.status, 200);
  t.match(jsonl.headers.get('content-type'), /^application\/x-ndjson/);
  t.match(jsonl.headers.get('content-disposition'), /^attachment; filename="latchkey-logs-export-\d{4}-\d{2}-\d{2}\.jsonl"$/);
  const text = await jsonl.text();
  const rows = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { tool: string; ok: boolean; id: string });
  t.equal(rows.length, 2_504, 'every row, across pages');
  t.same(
    rows.slice(0, 4).map((r) => r.tool),
    ['getItem', 'listItems', 'listItems', 'listItems'],
    'newest first, as in the tab',
  );
  t.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no row twice');
  const api = (await gw.api('GET', `/api/workspaces/${ws.id}/logs?limit=4`)).body.items;
  t.same(rows.slice(0, 4), api, 'the same objects as the logs API');
  t.notOk(text.includes(upstream.key), 'the API key is not in the export');
  t.notOk(text.includes(new URL(ws.mcpUrl).pathname.split('/').pop()!), 'nor the URL token');

  const failed = (await (await get('format=jsonl&ok=false')).text()).trim().split('\n');
  t.equal(failed.length, 1, 'filtered like the tab: only the failed call');
  const csv = await (await get('format=csv&tool=listItems')).text();
  const lines = csv.trim().split('\r\n');
  t.match(lines[0], /^id,at,environment,tool,method,url,status,ok,durationMs,/);
  t.equal(lines.length, 4, 'a header and the three listItems calls');
  t.notOk(csv.includes(upstream.key));

  t.equal((await get('format=xml')).status, 400, 'an unknown format is refused');
  t.equal((await fetch(`${gw.url}/api/workspaces/${ws.id}/logs/export`)).status, 401, 'admin only');
});
