// Tool modes end to end (issue #15), on GitHub's own spec with every tool enabled: `auto` lists
// three meta-tools instead of 1,200 tools; search_tools finds tools from plain words,
// describe_tools gives their schemas, call_tool reaches the API exactly as a direct call would —
// with toggles, key scopes and the call log applying to the real tool. Through the SDK client
// and mcp-remote.
import t from 'tap';
import { githubWorkspace } from '../helpers/github-workspace.js';
import { startGateway } from '../helpers/gateway.js';
import { startRecordingServer } from '../modules/upstream/fixtures/helpers.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { initialize, startMcpRemote } from '../helpers/mcp-remote.js';
import { schemaProblems } from '../corpus/fixtures/portability.js';
import { geminiProblems, openAiProblems } from '../helpers/profile-rules.js';

type Hit = { name: string; summary: string };
const hitsOf = (result: object) => ((result as { structuredContent?: unknown }).structuredContent as { tools: Hit[] }).tools;

/** Plain requests an agent might make, and the tool each should find first. */
const QUERIES: [string, string][] = [
  ['create an issue comment', 'issues_create-comment'],
  ['list pull requests', 'pulls_list'],
  ['merge a pull request', 'pulls_merge'],
  ['star a repository', 'activity_star-repo-for-authenticated-user'],
  ['delete branch protection', 'repos_delete-branch-protection'],
  ['get the authenticated user', 'users_get-authenticated'],
  ['create a gist', 'gists_create'],
  ['add labels to an issue', 'issues_add-labels'],
  ['search code', 'search_code'],
  ['create a release', 'repos_create-release'],
  ['list repository collaborators', 'repos_list-collaborators'],
  ['re-run a workflow', 'actions_re-run-workflow'],
  ['get the README', 'repos_get-readme'],
  ['lock an issue', 'issues_lock'],
  ['download a repository archive as zip', 'repos_download-zipball-archive'],
];

