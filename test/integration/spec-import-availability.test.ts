// Issue #17: a 300 KB spec whose one large schema is shared by 900 operations (by `$ref` or by
// YAML alias) used to hold the event loop for 18 s and add 340 MB. The import now runs on its own
// thread and its expanded schemas are held to a budget: /healthz and another workspace's
// tools/list keep answering throughout, and the import ends with tools and a warning.
import t, { type Test } from 'tap';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { sharedSchemaSpec } from '../modules/specs/fixtures/shared-schema-spec.js';

const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

async function workspaceWithSpec(t: Test, gw: TestGateway, name: string, content: string) {
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name });
  const uploaded = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content });
  t.equal(uploaded.status, 200, uploaded.text.slice(0, 300));
  return { id: ws.id as string, mcpUrl: ws.mcpUrl as string };
}

/** Probes /healthz and tools/list back to back until `done` settles; answers the slowest of each. */
async function probeWhile(gw: TestGateway, mcpUrl: string, done: Promise<unknown>) {
  let finished = false;
  void done.finally(() => (finished = true));
  let health = 0;
  let list = 0;
  let probes = 0;
  let peakRss = process.memoryUsage().rss;
  while (!finished) {
    let started = performance.now();
    const h = await fetch(`${gw.url}/healthz`);
    await h.arrayBuffer();
    health = Math.max(health, performance.now() - started);
    if (h.status !== 200) throw new Error(`/healthz answered ${h.status}`);
    started = performance.now();
    const l = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: TOOLS_LIST,
    });
    const text = await l.text();
    list = Math.max(list, performance.now() - started);
    if (!text.includes('"tools"')) throw new Error(`tools/list answered ${l.status}: ${text.slice(0, 200)}`);
    probes++;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { health, list, probes, peakRss };
}

for (const sharing of ['ref', 'alias'] as const) {
  t.test(
    `a schema shared by 900 operations (${sharing === 'ref' ? '$ref' : 'YAML alias'}) imports without stalling the gateway`,
    async (t) => {
      const gw = await startGateway(t);
      const other = await workspaceWithSpec(t, gw, 'other', sharedSchemaSpec({ sharing: 'ref', properties: 3, operations: 2 }));
      await gw.api('PATCH', `/api/workspaces/${other.id}/tools`, { tools: { op0: true } });

      const text = sharedSchemaSpec({ sharing });
      const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'hostile' });
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const upload = gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: text });
      const probes = await probeWhile(gw, other.mcpUrl, upload);
      const answer = await upload;
      const importS = (performance.now() - started) / 1000;
      const growthMb = (probes.peakRss - rssBefore) / 1024 / 1024;
      t.comment(
        `${sharing}: ${Math.round(text.length / 1024)} KB spec imported in ${importS.toFixed(1)} s; slowest /healthz ${Math.round(probes.health)} ms, ` +
          `slowest tools/list ${Math.round(probes.list)} ms over ${probes.probes} probes; peak RSS growth ${Math.round(growthMb)} MB`,
      );

      t.equal(answer.status, 200, answer.text.slice(0, 300));
      t.equal(answer.body.toolCount, 900);
      t.ok(
        (answer.body.warnings as { message: string }[]).some((w) =>
          /add up to more than 8 MB .* describe only their top-level fields/.test(w.message),
        ),
        'a warning says the import budget summarised the later tools',
      );
      t.ok(probes.probes > 0, 'the gateway was probed during the import');
      t.ok(probes.health < 2000, `/healthz kept answering (slowest ${Math.round(probes.health)} ms)`);
      t.ok(probes.list < 2000, `tools/list on another workspace kept answering (slowest ${Math.round(probes.list)} ms)`);
      t.ok(growthMb < 1024, `RSS grew ${Math.round(growthMb)} MB`);

      // What is stored is held to the budget: about 8 MB of input schemas, not 900 copies.
      const tools = (await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).text;
      t.comment(`${sharing}: tools API answer ${Math.round(tools.length / 1024 / 1024)} MB`);
      t.ok(tools.length < 16 * 1024 * 1024, `the tools take ${Math.round(tools.length / 1024 / 1024)} MB`);
    },
  );
}
