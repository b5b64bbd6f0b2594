// Toolsets end to end (issue #15) on GitHub's own spec: named subsets with their own URLs, picked
// by path prefix, tag or name; what their URL lists and may call; keys bound to one; bad
// selections refused with nothing saved; the URL token never stored or logged in the clear.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { githubWorkspace, GITHUB_SPEC } from '../helpers/github-workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { initialize, startMcpRemote } from '../helpers/mcp-remote.js';
import { storedBytes } from '../helpers/stored-bytes.js';
import { schemaProblems } from '../corpus/fixtures/portability.js';

const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments';

/** The tools GitHub's spec has at or under a path, read from the document itself, not through Latchkey. */
function operationsUnder(prefix: string): string[] {
  const doc = JSON.parse(readFileSync(GITHUB_SPEC, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const names: string[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    if (p !== prefix && !p.startsWith(`${prefix}/`)) continue;
    for (const [method, op] of Object.entries(item))
      if (['get', 'put', 'post', 'delete', 'patch'].includes(method) && op.operationId) names.push(op.operationId.replace('/', '_'));
  }
  return names.sort();
}

t.test('a toolset by path prefix and name: its own URL lists and calls only what it holds', async (t) => {
  const { gw, api, id, mcpUrl } = await githubWorkspace(t);
  const created = await gw.api('POST', `/api/workspaces/${id}/toolsets`, {
    name: 'Issue comments',
    pathPrefixes: [`${COMMENTS}/`],
    tools: ['issues_get'],
  });
  t.equal(created.status, 201, created.text);
  const toolset = created.body;
  const expected = [...operationsUnder(COMMENTS), 'issues_get'].sort();
  t.ok(expected.length >= 3, `${expected.length} tools expected`);
  t.same([...toolset.matched].sort(), expected, 'the view names exactly the tools under the prefix, and the one named');
  t.same(toolset.pathPrefixes, [COMMENTS], 'a trailing slash is dropped');
  t.match(toolset, { name: 'Issue comments', environment: 'live', disabledMatched: 0, boundKeys: 0 });
  t.match(toolset.mcpUrl, /\/mcp\/github-issue-comments-[a-z2-7]{32}$/, 'its own opaque URL, named after the API and the toolset');
  t.not(toolset.mcpUrl, mcpUrl);

  // Few tools: auto lists them, not the meta-tools.
  const client = await connectClient(t, toolset.mcpUrl);
  const listed = await client.listTools();
  t.same(listed.tools.map((tool) => tool.name).sort(), expected, 'tools/list holds the toolset and nothing else');
  t.match(client.getInstructions(), /"GitHub \(Issue comments\)"/, 'the client is told which toolset it holds');
  for (const tool of listed.tools) t.same(schemaProblems(tool.inputSchema), [], `${tool.name} stays portable`);

  const called = await client.callTool({
    name: 'issues_create-comment',
    arguments: { owner: 'octo', repo: 'hello', issue_number: 7, body: { body: 'from a toolset' } },
  });
  t.notOk(called.isError, textOf(called));
  const sent = api.requests.at(-1)!;
  t.equal(`${sent.method} ${sent.url}`, 'POST /repos/octo/hello/issues/7/comments');
  t.same(JSON.parse(sent.body.toString()), { body: 'from a toolset' });

  const before = api.requests.length;
  // As for any tool the caller cannot see: a protocol error (invalid params) naming the reason.
  await t.rejects(client.callTool({ name: 'repos_delete', arguments: { owner: 'octo', repo: 'hello' } }), {
    code: -32602,
    message: /not in the toolset "Issue comments"/,
  });
  t.equal(api.requests.length, before, 'a tool outside the toolset never reaches the API');

  // The workspace's own URL is unchanged: every tool, so auto still searches.
  const whole = await connectClient(t, mcpUrl);
  t.same(
    (await whole.listTools()).tools.map((tool) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );

  // The call log says the call came through the toolset.
  await gw.app.gateway.callLog.flush();
  const logs = (await gw.api('GET', `/api/workspaces/${id}/logs?tool=issues_create-comment`)).body.items;
  t.match(logs[0], { tool: 'issues_create-comment', caller: `toolset:${toolset.id}`, callerLabel: 'Issue comments', ok: true });

  // A disabled tool leaves the toolset's list and is counted as switched off.
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools/issues_get`, { enabled: false })).status, 200);
  t.notOk((await client.listTools()).tools.some((tool) => tool.name === 'issues_get'));
  const after = (await gw.api('GET', `/api/workspaces/${id}/toolsets`)).body.toolsets[0];
  t.equal(after.disabledMatched, 1);
  t.notOk(after.matched.includes('issues_get'));

  // A new URL: the old one stops answering, the new one serves the same toolset.
  const rotated = await gw.api('POST', `/api/workspaces/${id}/toolsets/${toolset.id}/rotate-url`);
  t.equal(rotated.status, 200);
  t.not(rotated.body.mcpUrl, toolset.mcpUrl);
  const stale = await fetch(toolset.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(stale.status, 404, 'the old URL opens nothing');
  const fresh = await connectClient(t, rotated.body.mcpUrl);
  t.equal((await fresh.listTools()).tools.length, expected.length - 1);

  // The token is the credential: sealed in the database, never in the log.
  const token = new URL(rotated.body.mcpUrl).pathname.split('/').pop()!;
  t.notOk((await storedBytes(gw)).includes(token), 'the URL token is not stored in the clear');
  t.notOk(gw.logs().includes(token), 'nor logged');
});

t.test('a toolset by tag, through mcp-remote: a large one is searched, within the toolset only', async (t) => {
  const { gw, id } = await githubWorkspace(t);
  const created = await gw.api('POST', `/api/workspaces/${id}/toolsets`, { name: 'Issues', tags: ['ISSUES'] });
  t.equal(created.status, 201, created.text);
  t.ok(created.body.matched.length > 40, `${created.body.matched.length} tools tagged "issues"`);
  t.ok(
    created.body.matched.every((name: string) => name.startsWith('issues_')),
    'tags match without regard to case',
  );

  const remote = await startMcpRemote(t, created.body.mcpUrl);
  await initialize(remote);
  const listed = await remote.request('tools/list', {});
  t.same(
    listed.result.tools.map((tool: { name: string }) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
    'more than 40 tools: auto searches',
  );
  const found = await remote.request('tools/call', { name: 'search_tools', arguments: { query: 'create an issue comment' } });
  t.equal(found.result.structuredContent.tools[0].name, 'issues_create-comment');
  const elsewhere = await remote.request('tools/call', { name: 'search_tools', arguments: { query: 'merge a pull request' } });
  t.notOk(
    elsewhere.result.structuredContent.tools.some((hit: { name: string }) => !hit.name.startsWith('issues_')),
    'search finds nothing outside the toolset',
  );
  const refused = await remote.request('tools/call', { name: 'call_tool', arguments: { name: 'pulls_merge', arguments: {} } });
  t.ok(refused.result.isError);
  t.match(refused.result.content[0].text, /not in the toolset "Issues"/);
});

t.test('bad selections are refused with a clear message, and nothing is saved', async (t) => {
  const { gw, id } = await githubWorkspace(t);
  const refused: [object, number, RegExp][] = [
    [{ name: 'Empty' }, 400, /at least one tool name, tag or path prefix/],
    [{ name: 'Typo', tools: ['issues_create', 'isues_get'] }, 400, /No tools named "isues_get"/],
    [{ name: 'Tag', tags: ['isues'] }, 400, /No tool in this workspace has the tag "isues" \(its tags include "/],
    [{ name: 'Relative', pathPrefixes: ['repos'] }, 400, /start with "\/"/],
    [{ name: 'Nowhere', pathPrefixes: ['/nowhere'] }, 400, /No tool's path is at or under "\/nowhere"/],
    [{ name: 'Test', tags: ['issues'], environment: 'test' }, 404, /no "test" environment/],
    [{ name: '   ', tags: ['issues'] }, 400, /name/],
  ];
  for (const [body, status, message] of refused) {
    const res = await gw.api('POST', `/api/workspaces/${id}/toolsets`, body);
    t.equal(res.status, status, JSON.stringify(body));
    t.match(res.body.error?.message, message);
  }
  t.same((await gw.api('GET', `/api/workspaces/${id}/toolsets`)).body.toolsets, [], 'nothing was saved');

  const first = await gw.api('POST', `/api/workspaces/${id}/toolsets`, { name: 'Gists', tags: ['gists'] });
  t.equal(first.status, 201);
  const twin = await gw.api('POST', `/api/workspaces/${id}/toolsets`, { name: 'gists', tags: ['gists'] });
  t.equal(twin.status, 409);
  t.match(twin.body.error.message, /already has a toolset named "gists"/);
  const badEdit = await gw.api('PATCH', `/api/workspaces/${id}/toolsets/${first.body.id}`, { tags: ['nope'] });
  t.equal(badEdit.status, 400);
  const kept = (await gw.api('GET', `/api/workspaces/${id}/toolsets`)).body.toolsets;
  t.same(
    kept.map((ts: { name: string; tags: string[] }) => [ts.name, ts.tags]),
    [['Gists', ['gists']]],
    'a refused edit leaves the toolset as it was',
  );
  // An edit replaces the parts it names and keeps the rest.
  const edited = await gw.api('PATCH', `/api/workspaces/${id}/toolsets/${first.body.id}`, {
    name: 'Gists and users',
    pathPrefixes: ['/user'],
  });
  t.equal(edited.status, 200, edited.text);
  t.match(edited.body, { name: 'Gists and users', tags: ['gists'], pathPrefixes: ['/user'] });
  t.ok(edited.body.matched.includes('users_get-authenticated'));
  t.equal(edited.body.mcpUrl, first.body.mcpUrl, 'editing keeps the URL');
  const missing = await gw.api('GET', `/api/workspaces/${id}/toolsets/nope`);
  t.equal(missing.status, 404);
  t.match(missing.body.error, { code: 'LK_TOOLSET_NOT_FOUND' });
  t.match((await gw.api('GET', `/api/workspaces/${id}/toolsets/${first.body.id}`)).body, { name: 'Gists and users' });
  t.equal((await gw.api('DELETE', `/api/workspaces/${id}/toolsets/nope`)).status, 404);
});

t.test('keys bound to a toolset: its tools on any URL of the workspace, refused on another toolset', async (t) => {
  const { gw, api, id, mcpUrl } = await githubWorkspace(t);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { access: 'keys' })).status, 200);
  const comments = (await gw.api('POST', `/api/workspaces/${id}/toolsets`, { name: 'Comments', pathPrefixes: [COMMENTS] })).body;
  const gists = (await gw.api('POST', `/api/workspaces/${id}/toolsets`, { name: 'Gists', tags: ['gists'] })).body;

  const bad = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'x', toolsetId: 'nope' });
  t.equal(bad.status, 400);
  t.match(bad.body.error.message, /No toolset with id "nope"/);
  const made = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'comment bot', scope: 'read', toolsetId: comments.id });
  t.equal(made.status, 201, made.text);
  t.match(made.body, { toolsetId: comments.id, environment: 'live' });
  const headers = { 'x-latchkey-key': made.body.key };

  // On the workspace's URL: the toolset's read tools, nothing else.
  const client = await connectClient(t, mcpUrl, headers);
  const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
  t.same(names, ['issues_list-comments'], 'the toolset, narrowed by the read scope');
  const listedComments = await client.callTool({ name: 'issues_list-comments', arguments: { owner: 'o', repo: 'r', issue_number: 1 } });
  t.notOk(listedComments.isError, textOf(listedComments));
  t.equal(api.requests.at(-1)!.url, '/repos/o/r/issues/1/comments');

  // The key's own tool mode applies within its toolset (and is stored in both dialects).
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/keys/${made.body.id}`, { toolMode: 'dynamic' })).status, 200);
  t.same(
    (await client.listTools()).tools.map((tool) => tool.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );
  const searched = await client.callTool({ name: 'search_tools', arguments: { query: 'list comments on an issue' } });
  t.same(
    (searched.structuredContent as { tools: { name: string }[] }).tools.map((hit) => hit.name),
    ['issues_list-comments'],
    'search sees the toolset, narrowed by the scope, only',
  );
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/keys/${made.body.id}`, { toolMode: null })).status, 200);

  // On its own toolset's URL: the same; on another toolset's: refused outright.
  const own = await connectClient(t, comments.mcpUrl, headers);
  t.same(
    (await own.listTools()).tools.map((tool) => tool.name),
    ['issues_list-comments'],
  );
  const other = await fetch(gists.mcpUrl, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(other.status, 403);
  t.match((await other.json()).error.message, /bound to the toolset "Comments"/);

  // Not deleted from under the key; rebinding and revoking are the admin's choice.
  const blocked = await gw.api('DELETE', `/api/workspaces/${id}/toolsets/${comments.id}`);
  t.equal(blocked.status, 409);
  t.match(blocked.body.error.message, /1 access key is bound to the toolset "Comments"/);
  t.equal((await gw.api('GET', `/api/workspaces/${id}/toolsets`)).body.toolsets[0].boundKeys, 1);
  const rebound = await gw.api('PATCH', `/api/workspaces/${id}/keys/${made.body.id}`, { toolsetId: gists.id });
  t.equal(rebound.status, 200);
  t.match(
    (await client.listTools()).tools.map((tool) => tool.name),
    ['gists_list'],
  );
  t.equal((await gw.api('DELETE', `/api/workspaces/${id}/toolsets/${comments.id}`)).status, 204);
  t.equal((await gw.api('DELETE', `/api/workspaces/${id}/keys/${made.body.id}`)).status, 204);
  t.equal((await gw.api('DELETE', `/api/workspaces/${id}/toolsets/${gists.id}`)).status, 204);
  const gone = await fetch(gists.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(gone.status, 404, "a deleted toolset's URL opens nothing, not the whole workspace");
});

t.test('toolsets follow renamed tools, and go with their environment', async (t) => {
  const { gw, id } = await githubWorkspace(t);
  const named = await gw.api('POST', `/api/workspaces/${id}/toolsets`, {
    name: 'Picked',
    tools: ['activity_star-repo-for-authenticated-user', 'issues_lock'],
  });
  t.equal(named.status, 201, named.text);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { toolNameBudget: 24 })).status, 200);
  const [after] = (await gw.api('GET', `/api/workspaces/${id}/toolsets`)).body.toolsets;
  t.equal(after.tools.length, 2);
  t.ok(after.tools.includes('issues_lock'), 'a name within the budget is kept');
  t.notOk(after.tools.includes('activity_star-repo-for-authenticated-user'), 'a long name is renamed…');
  t.equal(after.matched.length, 2, '…and the toolset still holds the tool');

  t.equal((await gw.api('POST', `/api/workspaces/${id}/environments`, { name: 'test' })).status, 201);
  const testSet = await gw.api('POST', `/api/workspaces/${id}/toolsets`, { name: 'Test gists', tags: ['gists'], environment: 'test' });
  t.equal(testSet.status, 201);
  const mismatched = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'k', toolsetId: testSet.body.id, environment: 'live' });
  t.equal(mismatched.status, 400);
  t.match(mismatched.body.error.message, /serves the test environment/);
  const key = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'k', toolsetId: testSet.body.id });
  t.match(key.body, { environment: 'test' }, "a bound key takes the toolset's environment");
  t.equal((await gw.api('DELETE', `/api/workspaces/${id}/environments/test`)).status, 204);
  t.same(
    (await gw.api('GET', `/api/workspaces/${id}/toolsets`)).body.toolsets.map((ts: { name: string }) => ts.name),
    ['Picked'],
    "the test environment's toolset went with it",
  );
});
