// A client given only the URL of a workspace in `keys` mode is told it needs an access key.
// mcp-remote answers the 401 with an OAuth sign-in: discovery, then dynamic registration at
// /register. That used to 404, which mcp-remote took as a reason to try its SSE transport, and the
// user saw "SSE error: Non-200 status code (405)" instead of the real reason.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';
import { initialize, startMcpRemote } from '../helpers/mcp-remote.js';
import { workspaceFor } from '../helpers/workspace.js';

t.test('mcp-remote without a key reports that the workspace requires an access key', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream);
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).status, 200);

  const bare = await fetch(ws.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(bare.status, 401, 'a keyless request still gets 401');
  t.match(bare.headers.get('www-authenticate'), /^Bearer realm="latchkey", error_description="This workspace requires an access key/);
  t.notMatch(bare.headers.get('www-authenticate'), /error="/, 'no error code when no credentials were sent (RFC 6750 §3.1)');

  const remote = await startMcpRemote(t, ws.mcpUrl);
  const exited = new Promise<number | null>((resolve) => remote.child.once('exit', (code) => resolve(code)));
  const initializing = initialize(remote).then(
    () => 'connected',
    () => 'failed',
  );
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
  t.not(code, 'timeout', 'mcp-remote gives up instead of waiting for a browser sign-in');
  const stderr = remote.stderr();
  t.match(stderr, /requires an access key/, 'what mcp-remote prints names the real reason');
  t.match(stderr, /X-Latchkey-Key/, 'and how to send the key');
  t.notMatch(stderr, /SSE error/, 'not an SSE failure from the fallback transport');
  void initializing;
});

t.test('the SDK client: without a key it reports the reason; with a key it works', async (t) => {
  const upstream = await startTestServer({ mode: 'apikey' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, upstream);
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).status, 200);
  await t.rejects(connectClient(t, ws.mcpUrl), /requires an access key/);
  const key = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'sdk' })).body.key as string;
  const client = await connectClient(t, ws.mcpUrl, { 'X-Latchkey-Key': key });
  t.ok((await client.listTools()).tools.length > 0, 'a key header still works');

  const register = await fetch(`${gw.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"client_name":"x"}',
  });
  t.equal(register.status, 403);
  t.match(await register.json(), {
    error: 'access_denied',
    error_description: /does not sign MCP clients in with OAuth.*requires an access key/,
  });
});
