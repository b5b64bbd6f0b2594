// Three gateway processes on one PostgreSQL database, as behind a load balancer with no sticky
// sessions (issue #12): a client sends each request to another node. Configuration made through
// any node works through all; a change made on one is seen on the others within a second (LISTEN/
// NOTIFY: measured, in milliseconds); a revoked key is refused everywhere; an OAuth grant is renewed
// once between the three; and kill -9 of a node under load costs the others no call and loses no
// configuration. The database going away and ten nodes starting at once: cluster-failures.test.ts.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { startTestServer } from '../../test-server/test-server.js';
import { startCluster } from '../helpers/postgres.js';
import { observe, onNode, rpc, spread, startNodes, succeeded, toolNames, type GatewayNode } from '../helpers/cluster-nodes.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { connectOAuth, signInSession } from '../helpers/oauth.js';
import type { TestGateway } from '../helpers/gateway.js';

// These tests start a cluster of their own; the PostgreSQL pass of scripts/run-tests.mjs would only run them again.
if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'runs on a PostgreSQL cluster of its own in every pass');
  process.exit(0);
}

const cluster = await startCluster();
t.teardown(() => cluster.stop());
const databaseUrl = await cluster.createDatabase();
const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
const masterKey = randomBytes(32).toString('base64');
const startedAt = performance.now();
// No rate limit: the load of the kill -9 test is far above the default 1,200 calls a minute.
const nodes = await startNodes(t, ['A', 'B', 'C'], { databaseUrl, adminToken, masterKey, env: { LATCHKEY_RATE_LIMIT: '0' } });
const [a, b, c] = nodes;
t.comment(`three nodes listening ${(performance.now() - startedAt).toFixed(0)} ms after they were started at once`);
const upstream = await startTestServer({ mode: 'apikey' });
t.teardown(() => upstream.close());

