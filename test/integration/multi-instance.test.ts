// Two gateway processes on one database, as behind a load balancer: a change made through one is
// seen by the other within a second or two (it polls a version, off the hot path).
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';

const ping = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });

async function eventually(check: () => Promise<boolean>, seconds = 10): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

t.test('a key revoked through one instance stops working on the other', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const a = await startGateway(t);
  const b = await startGateway(t, { dataDir: a.dataDir, env: { LATCHKEY_ADMIN_TOKEN: a.adminToken, LATCHKEY_MASTER_KEY: '' } });
  const ws = await workspaceFor(t, a, upstream);
  await a.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const key = (await a.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'shared' })).body;
  const onB = ws.mcpUrl.replace(a.url, b.url);
  t.ok(await eventually(async () => (await ping(onB, { 'x-latchkey-key': key.key })).status === 200), 'B accepts the key created through A');
  await a.api('DELETE', `/api/workspaces/${ws.id}/keys/${key.id}`);
  t.equal((await ping(ws.mcpUrl, { 'x-latchkey-key': key.key })).status, 401, 'A refuses it at once');
  t.ok(await eventually(async () => (await ping(onB, { 'x-latchkey-key': key.key })).status === 401, 5), 'B refuses it within seconds');
});