t.test('GitHub with every tool enabled: auto picks dynamic, and the meta-tools find, describe and call', async (t) => {
  const { gw, api, id, mcpUrl, tools } = await githubWorkspace(t);
  t.ok(tools.length > 1000, `${tools.length} tools`);

  const report = (await gw.api('GET', `/api/workspaces/${id}/tool-mode`)).body;
  t.match(report, { setting: 'auto', mode: 'dynamic', tools: tools.length, thresholds: { tools: 40, tokens: 30_000 } });
  t.match(report.reason, /more than 40 tools are searched/);
  t.ok(report.estimatedTokens > 300_000, `all mode would cost about ${report.estimatedTokens} tokens`);
  t.ok(report.dynamicEstimatedTokens < 2_000, `dynamic mode costs about ${report.dynamicEstimatedTokens}`);

  const client = await connectClient(t, mcpUrl);
  t.match(client.getInstructions(), /search_tools/, 'the instructions say how to reach the tools');
  const listed = (await client.listTools()).tools;
  t.same(
    listed.map((tool) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );
  for (const tool of listed) t.same(schemaProblems(tool.inputSchema), [], `${tool.name}: a portable input schema`);
  t.match(listed[0].description, /1,?\d{3} in all/);

  for (const [query, expected] of QUERIES) {
    const found = await client.callTool({ name: 'search_tools', arguments: { query, limit: 5 } });
    t.notOk(found.isError, textOf(found));
    t.equal(
      hitsOf(found)[0]?.name,
      expected,
      `"${query}" finds ${expected} first (got ${hitsOf(found)
        .map((h) => h.name)
        .join(', ')})`,
    );
  }
  const nothing = await client.callTool({ name: 'search_tools', arguments: { query: 'xylophone quartz' } });
  t.same(hitsOf(nothing), []);
  t.match((nothing.structuredContent as { hint: string }).hint, /Try other words, or one of these topics: .*issues/);

  const described = await client.callTool({ name: 'describe_tools', arguments: { names: ['issues_create-comment', 'no_such_tool'] } });
  const { tools: shown, unavailable } = described.structuredContent as {
    tools: { name: string; inputSchema: { properties: Record<string, unknown>; required: string[] } }[];
    unavailable: { name: string; reason: string }[];
  };
  t.equal(shown[0].name, 'issues_create-comment');
  t.same(Object.keys(shown[0].inputSchema.properties).sort(), ['body', 'issue_number', 'owner', 'repo', 'response_filter']);
  t.same(unavailable, [{ name: 'no_such_tool', reason: 'Unknown tool "no_such_tool".' }]);

  const before = api.requests.length;
  const called = await client.callTool({
    name: 'call_tool',
    arguments: {
      name: 'issues_create-comment',
      arguments: { owner: 'octo', repo: 'hello', issue_number: 7, body: { body: 'Looks good' } },
    },
  });
  t.notOk(called.isError, textOf(called));
  t.equal(api.requests.length, before + 1, 'one request reached the API');
  const sent = api.requests.at(-1)!;
  t.equal(sent.method, 'POST');
  t.equal(sent.url, '/repos/octo/hello/issues/7/comments');
  t.equal(sent.body.toString(), '{"body":"Looks good"}');

  const invalid = await client.callTool({ name: 'call_tool', arguments: { name: 'issues_create-comment', arguments: { owner: 'octo' } } });
  t.ok(invalid.isError, 'the real tool validates its arguments');
  t.match(textOf(invalid), /repo/);
  t.equal(api.requests.length, before + 1, 'and nothing was sent');

  const logs = (await gw.api('GET', `/api/workspaces/${id}/logs?limit=10`)).body.items as { tool: string; ok: boolean }[];
  t.ok(
    logs.some((entry) => entry.tool === 'issues_create-comment' && entry.ok),
    'the call log names the real tool',
  );
  t.notOk(
    logs.some((entry) => entry.tool === 'call_tool' || entry.tool === 'search_tools'),
    'not the meta-tools',
  );

  // A disabled tool is neither found nor callable.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools/issues_create-comment`, { enabled: false })).status, 200);
  const fresh = await connectClient(t, mcpUrl);
  const after = hitsOf(await fresh.callTool({ name: 'search_tools', arguments: { query: 'create an issue comment', limit: 50 } }));
  t.notOk(
    after.some((hit) => hit.name === 'issues_create-comment'),
    'search no longer finds it',
  );
  const refused = await fresh.callTool({
    name: 'call_tool',
    arguments: { name: 'issues_create-comment', arguments: { owner: 'o', repo: 'r', issue_number: 1, body: { body: 'x' } } },
  });
  t.ok(refused.isError);
  t.match(textOf(refused), /is disabled in this workspace/);
  t.equal(api.requests.length, before + 1, 'nothing was sent');

  // A read-scope key: search shows read tools only, and call_tool cannot reach a write tool.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { access: 'keys' })).status, 200);
  const readOnly = new Set(tools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name));
  const key = (await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'reader', scope: 'read' })).body.key as string;
  const reader = await connectClient(t, mcpUrl, { 'x-latchkey-key': key });
  const readerList = (await reader.listTools()).tools;
  t.equal(readerList.find((tool) => tool.name === 'call_tool')?.annotations?.readOnlyHint, true, "the key's call_tool is read-only");
  for (const query of ['create an issue', 'delete a repository', 'list issues']) {
    const hits = hitsOf(await reader.callTool({ name: 'search_tools', arguments: { query, limit: 20 } }));
    t.ok(hits.length > 0, `"${query}": found something`);
    t.same(
      hits.filter((hit) => !readOnly.has(hit.name)),
      [],
      `"${query}": read tools only`,
    );
  }
  const write = await reader.callTool({
    name: 'call_tool',
    arguments: { name: 'issues_create', arguments: { owner: 'o', repo: 'r', body: { title: 't' } } },
  });
  t.ok(write.isError);
  t.match(textOf(write), /not available to this access key \(scope read\)/);
  t.equal(api.requests.length, before + 1, 'nothing was sent');
});