/** A workspace made through `node`: the test server's spec and its API key. */
async function workspaceOn(node: GatewayNode, name: string): Promise<{ id: string; mcpUrl: string }> {
  const created = await node.api('POST', '/api/workspaces', { name });
  t.equal(created.status, 201, created.text);
  const { id, mcpUrl } = created.body;
  t.equal((await node.api('POST', `/api/workspaces/${id}/spec`, { url: `${upstream.url}/openapi.json` })).status, 200);
  t.equal((await node.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', value: upstream.key })).status, 200);
  return { id, mcpUrl };
}

const listItems = (url: string, headers: Record<string, string> = {}) =>
  rpc(url, 'tools/call', { name: 'listItems', arguments: { limit: 1 } }, headers);

t.test('create on A, upload the spec on B, save the key on C, call through all three', async (t) => {
  const created = await a.api('POST', '/api/workspaces', { name: 'Cluster API' });
  t.equal(created.status, 201, 'created on A');
  const { id, mcpUrl } = created.body;
  const spec = await b.api('POST', `/api/workspaces/${id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.equal(spec.status, 200, spec.text);
  t.match(spec.body, { status: 'ready', toolCount: 5 }, 'spec imported on B');
  const auth = await c.api('PUT', `/api/workspaces/${id}/auth`, { type: 'api_key', value: upstream.key });
  t.match(auth.body, { type: 'api_key', saved: true }, 'key saved on C');
  for (const node of nodes) {
    t.match(
      (await node.api('GET', `/api/workspaces/${id}`)).body,
      { name: 'Cluster API', baseUrl: upstream.url },
      `${node.name} reads the workspace`,
    );
    t.match(
      (await node.api('GET', `/api/workspaces/${id}/auth`)).body,
      { type: 'api_key', saved: true },
      `${node.name} reads the saved key`,
    );
  }

  // The MCP SDK client, one per node, each request to the next node in turn.
  const clients = await Promise.all(nodes.map((node) => connectClient(t, onNode(mcpUrl, node))));
  for (const [i, client] of clients.entries()) {
    t.same(
      (await client.listTools()).tools.map((x) => x.name).sort(),
      ['getItem', 'listItems', 'listUsers'],
      `tools/list on ${nodes[i].name}`,
    );
  }
  const before = upstream.stats().requests;
  const failed: string[] = [];
  for (let i = 0; i < 12; i++) {
    const result = await clients[i % 3].callTool({ name: 'listItems', arguments: { limit: 2 } });
    if (result.isError || (result.structuredContent as { items?: unknown[] })?.items?.length !== 2)
      failed.push(`${nodes[i % 3].name}: ${textOf(result)}`);
  }
  t.same(failed, [], '12 calls round-robin over A, B, C all succeed');
  t.equal(upstream.stats().requests - before, 12, 'each reached the upstream');
  t.equal(upstream.received.at(-1)!.headers['x-api-key'], upstream.key, 'with the key saved on C, opened on every node');

  // Each node writes its own calls' log rows; A reads them all.
  let logged = 0;
  const seen = await observe(
    async () => (logged = (await a.api('GET', `/api/workspaces/${id}/logs?limit=50`)).body.items.length) === 12,
    performance.now(),
    { intervalMs: 100, timeoutMs: 10_000 },
  );
  t.ok(seen, `the call log on A holds the 12 calls made through three nodes (${logged})`);
});

t.test('a change on A is seen on B and C within 1 s (measured)', async (t) => {
  const ws = await workspaceOn(a, 'Propagation API');
  const others = [b, c];
  const delays: Record<string, number[]> = {};
  let firstPolls = 0;
  let samples = 0;

  /** Runs `change` on A; from its answer, polls B and C (each on its own, every ~10 ms) until `seen`. */
  async function measure(what: string, change: () => Promise<unknown>, seen: (node: GatewayNode) => Promise<boolean>) {
    await change();
    const since = performance.now();
    const results = await Promise.all(others.map((node) => observe(() => seen(node), since)));
    for (const [i, result] of results.entries()) {
      t.ok(result && result.ms < 1000, `${what}: seen on ${others[i].name} within 1 s`, { ms: result?.ms });
      (delays[what] ??= []).push(result?.ms ?? Infinity);
      samples++;
      if (result?.polls === 1) firstPolls++;
    }
  }
  /** The old state, read through B and C: their caches hold the workspace before each change. */
  async function holds(what: string, check: (node: GatewayNode) => Promise<boolean>) {
    for (const node of others) t.ok(await check(node), `before: ${what} on ${node.name}`);
  }

  const listed = async (node: GatewayNode) => (await toolNames(onNode(ws.mcpUrl, node))) ?? [];
  for (let round = 0; round < 3; round++) {
    await holds('listUsers listed', async (node) => (await listed(node)).includes('listUsers'));
    await measure(
      'tool toggled off',
      () => a.api('PATCH', `/api/workspaces/${ws.id}/tools/listUsers`, { enabled: false }),
      async (node) => !(await listed(node)).includes('listUsers'),
    );
    await measure(
      'tool toggled on',
      () => a.api('PATCH', `/api/workspaces/${ws.id}/tools/listUsers`, { enabled: true }),
      async (node) => (await listed(node)).includes('listUsers'),
    );
  }

  const calls = async (node: GatewayNode) => succeeded(await listItems(onNode(ws.mcpUrl, node)));
  for (let round = 0; round < 2; round++) {
    await holds('calls succeed', calls);
    await measure(
      'credentials replaced (wrong key)',
      () => a.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: 'ts_wrong' }),
      async (node) => {
        const res = await listItems(onNode(ws.mcpUrl, node));
        return res.body?.result?.isError === true && /401/.test(textOf(res.body.result));
      },
    );
    await measure(
      'credentials replaced (right key)',
      () => a.api('PUT', `/api/workspaces/${ws.id}/auth`, { type: 'api_key', value: upstream.key }),
      calls,
    );
  }

  for (let round = 0; round < 2; round++) {
    const old = ws.mcpUrl;
    await holds('the URL answers', async (node) => (await listItems(onNode(old, node))).status === 200);
    await measure(
      'URL rotated',
      async () => (ws.mcpUrl = (await a.api('POST', `/api/workspaces/${ws.id}/rotate-url`)).body.mcpUrl),
      async (node) => (await listItems(onNode(old, node))).status === 404,
    );
    for (const node of others) t.ok(succeeded(await listItems(onNode(ws.mcpUrl, node))), `the new URL works on ${node.name}`);
  }

  await holds('the workspace answers', calls);
  await measure(
    'workspace deleted',
    () => a.api('DELETE', `/api/workspaces/${ws.id}`),
    async (node) => (await listItems(onNode(ws.mcpUrl, node))).status === 404,
  );

  const all = Object.values(delays).flat();
  for (const [what, ms] of Object.entries(delays)) t.comment(`${what}: ${spread(ms).text}`);
  t.comment(
    `all changes, B and C: ${spread(all).text}; the first poll after A's answer already saw the change in ${firstPolls} of ${samples}`,
  );
  t.ok(spread(all).max < 1000, 'every change reached B and C within 1 s');
});

t.test('a key revoked on A is refused on C at once', async (t) => {
  const ws = await workspaceOn(a, 'Keys API');
  t.equal((await a.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' })).body.access, 'keys');
  const onC = onNode(ws.mcpUrl, c);
  const onB = onNode(ws.mcpUrl, b);
  const ping = (url: string, key?: string) => rpc(url, 'ping', {}, key ? { 'x-latchkey-key': key } : {});
  t.equal((await ping(onC)).status, 401, 'C refuses a call without a key');

  const accepted: number[] = [];
  const refused: number[] = [];
  let refusedFirst = 0;
  const ROUNDS = 5;
  for (let round = 1; round <= ROUNDS; round++) {
    const made = await a.api('POST', `/api/workspaces/${ws.id}/keys`, { label: `round ${round}` });
    t.equal(made.status, 201);
    // C holds the workspace (with the previous round's keys) in memory: the new key is news to it.
    const createdAt = performance.now();
    const acceptedOnC = await observe(async () => (await ping(onC, made.body.key)).status === 200, createdAt);
    t.ok(acceptedOnC && acceptedOnC.ms < 1000, `round ${round}: C accepts the key created on A within 1 s`);
    accepted.push(acceptedOnC?.ms ?? Infinity);
    t.equal((await ping(onB, made.body.key)).status, 200, `round ${round}: B accepts it`);

    t.equal((await a.api('DELETE', `/api/workspaces/${ws.id}/keys/${made.body.id}`)).status, 204, `round ${round}: revoked on A`);
    const since = performance.now();
    const first = await ping(onC, made.body.key);
    if (first.status === 401) refusedFirst++;
    const refusedOnC =
      first.status === 401
        ? { ms: performance.now() - since, polls: 1 }
        : await observe(async () => (await ping(onC, made.body.key)).status === 401, since);
    t.ok(refusedOnC && refusedOnC.ms < 1000, `round ${round}: C refuses the revoked key within 1 s`);
    refused.push(refusedOnC?.ms ?? Infinity);
    t.equal((await ping(onB, made.body.key)).status, 401, `round ${round}: B refuses it too`);
  }
  t.comment(`a key created on A, accepted on C after: ${spread(accepted).text}`);
  t.comment(`a key revoked on A, refused on C after: ${spread(refused).text}`);
  t.comment(`the very first request on C after the DELETE's answer was refused in ${refusedFirst} of ${ROUNDS} rounds`);
});

t.test('an OAuth grant at expiry is refreshed once between three nodes', async (t) => {
  // Refresh tokens rotate and a replayed one revokes the grant: three nodes refreshing on their own
  // would break the connection for all of them.
  const provider = await startTestServer({ mode: 'oauth', tokenTtlSeconds: 2 });
  t.teardown(() => provider.close());
  const { body: ws } = await a.api('POST', '/api/workspaces', { name: 'OAuth API' });
  t.equal((await b.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${provider.url}/openapi.json` })).status, 200);
  const saved = await c.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'oauth2',
    flow: 'authorization_code',
    issuer: provider.url,
    scopes: ['items:read'],
  });
  t.equal(saved.status, 200, saved.text);
  // The console sign-in and the OAuth redirect go through A; the helpers read only its url and admin token.
  const viaA = a as unknown as TestGateway;
  const { callback } = await connectOAuth(viaA, ws.id, await signInSession(viaA));
  t.equal(callback.status, 303, 'connected through A');

  const clients = await Promise.all(nodes.map((node) => connectClient(t, onNode(ws.mcpUrl, node))));
  const call = (i: number) => clients[i % 3].callTool({ name: 'listUsers', arguments: {} });
  t.same((await Promise.all([0, 1, 2].map(call))).filter((r) => r.isError).map(textOf), [], 'each node calls with the tokens A saved');

  for (let round = 1; round <= 2; round++) {
    // Past expiry: every node sees a token to renew at the same moment.
    await new Promise((r) => setTimeout(r, 2100));
    const before = provider.oauth!.stats();
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => call(i)));
    const after = provider.oauth!.stats();
    t.same(results.filter((r) => r.isError).map(textOf), [], `round ${round}: 15 calls over A, B, C at expiry all succeed`);
    t.equal(after.refreshes - before.refreshes, 1, `round ${round}: one refresh at the provider between the three`);
    t.equal(after.refreshFailures - before.refreshFailures, 0, `round ${round}: no spent refresh token replayed`);
    t.comment(
      `round ${round}: refreshes ${after.refreshes - before.refreshes}, refused refreshes ${after.refreshFailures - before.refreshFailures}, tokens issued ${after.tokensIssued - before.tokensIssued}`,
    );
  }
  t.match(
    (await b.api('GET', `/api/workspaces/${ws.id}/auth`)).body.health,
    { connected: true, reconnectNeeded: false },
    'the connection is healthy, read on B',
  );
});

t.test('kill -9 of one node under load: the others answer every call and no configuration is lost', async (t) => {
  const ws = await workspaceOn(a, 'Load API');
  // Configuration to lose: a toggle, a key, another environment's URL.
  t.equal((await b.api('PATCH', `/api/workspaces/${ws.id}/tools/createItem`, { enabled: true })).status, 200);
  t.equal((await c.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'survives' })).status, 201);
  const snapshot = async (node: GatewayNode) => {
    const workspace = (await node.api('GET', `/api/workspaces/${ws.id}`)).body;
    const tools = (await node.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools.map((x: { name: string; enabled: boolean }) => [
      x.name,
      x.enabled,
    ]);
    const keys = (await node.api('GET', `/api/workspaces/${ws.id}/keys`)).body.keys.map(
      (k: { id: string; label: string; prefix: string }) => [k.id, k.label, k.prefix],
    );
    const auth = (await node.api('GET', `/api/workspaces/${ws.id}/auth`)).body;
    return {
      name: workspace.name,
      baseUrl: workspace.baseUrl,
      access: workspace.access,
      mcpPath: new URL(workspace.mcpUrl).pathname,
      tools,
      keys,
      auth: [auth.type, auth.saved, auth.updatedAt],
    };
  };
  const before = await snapshot(a);

  // A load balancer with health checks: round robin over the nodes it believes alive; a request
  // that fails to connect to the node that was killed takes it out of the rotation and goes to the next.
  const victim = c;
  const alive = [...nodes];
  let killedAt: number | undefined = undefined;
  let turn = 0;
  const answered = new Map<string, { before: number; after: number }>(nodes.map((n) => [n.name, { before: 0, after: 0 }]));
  const errors: string[] = [];
  let retried = 0;
  async function oneCall() {
    for (;;) {
      const node = alive[turn++ % alive.length];
      try {
        const res = await listItems(onNode(ws.mcpUrl, node));
        if (succeeded(res)) answered.get(node.name)![killedAt === undefined ? 'before' : 'after']++;
        else errors.push(`${node.name}: ${res.status} ${res.text.slice(0, 200)}`);
        return;
      } catch (err) {
        if (node === victim && killedAt !== undefined) {
          retried++;
          const at = alive.indexOf(node);
          if (at >= 0) alive.splice(at, 1);
          continue;
        }
        errors.push(`${node.name}: ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`);
        return;
      }
    }
  }
  const LOOPS = 4;
  const loadMs = 3000;
  const start = performance.now();
  const load = Promise.all(
    Array.from({ length: LOOPS }, async () => {
      while (performance.now() - start < loadMs) await oneCall();
    }),
  );
  await new Promise((r) => setTimeout(r, 1000));
  killedAt = performance.now();
  await victim.kill();
  await load;
  const total = [...answered.values()].reduce((sum, n) => sum + n.before + n.after, 0);
  t.equal(victim.exited(), 'SIGKILL', 'C was killed');
  t.same(errors, [], 'no call on a surviving node failed');
  t.ok(answered.get('A')!.after > 0 && answered.get('B')!.after > 0, 'A and B kept answering after the kill');
  t.comment(
    `${total} calls in ${loadMs} ms over ${LOOPS} loops; before the kill A/B/C ${[...answered.values()].map((n) => n.before).join('/')}, after A/B ${answered.get('A')!.after}/${answered.get('B')!.after}; ${retried} request(s) cut off or refused by the killed node and retried on the next; ${errors.length} errors`,
  );

  t.same(await snapshot(b), before, 'B reads the same workspace, tools, keys and credentials as before the kill');
  t.same(await snapshot(a), before, 'so does A');
  t.ok(succeeded(await listItems(onNode(ws.mcpUrl, b))), 'and calls go on');
});

t.test('OAuth Connect started on one node, the provider sending the browser back to another', async (t) => {
  // Behind a load balancer every node has the balancer's address as PUBLIC_URL; the browser's
  // return from the provider lands on whichever node it picks. Two more nodes share one.
  const publicUrl = 'http://gateway.test';
  const [d, e] = await startNodes(t, ['D', 'E'], {
    databaseUrl,
    adminToken,
    masterKey,
    env: { LATCHKEY_RATE_LIMIT: '0', PUBLIC_URL: publicUrl },
  });
  const provider = await startTestServer({ mode: 'oauth' });
  t.teardown(() => provider.close());
  const { body: ws } = await d.api('POST', '/api/workspaces', { name: 'Connected across nodes' });
  t.equal((await d.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${provider.url}/openapi.json` })).status, 200);
  t.equal(
    (
      await e.api('PUT', `/api/workspaces/${ws.id}/auth`, {
        type: 'oauth2',
        flow: 'authorization_code',
        issuer: provider.url,
        scopes: ['items:read'],
      })
    ).status,
    200,
  );

  // The console on D: its session, then Connect.
  const signIn = await fetch(`${d.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: adminToken }),
  });
  const session = signIn.headers.getSetCookie()[0].split(';')[0];
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const start = await fetch(`${d.url}/api/workspaces/${ws.id}/oauth/start`, {
    method: 'POST',
    headers: { cookie: session, 'x-latchkey-csrf': csrfToken },
  });
  t.equal(start.status, 200);
  const { authorizeUrl, redirectUri } = (await start.json()) as { authorizeUrl: string; redirectUri: string };
  t.equal(redirectUri, `${publicUrl}/oauth/callback`, 'the provider is given the balancer address');
  const flowCookie = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => !c.startsWith(session.split('=')[0] + '='));
  t.ok(flowCookie, 'a cookie for this flow alone');

  // At the provider: the approve page, then Approve.
  const html = await (await fetch(authorizeUrl)).text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(
      m[1],
      m[2].replace(/&#(\d+);/g, (_x, c) => String.fromCharCode(Number(c))),
    );
  form.set('decision', 'approve');
  const approved = await fetch(new URL('/authorize', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  const back = new URL(approved.headers.get('location')!);
  t.equal(back.origin + back.pathname, redirectUri, 'sent back to the balancer');

  // The balancer picks E. The session cookie is SameSite=Strict, so a browser coming back from
  // another site sends only the flow cookie: that must be enough, on any node.
  const callback = await fetch(`${e.url}${back.pathname}${back.search}`, { headers: { cookie: flowCookie! }, redirect: 'manual' });
  t.equal(callback.status, 303, 'E finished what D started');
  t.match(callback.headers.get('location'), /oauth=connected/);
  const replay = await fetch(`${d.url}${back.pathname}${back.search}`, { headers: { cookie: flowCookie! }, redirect: 'manual' });
  t.equal(replay.status, 400, 'the same answer replayed on D is refused: the state was used once, on E');
  t.equal(provider.oauth!.stats().tokensIssued, 1, 'one code exchange at the provider');

  const health = await d.api('GET', `/api/workspaces/${ws.id}/auth`);
  t.match(health.body.health, { connected: true, reconnectNeeded: false }, 'D sees the connection E made');
  for (const node of [d, e]) {
    const result = await connectClient(t, onNode(ws.mcpUrl, node)).then((client) => client.callTool({ name: 'listUsers', arguments: {} }));
    t.notOk(result.isError, `a call through ${node.name} uses the grant: ${textOf(result).slice(0, 80)}`);
  }
});

t.test('a console session signed in on A works on B; signed out on B, its cookie is refused on A', async (t) => {
  const [a, b] = nodes;
  const signIn = await fetch(`${a.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: adminToken }),
  });
  t.equal(signIn.status, 200);
  const cookie = signIn.headers.getSetCookie()[0].split(';')[0];
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const onB = await fetch(`${b.url}/api/workspaces`, { headers: { cookie } });
  t.equal(onB.status, 200, 'the session cookie A issued opens B');
  const out = await fetch(`${b.url}/api/session`, { method: 'DELETE', headers: { cookie, 'x-latchkey-csrf': csrfToken } });
  t.equal(out.status, 200, 'signed out on B');
  // A copy of the cookie kept by someone else: every node refuses it, from the shared table.
  t.equal((await fetch(`${a.url}/api/workspaces`, { headers: { cookie } })).status, 401, 'A refuses the signed-out cookie');
  t.same(await (await fetch(`${a.url}/api/session`, { headers: { cookie } })).json(), { signedIn: false });
});
