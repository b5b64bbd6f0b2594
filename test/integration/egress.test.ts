// The egress policy through the gateway: spec fetches from private addresses are refused unless
// LATCHKEY_ALLOW_PRIVATE_NETWORKS is set, upstream host names that resolve there are refused at
// connect time, and an admin's IP literal is taken as given.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';

const OFF = { env: { LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'false' } };

t.test('a spec URL on 127.0.0.1 is refused by default, stores nothing, and is imported with the setting', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, OFF);
  const ws = (await gw.api('POST', '/api/workspaces', { name: 'Egress' })).body;

  const refused = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.equal(refused.status, 422, refused.text);
  t.equal(refused.body.error.code, 'LK_SPEC_FETCH_REFUSED');
  t.equal(
    refused.body.error.message,
    `Could not fetch the spec from ${upstream.url}/openapi.json: refused: 127.0.0.1 is a loopback address (this machine); spec fetches to private networks are off — upload the file instead, or start Latchkey with LATCHKEY_ALLOW_PRIVATE_NETWORKS=true`,
  );
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}/spec`)).status, 404, 'nothing stored');
  t.same((await gw.api('GET', `/api/workspaces/${ws.id}/tools`)).body.tools ?? [], []);

  const metadata = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: 'http://169.254.169.254/latest/meta-data/' });
  t.equal(metadata.status, 422);
  t.match(metadata.body.error.message, /169\.254\.169\.254 is a link-local address \(the cloud metadata service\)/);

  // The walkthrough's other way in: the file itself, uploaded.
  const file = await (await fetch(`${upstream.url}/openapi.json`)).text();
  const uploaded = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: file });
  t.equal(uploaded.status, 200, uploaded.text);

  const allowed = await startGateway(t, { env: { LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true' } });
  const ws2 = (await allowed.api('POST', '/api/workspaces', { name: 'Egress allowed' })).body;
  const imported = await allowed.api('POST', `/api/workspaces/${ws2.id}/spec`, { url: `${upstream.url}/openapi.json` });
  t.equal(imported.status, 200, imported.text);
  t.equal(imported.body.status, 'ready');
  t.equal(imported.body.sourceUrl, `${upstream.url}/openapi.json`);
});

t.test('user:password@ in a spec URL is used once and stored nowhere', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { LOG_LEVEL: 'trace' } });
  const ws = (await gw.api('POST', '/api/workspaces', { name: 'Userinfo' })).body;
  const password = `PW_${randomBytes(8).toString('hex')}`;
  const withUserinfo = upstream.url.replace('http://', `http://spec-reader:${password}@`);
  const imported = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${withUserinfo}/openapi.json` });
  t.equal(imported.status, 200, imported.text);
  t.equal(imported.body.sourceUrl, `${upstream.url}/openapi.json`, 'returned without userinfo');
  const failed = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${withUserinfo}/nope.json` });
  t.equal(failed.status, 422);
  t.notMatch(failed.text, password, 'not quoted in an error');
  t.notMatch(JSON.stringify((await gw.api('GET', `/api/workspaces/${ws.id}/spec`)).body), password);
  await gw.app.close();
  for (const name of readdirSync(gw.dataDir)) {
    const file = path.join(gw.dataDir, name);
    t.notOk(readFileSync(file).includes(password), `${name} does not hold the password`);
  }
  t.notMatch(gw.logs(), password, 'not logged');
});

/** A name other than `localhost` that this machine resolves to loopback only, if it has one. */
async function loopbackName(): Promise<string | undefined> {
  for (const name of [os.hostname(), 'localhost.localdomain', 'ip6-localhost']) {
    if (!name || name === 'localhost') continue;
    const answers = await lookup(name, { all: true }).catch(() => []);
    if (answers.length > 0 && answers.every((a) => a.address === '::1' || a.address.startsWith('127.'))) return name;
  }
  return undefined;
}

