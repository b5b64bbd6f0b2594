// Secrets are sacred: a secret carrying a unique marker must never appear in the database file,
// the log output, any admin API response, or any tool result or error, whatever the auth type.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';
import { storedBytes } from '../helpers/stored-bytes.js';

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
  const call = async (name: string, args: Record<string, unknown>) =>
    results.push(JSON.stringify(await client.callTool({ name, arguments: args })));

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

  for (const p of [
    '/api/workspaces',
    `/api/workspaces/${ws.id}`,
    `/api/workspaces/${ws.id}/tools`,
    `/api/workspaces/${ws.id}/spec`,
    `/api/workspaces/${ws.id}/auth`,
    `/api/workspaces/${ws.id}/logs?limit=200`,
  ]) {
    await api('GET', p);
  }
  const logsPage = JSON.parse(seen.at(-1)!);
  t.ok(logsPage.items.length >= 21, 'the calls were logged');
  t.ok(
    logsPage.items.some((x: { url: string | null }) => x.url?.includes('api_key=****')),
    'query keys masked in logged URLs',
  );

  await gw.app.close();
  t.notOk(
    (await storedBytes(gw)).includes(marker),
    `not in the database (${gw.config.databaseUrl ? 'every PostgreSQL row' : 'the SQLite files'})`,
  );
  t.notOk(gw.logs().includes(marker), 'not in the log output');
  t.ok(gw.logs().length > 1000, 'the log did capture output');
  t.notOk(seen.join('\n').includes(marker), 'not in any admin response');
  t.notOk(results.join('\n').includes(marker), 'not in any tool result or error');
  t.notOk(gw.logs().includes(ws.mcpUrl.split('/mcp/')[1]), 'the URL token is not logged either');
});

/** The marker and the forms it travels in: base64 (Basic), URL-encoded, JSON-escaped. */
function markerForms(values: string[]): string[] {
  return [...new Set(values.flatMap((v) => [v, encodeURIComponent(v), Buffer.from(v).toString('base64'), JSON.stringify(v).slice(1, -1)]))];
}

t.test('an upstream that echoes the request never hands a stored secret back', async (t) => {
  const marker = `ECHOMARK${randomBytes(6).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'none', echo: true });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'echo' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  const client = await connectClient(t, ws.mcpUrl);

  // Each with characters that URL-encoding and JSON escape differently.
  const cases: { setting: Record<string, unknown>; secrets: string[] }[] = [
    { setting: { type: 'bearer', token: `b_${marker}/+=` }, secrets: [`b_${marker}/+=`] },
    {
      setting: { type: 'basic', username: `u_${marker}`, password: `p_${marker}"\\` },
      secrets: [`u_${marker}:p_${marker}"\\`, `p_${marker}"\\`],
    },
    { setting: { type: 'basic', username: `sk_${marker}`, password: '' }, secrets: [`sk_${marker}`, `sk_${marker}:`] },
    { setting: { type: 'api_key', in: 'header', name: 'X-Custom-Key', value: `h_${marker}` }, secrets: [`h_${marker}`] },
    { setting: { type: 'api_key', in: 'query', name: 'api_key', value: `q_${marker} &"x` }, secrets: [`q_${marker} &"x`] },
    {
      setting: { type: 'headers', headers: { 'X-Tenant-ID': `t_${marker}`, 'X-Other': `o_${marker}\\"` } },
      secrets: [`t_${marker}`, `o_${marker}\\"`],
    },
  ];
  for (const { setting, secrets } of cases) {
    const what = `${setting.type}${setting.in ? ` in ${setting.in}` : ''}`;
    t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, setting)).status, 200, `${what} saved`);
    const results: string[] = [];
    for (const args of [{}, { status: 401 }, { status: 500 }, { format: 'text' }, { format: 'binary' }, { format: 'text', status: 403 }]) {
      const result = await client.callTool({ name: 'echoRequest', arguments: args });
      results.push(JSON.stringify(result));
      // The binary echo comes back as base64: look inside it too.
      const blob = (result.content as { resource?: { blob?: string } }[])[0]?.resource?.blob;
      if (blob) results.push(Buffer.from(blob, 'base64').toString('utf8'));
    }
    const sent = JSON.stringify(upstream.received.at(-1));
    t.ok(
      secrets.some((s) => sent.includes(s) || sent.includes(encodeURIComponent(s)) || sent.includes(Buffer.from(s).toString('base64'))),
      `${what}: the upstream did receive it`,
    );
    const all = results.join('\n');
    const leaked = markerForms([marker, ...secrets]).filter((form) => all.includes(form));
    t.same(leaked, [], `${what}: no form of the secret in any result`);
    t.match(all, '****', `${what}: masked where it was`);
    t.ok(results[0].includes('"structuredContent"'), `${what}: the echo is still structured JSON`);
  }
});

t.test('over legacy HTTP+SSE: an echoed secret is masked in the stream, and nothing of it is stored', async (t) => {
  const marker = `SSEMARK${randomBytes(6).toString('hex')}`;
  const upstream = await startTestServer({ mode: 'none', echo: true });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'echo over sse' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  const secret = `sse_${marker}/+=`;
  t.equal((await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'bearer', token: secret })).status, 200);

  // The raw stream, as a client receives it, byte for byte.
  const opened = new AbortController();
  t.teardown(() => opened.abort());
  const stream = await fetch(ws.mcpUrl, { headers: { accept: 'text/event-stream' }, signal: opened.signal });
  const reader = stream.body!.getReader();
  let received = new TextDecoder().decode((await reader.read()).value);
  const endpoint = new URL(/data: (\S+)/.exec(received)![1], ws.mcpUrl).href;
  const post = (id: number, method: string, params?: object) =>
    fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
  await post(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'leak-probe', version: '1' } });
  for (const [id, args] of [
    [2, {}],
    [3, { status: 401 }],
    [4, { format: 'text' }],
  ] as const) {
    t.equal((await post(id, 'tools/call', { name: 'echoRequest', arguments: args })).status, 202);
  }
  while (!received.includes('"id":4')) received += new TextDecoder().decode((await reader.read()).value);
  t.ok(JSON.stringify(upstream.received.at(-1)).includes(marker), 'the upstream did receive the secret');
  t.same(
    markerForms([marker, secret]).filter((form) => received.includes(form)),
    [],
    'no form of it in the stream',
  );
  t.match(received, '****', 'masked where it was');
  t.notOk((await storedBytes(gw)).includes(marker), 'not in the stored data');
  t.notOk(gw.logs().includes(marker), 'not in the log output');
});

t.test('an OAuth access token echoed by the upstream is masked', async (t) => {
  const upstream = await startTestServer({ mode: 'oauth', echo: true });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'echo oauth' });
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'oauth2',
    flow: 'client_credentials',
    tokenUrl: `${upstream.url}/token`,
    clientId: upstream.oauth!.clientId,
    clientSecret: upstream.oauth!.clientSecret,
    scopes: ['items:read'],
  });
  t.equal(saved.status, 200, saved.text);
  const client = await connectClient(t, ws.mcpUrl);
  const result = JSON.stringify(await client.callTool({ name: 'echoRequest', arguments: {} }));
  const token = upstream.received.at(-1)!.headers.authorization.replace(/^Bearer /, '');
  t.ok(token.length > 8, 'the upstream got a token');
  t.notOk(result.includes(token), 'the token is not in the result');
  t.match(result, 'Bearer ****');
});
