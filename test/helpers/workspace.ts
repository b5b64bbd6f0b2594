// Sets up a workspace against a running test server through the admin API, as a user would.
import type { Test } from 'tap';
import type { TestServer } from '../../test-server/test-server.js';
import type { TestGateway } from './gateway.js';

export interface ReadyWorkspace {
  id: string;
  mcpUrl: string;
}

export async function workspaceFor(
  t: Test,
  gw: TestGateway,
  server: TestServer,
  opts: { enable?: string[]; name?: string } = {},
): Promise<ReadyWorkspace> {
  const created = await gw.api('POST', '/api/workspaces', { name: opts.name ?? 'Items API' });
  t.equal(created.status, 201, 'workspace created');
  const id = created.body.id as string;
  const spec = await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${server.url}/openapi.json` });
  t.equal(spec.status, 200, 'spec imported');
  if (server.mode === 'apikey') {
    t.equal((await gw.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', value: server.key })).status, 200, 'key saved');
  } else if (server.mode === 'bearer') {
    t.equal((await gw.api('PUT', `/api/workspaces/${id}/auth`, { type: 'bearer', token: server.key })).status, 200, 'token saved');
  }
  if (opts.enable?.length) {
    const toggles = Object.fromEntries(opts.enable.map((n) => [n, true]));
    t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: toggles })).status, 200, 'tools enabled');
  }
  return { id, mcpUrl: created.body.mcpUrl as string };
}
