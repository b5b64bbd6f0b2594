// Claude Desktop's path: `npx mcp-remote <url>` with nothing else. The client holds only the URL.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { initialize, startMcpRemote } from '../helpers/mcp-remote.js';
import { workspaceFor } from '../helpers/workspace.js';

t.test('mcp-remote with only the URL lists and calls tools', async (t) => {
  const key = `ts_REMOTE_${randomBytes(8).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'apikey', key });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream, { enable: ['createItem'] });

  const remote = await startMcpRemote(t, ws.mcpUrl);
  const init = await initialize(remote);
  t.equal(init.result?.serverInfo?.name, 'latchkey', remote.stderr());

  const list = await remote.request('tools/list', {});
  t.same(list.result.tools.map((x: { name: string }) => x.name).sort(), ['createItem', 'getItem', 'listItems', 'listUsers']);

  const created = await remote.request('tools/call', { name: 'createItem', arguments: { body: { name: 'via-remote' } } });
  t.notOk(created.result.isError, JSON.stringify(created));
  const id = created.result.structuredContent.id as string;
  const got = await remote.request('tools/call', { name: 'getItem', arguments: { id } });
  t.equal(got.result.structuredContent.name, 'via-remote');
  t.equal(upstream.received.at(-1)!.headers['x-api-key'], key, 'the gateway injected the key');
  t.notMatch(remote.stderr(), key, 'mcp-remote never saw the key');

  const disabled = await remote.request('tools/call', { name: 'deleteItem', arguments: { id } });
  t.equal(disabled.error?.code, -32602);
  t.match(disabled.error?.message, /deleteItem/);

  const logs = await gw.api('GET', `/api/workspaces/${ws.id}/logs`);
  t.same(
    logs.body.items.map((x: { tool: string }) => x.tool),
    ['deleteItem', 'getItem', 'createItem'],
  );
  t.match(logs.body.items[1].userAgent ?? '', /./, 'the client user agent is recorded');
});

t.test('mcp-remote --header "X-Latchkey-Key:<key>" works in keys mode', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream);
  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const created = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'claude desktop', scope: 'read' })).body;

  const remote = await startMcpRemote(t, ws.mcpUrl, ['--header', `X-Latchkey-Key:${created.key}`]);
  const init = await initialize(remote);
  t.equal(init.result?.serverInfo?.name, 'latchkey', remote.stderr());
  const result = await remote.request('tools/call', { name: 'listUsers', arguments: {} });
  t.notOk(result.result?.isError, JSON.stringify(result));
  const logs = await gw.api('GET', `/api/workspaces/${ws.id}/logs?caller=${created.id}`);
  t.match(logs.body.items[0], { tool: 'listUsers', ok: true, caller: created.id, callerLabel: 'claude desktop' });
});