t.test('upstream calls: an IP literal is taken as given; a name resolving to loopback is an isError result', async (t) => {
  const upstream = await startTestServer({ mode: 'none' });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, OFF);
  const ws = (await gw.api('POST', '/api/workspaces', { name: 'Upstream egress' })).body;
  const file = await (await fetch(`${upstream.url}/openapi.json`)).text();
  t.equal((await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: file })).status, 200);
  t.equal((await gw.api('GET', `/api/workspaces/${ws.id}`)).body.baseUrl, upstream.url);

  const client = await connectClient(t, ws.mcpUrl);
  const literal = await client.callTool({ name: 'listItems', arguments: { limit: 1 } });
  t.notOk(literal.isError, `http://127.0.0.1 named by the admin is called: ${textOf(literal)}`);

  const name = await loopbackName();
  if (!name) {
    t.comment('skipped: no host name other than localhost resolves to loopback on this machine');
    return;
  }
  const before = upstream.stats().requests;
  const port = new URL(upstream.url).port;
  const patched = await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: `http://${name}:${port}` });
  t.equal(patched.status, 200, patched.text);
  const refused = await client.callTool({ name: 'listItems', arguments: { limit: 1 } });
  t.equal(refused.isError, true);
  t.equal(
    textOf(refused),
    `Refused to connect to http://${name}:${port}: ${name} resolves to a loopback address (this machine), and calls to private networks are off (the gateway's admin can allow them with LATCHKEY_ALLOW_PRIVATE_NETWORKS=true).`,
  );
  t.equal(upstream.stats().requests, before, 'the upstream saw no request');
});

t.test('a fetched document that does not parse is described, never quoted', async (t) => {
  const marker = `DOC_${randomBytes(6).toString('hex')}`;
  // V8 quotes about ten characters either side of where JSON broke: a short marker fits.
  const short = `Q${randomBytes(3).toString('hex')}`;
  const documents: Record<string, string> = {
    '/json-token.json': `{"k": ${short}, [}`,
    '/json-start.json': `[${short}, {]`,
    '/yaml-tag.yaml': `openapi: !e!${marker} 3.0.3`,
    '/yaml-version.yaml': `%YAML ${marker}\n---\nopenapi: 3.0.3`,
    '/yaml-block.yaml': `info: |${marker}\n  x`,
    '/yaml-alias.yaml': `openapi: 3.0.3\ninfo: *${marker}`,
  };
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => res.end(documents[req.url ?? ''] ?? ''));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const gw = await startGateway(t);
  const ws = (await gw.api('POST', '/api/workspaces', { name: 'Quotes' })).body;
  for (const docPath of Object.keys(documents)) {
    const answer = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${origin}${docPath}` });
    t.equal(answer.status, 422, docPath);
    t.equal(answer.body.error.code, 'LK_SPEC_UNREADABLE', `${docPath}: ${answer.body.error.message}`);
    t.notMatch(answer.text, docPath.startsWith('/json') ? short : marker, `${docPath}: the document is not quoted`);
  }
  // Documents that parse but are refused: the version and a dangling $ref are named by pointer only.
  const refused: Record<string, string> = {
    '/version.json': JSON.stringify({ openapi: `9.${marker}`, info: { title: 't', version: '1' }, paths: {} }),
    '/swagger.json': JSON.stringify({ swagger: `1.${marker}`, info: { title: 't', version: '1' }, paths: {} }),
    '/ref.json': JSON.stringify({
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            responses: {
              200: { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/${marker}` } } } },
            },
          },
        },
      },
    }),
  };
  Object.assign(documents, refused);
  for (const docPath of Object.keys(refused)) {
    const answer = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { url: `${origin}${docPath}` });
    t.equal(answer.status, 422, `${docPath}: ${answer.text}`);
    t.notMatch(answer.text, marker, `${docPath}: the document's values are not quoted`);
  }
});
