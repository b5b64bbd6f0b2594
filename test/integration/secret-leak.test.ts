// Secrets are sacred: a secret carrying a unique marker must never appear in the database file,
// the log output, any admin API response, or any tool result or error, whatever the auth type.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';

function dbBytes(dataDir: string): Buffer {
  // The WAL holds recent writes before a checkpoint: search it too.
  return Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('latchkey.db')).map((f) => readFileSync(path.join(dataDir, f))));
}

t.test('no secret in the database, logs, admin responses or tool results', async (t) => {
  const marker = `LEAKMARK${randomBytes(6).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'apikey', key: `ts_${marker}_key` });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { LOG_LEVEL: 'trace' } });
  const seen: string[] = [];
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await gw.api(method, p, body);
    seen.push(res.text);
    return res;
  };

  const { body: ws } = await api('POST', '/api/workspaces', { name: 'leaks' });
  await api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  await api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { createItem: true } });
  const client = await connectClient(t, ws.mcpUrl);
  const results: string[] = [];
  const call = async (name: string, args: Record<string, unknown>) => results.push(JSON.stringify(await client.callTool({ name, arguments: args })));

  const settings = [
    { type: 'api_key', value: upstream.key },
    { type: 'api_key', in: 'query', name: 'api_key', value: `q_${marker}` },
    { type: 'bearer', token: `b_${marker}` },
    { type: 'basic', username: `u_${marker}`, password: `p_${marker}` },
    { type: 'headers', headers: { 'X-Api-Key': upstream.key, 'X-Tenant-ID': `t_${marker}` } },
  ];
  for (const setting of settings) {
    const saved = await api('PUT', `/api/workspaces/${ws.id}/auth`, setting);
    t.equal(saved.status, 200, `${setting.type} saved`);
    await api('GET', `/api/workspaces/${ws.id}/auth`);
    await call('listItems', { limit: 1 });
    await call('createItem', { body: { name: 'x' } });
    await call('listItems', { limit: 'wrong' });
    await call('getItem', { id: '..' });
  }
  // The upstream did receive the secrets: the gateway injected each kind.
  const received = JSON.stringify(upstream.received);
  t.match(received, `q_${marker}`, 'query key injected');
  t.match(received, `Bearer b_${marker}`, 'bearer injected');
  t.match(received, `t_${marker}`, 'custom header injected');
  t.match(received, 'Basic ', 'basic injected');

  // A dead upstream with the key in the query string: the error must not echo the URL's query.
  await api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', in: 'query', name: 'api_key', value: `q_${marker}` });
  await api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: 'http://127.0.0.1:9' });
  await call('listItems', {});

  for (const p of ['/api/workspaces', `/api/workspaces/${ws.id}`, `/api/workspaces/${ws.id}/tools`, `/api/workspaces/${ws.id}/spec`, `/api/workspaces/${ws.id}/auth`, `/api/workspaces/${ws.id}/logs?limit=200`]) {
    await api('GET', p);
  }
  const logsPage = JSON.parse(seen.at(-1)!);
  t.ok(logsPage.items.length >= 21, 'the calls were logged');
  t.ok(logsPage.items.some((x: { url: string | null }) => x.url?.includes('api_key=****')), 'query keys masked in logged URLs');

  await gw.app.close();
  t.notOk(dbBytes(gw.dataDir).includes(marker), 'not in the SQLite files');
  t.notOk(gw.logs().includes(marker), 'not in the log output');
  t.ok(gw.logs().length > 1000, 'the log did capture output');
  t.notOk(seen.join('\n').includes(marker), 'not in any admin response');
  t.notOk(results.join('\n').includes(marker), 'not in any tool result or error');
  t.notOk(gw.logs().includes(ws.mcpUrl.split('/mcp/')[1]), 'the URL token is not logged either');
});
