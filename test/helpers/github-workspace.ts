// A gateway with GitHub's own spec (1,200 operations, from @octokit/openapi) imported and every
// tool enabled, calling a recording upstream: the large API that tool modes and toolsets are for.
import type { Test } from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startGateway, type StartOptions, type TestGateway } from './gateway.js';
import { startRecordingServer, type RecordingServer } from '../modules/upstream/fixtures/helpers.js';

const require = createRequire(import.meta.url);
export const GITHUB_SPEC = path.join(path.dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');

export interface GithubWorkspace {
  gw: TestGateway;
  api: RecordingServer;
  id: string;
  mcpUrl: string;
  tools: { name: string; annotations: { readOnlyHint: boolean } }[];
}

export async function githubWorkspace(t: Test, opts: StartOptions = {}): Promise<GithubWorkspace> {
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  const text = readFileSync(GITHUB_SPEC);
  api.on('/openapi.json', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(text);
  });
  const gw = await startGateway(t, opts);
  const { id, mcpUrl } = (await gw.api('POST', '/api/workspaces', { name: 'GitHub' })).body as { id: string; mcpUrl: string };
  const imported = await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${api.origin}/openapi.json` });
  t.equal(imported.status, 200, imported.text.slice(0, 300));
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { baseUrl: api.origin })).status, 200);
  const listed = (await gw.api('GET', `/api/workspaces/${id}/tools`)).body.tools as GithubWorkspace['tools'];
  const all = Object.fromEntries(listed.map((tool) => [tool.name, true]));
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: all })).status, 200);
  return { gw, api, id, mcpUrl, tools: listed };
}
