// A parameter the saved credentials fill in is not asked of the model (issue #14): Slack-style
// specs declare the API key as a required `token` argument of every operation besides declaring it
// as the security scheme. Once the key is saved the argument leaves tools/list, the call carries
// the saved key, and when the credentials are removed the argument comes back.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

t.test('a required token argument disappears once the token is saved, and returns when it is removed', async (t) => {
  const upstream = await startTestServer({ mode: 'none', echo: true });
  t.teardown(() => upstream.close());
  const spec = {
    openapi: '3.0.3',
    info: { title: 'Slack-like', version: '1' },
    servers: [{ url: `${upstream.url}/api` }],
    components: {
      securitySchemes: {
        slackToken: { type: 'apiKey', in: 'query', name: 'token' },
        team: { type: 'apiKey', in: 'header', name: 'X-Team' },
      },
    },
    security: [{ slackToken: [] }],
    paths: {
      '/echo': {
        get: {
          operationId: 'echoRequest',
          parameters: [
            { name: 'token', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'X-Team', in: 'header', required: false, schema: { type: 'string' } },
            { name: 'channel', in: 'query', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'the request' } },
        },
      },
    },
  };
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'token argument' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(spec) })).status, 200);
  const schemaOf = async () => {
    const client = await connectClient(t, ws.mcpUrl);
    const { tools } = await client.listTools();
    return tools.find((tool) => tool.name === 'echoRequest')!.inputSchema as { properties: Record<string, unknown>; required?: string[] };
  };

  const before = await schemaOf();
  t.same(
    Object.keys(before.properties).sort(),
    ['X-Team', 'channel', 'response_filter', 'token'],
    'without credentials every parameter is an argument',
  );
  t.same(before.required?.sort(), ['channel', 'token']);

  const key = `xoxb-${randomBytes(8).toString('hex')}`;
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', in: 'query', name: 'token', value: key })).status, 200);
  const after = await schemaOf();
  t.same(Object.keys(after.properties).sort(), ['X-Team', 'channel', 'response_filter'], 'the saved key is no longer asked of the model');
  t.same(after.required, ['channel']);
  const client = await connectClient(t, ws.mcpUrl);
  const result = await client.callTool({ name: 'echoRequest', arguments: { channel: 'C1' } });
  t.notOk(result.isError, textOf(result));
  t.match(upstream.received.at(-1)!.path, new RegExp(`token=${key}`), 'the upstream got the saved key');
  t.match(upstream.received.at(-1)!.path, /channel=C1/);
  const invented = await client.callTool({ name: 'echoRequest', arguments: { channel: 'C1', token: 'invented' } });
  t.ok(invented.isError, 'a token argument is refused now: the tool does not take one');

  // Custom headers fill in X-Team the same way (header names compared without case).
  t.equal(
    (await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'headers', headers: { 'x-team': 'T1', Authorization: `Bearer ${key}` } }))
      .status,
    200,
  );
  t.same(
    Object.keys((await schemaOf()).properties).sort(),
    ['channel', 'response_filter', 'token'],
    'a saved header leaves; the token is asked again',
  );

  t.equal((await gw.api('DELETE', `/api/workspaces/${ws.id}/auth`)).status, 200);
  t.same(
    Object.keys((await schemaOf()).properties).sort(),
    ['X-Team', 'channel', 'response_filter', 'token'],
    'credentials removed: the arguments are back',
  );
});