t.test('the mode is the workspace’s choice, a key’s, or auto by the list a caller gets', async (t) => {
  const { gw, api, id, mcpUrl, tools } = await githubWorkspace(t);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { access: 'keys' })).status, 200);
  const full = (await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'full' })).body.key as string;

  // A key narrowed to two tools: auto lists them, as it always did.
  const narrow = (await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'two', tools: ['issues_get', 'issues_list-comments'] })).body;
  const two = await connectClient(t, mcpUrl, { 'x-latchkey-key': narrow.key });
  t.same(
    (await two.listTools()).tools.map((tool) => tool.name),
    ['issues_get', 'issues_list-comments'],
  );
  // The key's own mode wins: dynamic even for two tools.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/keys/${narrow.id}`, { toolMode: 'dynamic' })).body.toolMode, 'dynamic');
  const twoDynamic = await connectClient(t, mcpUrl, { 'x-latchkey-key': narrow.key });
  t.same(
    (await twoDynamic.listTools()).tools.map((tool) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );

  // The workspace set to `all`: every tool listed, whatever the size.
  const patched = await gw.api('PATCH', `/api/workspaces/${id}`, { toolMode: 'all' });
  t.equal(patched.body.toolMode, 'all');
  const report = (await gw.api('GET', `/api/workspaces/${id}/tool-mode`)).body;
  t.match(report, { setting: 'all', mode: 'all' });
  t.match(report.reason, /^Set to "all"/);
  const everything = await connectClient(t, mcpUrl, { 'x-latchkey-key': full });
  t.equal((await everything.listTools()).tools.length, tools.length);

  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { toolMode: 'every' })).status, 400, 'an unknown mode is refused');
  t.equal((await gw.api('GET', `/api/workspaces/${id}`)).body.toolMode, 'all', '…and changes nothing');

  // Through mcp-remote, as Claude Desktop runs it: dynamic again, and the meta-tools work.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { toolMode: 'auto' })).status, 200);
  const remote = await startMcpRemote(t, mcpUrl, ['--header', `X-Latchkey-Key:${full}`]);
  await initialize(remote);
  const listed = await remote.request('tools/list', {});
  t.same(
    listed.result.tools.map((tool: { name: string }) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );
  for (const tool of listed.result.tools) t.same(schemaProblems(tool.inputSchema), [], `${tool.name} through mcp-remote`);
  const found = await remote.request('tools/call', { name: 'search_tools', arguments: { query: 'create an issue comment' } });
  t.equal(found.result.structuredContent.tools[0].name, 'issues_create-comment');

  // In a strict profile the meta-tools follow its rules too, and call_tool's arguments (JSON text
  // there) reach the API as they would through default.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { schemaProfile: 'openai' })).status, 200);
  const strict = await connectClient(t, mcpUrl, { 'x-latchkey-key': full });
  const strictTools = (await strict.listTools()).tools;
  for (const tool of strictTools) t.same(openAiProblems(tool.inputSchema), [], `openai: ${tool.name} passes the profile's rules`);
  const viaText = await strict.callTool({
    name: 'call_tool',
    arguments: { name: 'issues_get', arguments: JSON.stringify({ owner: 'octo', repo: 'hello', issue_number: 3, response_filter: null }) },
  });
  t.notOk(viaText.isError, textOf(viaText));
  t.equal(api.requests.at(-1)!.url, '/repos/octo/hello/issues/3');
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { schemaProfile: 'gemini' })).status, 200);
  const gemini = await connectClient(t, mcpUrl, { 'x-latchkey-key': full });
  for (const tool of (await gemini.listTools()).tools)
    t.same(geminiProblems(tool.inputSchema), [], `gemini: ${tool.name} passes the profile's rules`);
});

t.test('a small workspace stays as it was: auto lists every tool', async (t) => {
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  api.on('/openapi.json', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: 'Small', version: '1' },
        paths: {
          '/a': { get: { operationId: 'getA', responses: { '200': { description: 'OK' } } } },
          '/b': { post: { operationId: 'postB', responses: { '200': { description: 'OK' } } } },
        },
      }),
    );
  });
  const gw = await startGateway(t);
  const { id, mcpUrl } = (await gw.api('POST', '/api/workspaces', { name: 'Small' })).body;
  await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${api.origin}/openapi.json` });
  await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: { getA: true, postB: true } });
  const report = (await gw.api('GET', `/api/workspaces/${id}/tool-mode`)).body;
  t.match(report, { setting: 'auto', mode: 'all', tools: 2 });
  t.match(report.reason, /within 40 tools and 30,000 tokens, so every tool is listed/);
  const client = await connectClient(t, mcpUrl);
  t.same(
    (await client.listTools()).tools.map((tool) => tool.name),
    ['getA', 'postB'],
  );
  t.notMatch(client.getInstructions() ?? '', /search_tools/);
});
