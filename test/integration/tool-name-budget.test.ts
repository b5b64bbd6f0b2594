// Tool names that leave room for the prefixes clients add (issue #16): Claude Code calls a tool
// mcp__<server>__<tool> and refuses the whole past 64 characters. New workspaces name tools within
// 48 characters; a workspace made before budgets keeps 64 and its names; a new budget renames the
// tools that do not fit, keeping their toggles, and access keys limited to named tools follow.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient } from '../helpers/mcp-client.js';

const LONG = 'listDeploymentBranchPoliciesForTheEnvironmentOfTheRepo'; // 54 characters

t.test('new workspaces name tools within 48 characters; a new budget renames what does not fit', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const spec = await (await fetch(`${upstream.url}/openapi.json`)).json();
  // The test server's listItems operation, under a long operationId.
  spec.paths['/api/items'].get.operationId = LONG;

  const created = await gw.api('POST', '/api/workspaces', { name: 'deploys' });
  t.equal(created.body.toolNameBudget, 48, 'a new workspace: 48');
  const id = created.body.id as string;
  t.equal((await gw.api('POST', `/api/workspaces/${id}/spec`, { content: JSON.stringify(spec) })).status, 200);
  const names = async () => ((await gw.api('GET', `/api/workspaces/${id}/tools`)).body.tools as { name: string }[]).map((x) => x.name);
  const short = (await names()).find((name) => name.startsWith('listDeployment'))!;
  t.ok(short.length <= 48, `shortened to ${short.length}: ${short}`);
  t.match(short, /^listDeploymentBranchPolicies\w*_[a-z0-9]{6}$/, 'readable, with a hash of the operation');
  t.ok(`mcp__deploys__${short}`.length <= 64, 'Claude Code takes it');

  const client = await connectClient(t, created.body.mcpUrl);
  const listed = await client.callTool({ name: short, arguments: { limit: 1 } });
  t.notOk(listed.isError, 'the shortened tool calls the operation');
  t.match(upstream.received.at(-1)?.path, /^\/api\/items/);

  // A key limited to that tool, and the tool switched off: both follow a rename.
  const key = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'deploy bot', tools: [short, 'getItem'] });
  t.equal(key.status, 201, JSON.stringify(key.body));
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: { [short]: false } })).status, 200);

  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { toolNameBudget: 64 })).body.toolNameBudget, 64);
  const after = await names();
  t.ok(after.includes(LONG) && !after.includes(short), 'at 64 the operationId is the name again');
  t.equal(after.length, (await names()).length);
  const tool = (await gw.api('GET', `/api/workspaces/${id}/tools`)).body.tools.find((x: { name: string }) => x.name === LONG);
  t.equal(tool.enabled, false, 'its toggle came along');
  const keys = (await gw.api('GET', `/api/workspaces/${id}/keys`)).body.keys as { tools: string[] | null }[];
  t.same(keys[0].tools, [LONG, 'getItem'], "the key's named tools follow the rename");

  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { toolNameBudget: 64 })).status, 200, 'the same budget again: nothing renamed');
  t.same(await names(), after);
  for (const budget of [10, 65, 40.5]) {
    const refused = await gw.api('PATCH', `/api/workspaces/${id}`, { toolNameBudget: budget });
    t.equal(refused.status, 400, `a budget of ${budget} is refused`);
  }
  t.same(await names(), after, 'and nothing changed');
});

t.test('a workspace made before budgets keeps 64 and its names on re-upload', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t);
  const spec = await (await fetch(`${upstream.url}/openapi.json`)).json();
  spec.paths['/api/items'].get.operationId = LONG;
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'older' });
  // As the migration leaves rows made before it: no budget.
  await gw.app.repos.workspaces.update(ws.id, { toolNameBudget: null }, new Date().toISOString());
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.toolNameBudget, 64);
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(spec) })).status, 200);
  const tools = (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools as { name: string }[];
  t.ok(
    tools.some((x) => x.name === LONG),
    'the 54-character operationId is still the name',
  );
  const made = await gw.api('POST', '/api/workspaces', { name: 'roomy', toolNameBudget: 40 });
  t.equal(made.body.toolNameBudget, 40, 'a budget can be chosen at creation');
});
