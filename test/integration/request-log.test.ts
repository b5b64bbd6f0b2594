// Issue 17: the request log never shows a credential that travelled in a URL. A key sent as
// `?key=`, an admin token as `?token=`, the OAuth callback's code and state, and the MCP URL token
// itself, also on near-miss paths (`.json`, `%20`, `;x`, upper case, percent-encoded, malformed)
// that end in a 404 or a 400: at LOG_LEVEL=info and at debug, where every /mcp request is logged.
import t from 'tap';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { maskRequestUrl } from '../../server/app.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** Sends `path` byte for byte (fetch would normalise some of these). */
function send(gw: TestGateway, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<number> {
  const { hostname, port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, method, path, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'log-test', version: '1' } },
});

for (const level of ['info', 'debug']) {
  t.test(`LOG_LEVEL=${level}: no query value and no URL token in the request log`, async (t) => {
    const gw = await startGateway(t, { env: { LOG_LEVEL: level } });
    const created = await gw.api('POST', '/api/workspaces', { name: 'Log Probe' });
    t.equal(created.status, 201);
    const slugToken = (created.body.mcpUrl as string).split('/mcp/')[1];
    const token = slugToken.slice(slugToken.lastIndexOf('-') + 1);
    t.match(slugToken, /^log-probe-[a-z2-7]{32}$/, 'the URL token');
    const marker = () => `MARK${randomBytes(8).toString('hex')}`;
    const markers: string[] = [];
    const m = () => {
      const value = marker();
      markers.push(value);
      return value;
    };
    const mcpHeaders = { accept: 'application/json, text/event-stream' };
    const encoded = `%${token.charCodeAt(0).toString(16)}${token.slice(1)}`;

    const statuses: Record<string, number> = {};
    const probe = async (label: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
      statuses[label] = await send(gw, method, path, headers, body);
    };
    await probe('key in the query', 'POST', `/mcp/${slugToken}?key=${m()}`, mcpHeaders, initialize);
    await probe('admin token in the query', 'POST', `/mcp/${slugToken}?token=${m()}&x=${m()}`, mcpHeaders, initialize);
    await probe('admin API with ?token=', 'GET', `/api/workspaces?token=${m()}`, { authorization: `Bearer ${gw.adminToken}` });
    await probe('404 with ?key=', 'GET', `/nowhere?key=${m()}`);
    await probe('bare query value', 'GET', `/api/session?${m()}`);
    await probe('OAuth callback', 'GET', `/oauth/callback?code=${m()}&state=${m()}`);
    await probe('.json', 'POST', `/mcp/${slugToken}.json`, mcpHeaders, initialize);
    await probe('%20', 'POST', `/mcp/${slugToken}%20`, mcpHeaders, initialize);
    await probe(';x', 'POST', `/mcp/${slugToken};x`, mcpHeaders, initialize);
    await probe('upper case', 'POST', `/MCP/${slugToken.toUpperCase()}`, mcpHeaders, initialize);
    await probe('percent-encoded', 'POST', `/mcp/log-probe-${encoded}`, mcpHeaders, initialize);
    await probe('GET on the MCP URL', 'GET', `/mcp/${slugToken}?key=${m()}`);
    await probe('further path', 'GET', `/mcp/${slugToken}/sse?key=${m()}`);
    await probe('malformed encoding', 'GET', `/mcp/${slugToken}%zz?key=${m()}`);
    await probe('encoded query mark', 'GET', `/mcp/${slugToken}%3Fkey%3D${m()}`);
    t.comment(JSON.stringify(statuses));
    t.equal(statuses['key in the query'], 200, 'the MCP URL itself answered');
    t.equal(statuses['upper case'], 404, 'a near miss is a 404');

    const logs = gw.logs();
    t.ok(logs.includes('/mcp/log-probe-****') || level === 'info', 'the slug is shown, the token masked');
    t.ok(logs.includes('/nowhere?key=****'), 'a 404 is logged, with its query value masked');
    t.ok(logs.includes('/oauth/callback?code=****&state=****'), 'the callback is logged, code and state masked');
    t.same(
      markers.filter((value) => logs.includes(value)),
      [],
      `none of the ${markers.length} query values is in the log`,
    );
    for (const form of [token, token.toUpperCase(), encoded, token.slice(1)])
      t.notOk(logs.includes(form), `the URL token is not in the log (${form === token ? 'as is' : 'another form'})`);
    t.ok(logs.length > 500, `the log did capture output (${logs.length} bytes)`);
  });
}

t.test('maskRequestUrl, form by form', async (t) => {
  const token = 'abcdefghijklmnopqrstuvwxyz234567';
  const cases: [string, string][] = [
    [`/mcp/api-${token}?key=s3cret&page=2`, '/mcp/api-****?key=****&page=****'],
    [`/mcp/api-${token}.json`, '/mcp/api-****'],
    [`/mcp/api-${token}%20`, '/mcp/api-****'],
    [`/mcp/api-${token};x`, '/mcp/api-****'],
    [`/MCP/API-${token.toUpperCase()}`, '/MCP/API-****'],
    [`/m%63p/api-%61${token.slice(1)}`, '/mcp/api-****'],
    [`/mcp/api-${token}-x/y`, '/mcp/api-****-****'],
    [`/elsewhere/${token}`, '/elsewhere/****'],
    [
      '/api/workspaces/0b7c4a7e-1f1e-4c1e-9f1e-0b7c4a7e1f1e/auth?environment=test',
      '/api/workspaces/0b7c4a7e-1f1e-4c1e-9f1e-0b7c4a7e1f1e/auth?environment=****',
    ],
    ['/oauth/callback?code=abc&state=def', '/oauth/callback?code=****&state=****'],
    ['/x?s3cretvalue&a%20b=1&empty=', '/x?****&****&empty='],
    ['/mcp/', '/mcp/'],
  ];
  for (const [url, shown] of cases) t.equal(maskRequestUrl(url), shown, url);
});

t.test('an error logged with the URL it failed on shows it masked', async (t) => {
  const token = 'abcdefghijklmnopqrstuvwxyz234567';
  const { loggerOptions } = await import('../../server/app.js');
  const { loadConfig } = await import('../../server/config.js');
  const options = loggerOptions(loadConfig({ DATA_DIR: '/nonexistent' }));
  const err = new Error(`'/mcp/api-${token}%zz?key=s3cretvalue' is not a valid url component`);
  const shown = options.serializers.err(err);
  t.equal(shown.message, "'/mcp/api-****?key=****' is not a valid url component");
  t.notOk(shown.stack?.includes(token) || shown.stack?.includes('s3cretvalue'), 'nor in the stack');
  t.match(shown.stack, /request-log\.test\.ts/, 'which still says where it was thrown');
});
