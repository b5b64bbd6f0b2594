// Schema profiles end to end (issue #16): one workspace served to clients in the default,
// openai and gemini forms — chosen by the workspace, by an access key, or by the client's name
// (2025 clients through the session id the initialize answer gives, 2026-07-28 clients through
// _meta) — and every call, written the profile's way, reaches the upstream byte for byte as the
// same call through `default`.
import t, { type Test } from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { textOf } from '../helpers/mcp-client.js';
import { startRecordingServer, type Recorded } from '../modules/upstream/fixtures/helpers.js';
import { geminiProblems, openAiProblems } from '../helpers/profile-rules.js';

const ok = { '200': { description: 'OK' } };

const spec = {
  openapi: '3.0.3',
  info: { title: 'Orders API', version: '1.0.0' },
  servers: [{ url: '/v1' }],
  paths: {
    '/orders': {
      post: {
        operationId: 'createOrder',
        parameters: [{ name: 'dryRun', in: 'query', schema: { type: 'boolean' } }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['customer'],
                properties: {
                  customer: { type: 'string' },
                  quantity: { type: 'integer', enum: [1, 5, 10] },
                  metadata: { type: 'object', additionalProperties: { type: 'string' } },
                  shipping: {
                    oneOf: [
                      { type: 'object', required: ['store'], properties: { store: { type: 'string' } } },
                      {
                        type: 'object',
                        required: ['street', 'city'],
                        properties: { street: { type: 'string' }, city: { type: 'string' } },
                      },
                    ],
                  },
                  note: { type: 'string', default: 'none' },
                  tags: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
        responses: ok,
      },
    },
    '/2fa': { post: { operationId: '2faEnable', responses: ok } },
  },
};

interface Setup {
  gw: TestGateway;
  id: string;
  mcpUrl: string;
  requests: Recorded[];
}

async function setup(t: Test): Promise<Setup> {
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  api.on('/openapi.json', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(spec));
  });
  const gw = await startGateway(t);
  const created = await gw.api('POST', '/api/workspaces', { name: 'Orders' });
  const { id, mcpUrl } = created.body as { id: string; mcpUrl: string };
  t.equal((await gw.api('POST', `/api/workspaces/${id}/spec`, { url: `${api.origin}/openapi.json` })).status, 200);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: { createOrder: true, '2faEnable': true } })).status, 200);
  return { gw, id, mcpUrl, requests: api.requests };
}

async function connect(t: Test, url: string, name = 'latchkey-test', headers: Record<string, string> = {}) {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  t.teardown(() => client.close());
  return { client, transport };
}

type Listed = { name: string; inputSchema: Record<string, unknown> };
const body = (schema: Record<string, unknown>) => (schema.properties as Record<string, Record<string, unknown>>).body;
const bodyProperty = (schema: Record<string, unknown>, name: string) =>
  (body(schema).properties as Record<string, Record<string, unknown>>)[name];

/** The same order, as each profile's model writes it. */
const ORDER = {
  default: {
    dryRun: true,
    body: { customer: 'ada', quantity: 5, metadata: { gift: 'yes' }, shipping: { street: '1 Main St', city: 'Oslo' }, tags: ['a'] },
  },
  openai: {
    dryRun: true,
    body: {
      customer: 'ada',
      quantity: 5,
      metadata: '{"gift":"yes"}',
      shipping: { street: '1 Main St', city: 'Oslo' },
      note: null,
      tags: ['a'],
    },
  },
  gemini: {
    dryRun: true,
    body: { customer: 'ada', quantity: '5', metadata: '{"gift":"yes"}', shipping: { street: '1 Main St', city: 'Oslo' }, tags: ['a'] },
  },
};

function sameRequest(t: Test, got: Recorded, want: Recorded, label: string) {
  t.equal(got.method, want.method, `${label}: method`);
  t.equal(got.url, want.url, `${label}: the request target, byte for byte`);
  t.equal(got.headers['content-type'], want.headers['content-type'], `${label}: content type`);
  t.equal(got.body.toString('hex'), want.body.toString('hex'), `${label}: the body, byte for byte`);
}

t.test('the workspace chooses a profile; every profile reaches the upstream as default does', async (t) => {
  const { gw, id, mcpUrl, requests } = await setup(t);

  const plain = await connect(t, mcpUrl);
  const listed = (await plain.client.listTools()).tools as Listed[];
  t.same(bodyProperty(listed.find((x) => x.name === 'createOrder')!.inputSchema, 'metadata').type, 'object', 'default: as imported');
  t.equal(plain.transport.sessionId, undefined, 'a client no profile is known for gets no session id');
  const first = await plain.client.callTool({ name: 'createOrder', arguments: ORDER.default });
  t.notOk(first.isError, textOf(first));
  const reference = requests.at(-1)!;
  t.equal(reference.url, '/v1/orders?dryRun=true');
  t.equal(
    reference.body.toString(),
    '{"customer":"ada","quantity":5,"metadata":{"gift":"yes"},"shipping":{"street":"1 Main St","city":"Oslo"},"tags":["a"]}',
  );

  for (const profile of ['openai', 'gemini'] as const) {
    const patched = await gw.api('PATCH', `/api/workspaces/${id}`, { schemaProfile: profile });
    t.equal(patched.status, 200, patched.text);
    t.equal(patched.body.schemaProfile, profile);
    const { client } = await connect(t, mcpUrl);
    const tools = (await client.listTools()).tools as Listed[];
    for (const tool of tools) {
      t.same(
        profile === 'openai' ? openAiProblems(tool.inputSchema) : geminiProblems(tool.inputSchema),
        [],
        `${profile}: ${tool.name} passes the profile's rules`,
      );
    }
    const order = tools.find((x) => x.name === 'createOrder')!;
    const metadata = bodyProperty(order.inputSchema, 'metadata');
    t.same(
      metadata.type,
      profile === 'openai' ? ['string', 'null'] : 'string',
      `${profile}: the free-form object is JSON text (optional: nullable in openai)`,
    );
    const result = await client.callTool({ name: 'createOrder', arguments: ORDER[profile] });
    t.notOk(result.isError, textOf(result));
    sameRequest(t, requests.at(-1)!, reference, profile);
  }

  // Gemini's names start with a letter or an underscore: 2faEnable is offered as _2faEnable, and
  // called by that name it is the real tool, logged under its real name.
  const { client } = await connect(t, mcpUrl);
  const names = ((await client.listTools()).tools as Listed[]).map((x) => x.name).sort();
  t.same(names, ['_2faEnable', 'createOrder']);
  const enabled = await client.callTool({ name: '_2faEnable', arguments: {} });
  t.notOk(enabled.isError, textOf(enabled));
  t.equal(requests.at(-1)!.url, '/v1/2fa');
  const wrong = await client.callTool({ name: 'createOrder', arguments: { body: { customer: 'ada', quantity: '7' } } });
  t.ok(wrong.isError, 'a value outside the enum is refused by the real schema');
  t.match(textOf(wrong), /quantity/);
  const logs = await gw.api('GET', `/api/workspaces/${id}/logs?limit=5`);
  const items = logs.body.items as { tool: string; arguments?: string }[];
  t.ok(
    items.some((i) => i.tool === '2faEnable'),
    'the call log names the real tool',
  );
  t.ok(
    items.some((i) => i.tool === 'createOrder' && i.arguments?.includes('"quantity":"7"')),
    'and the arguments the API was (not) sent',
  );

  // A hostile JSON text: refused by its bounds before it is parsed, as the model's own words.
  const deep = await client.callTool({ name: 'createOrder', arguments: { body: { customer: 'ada', metadata: '['.repeat(1_000_000) } } });
  t.ok(deep.isError);
  t.match(textOf(deep), /nested more than 64 levels deep/);
  t.equal((await fetch(`${gw.url}/healthz`)).status, 200, 'and the gateway answers as before');

  const bad = await gw.api('PATCH', `/api/workspaces/${id}`, { schemaProfile: 'anthropic' });
  t.equal(bad.status, 400, 'an unknown profile is refused');
  t.equal((await gw.api('GET', `/api/workspaces/${id}`)).body.schemaProfile, 'gemini', '…and changes nothing');
});

t.test("an access key's profile wins over the workspace's", async (t) => {
  const { gw, id, mcpUrl, requests } = await setup(t);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}`, { access: 'keys', schemaProfile: 'openai' })).status, 200);
  const gemini = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'gemini agent', schemaProfile: 'gemini' });
  t.equal(gemini.status, 201, gemini.text);
  t.equal(gemini.body.schemaProfile, 'gemini');
  const inherits = await gw.api('POST', `/api/workspaces/${id}/keys`, { label: 'ci' });
  t.equal(inherits.body.schemaProfile, null, "a key without a profile follows the workspace's");

  const quantityOf = async (key: string) => {
    const { client } = await connect(t, mcpUrl, 'latchkey-test', { 'X-Latchkey-Key': key });
    const order = ((await client.listTools()).tools as Listed[]).find((x) => x.name === 'createOrder')!;
    return { client, quantity: bodyProperty(order.inputSchema, 'quantity') };
  };
  t.same((await quantityOf(gemini.body.key)).quantity.enum, ['1', '5', '10'], 'the gemini key sees string labels');
  t.same(
    (await quantityOf(inherits.body.key)).quantity.enum,
    [1, 5, 10, null],
    'the other key sees the workspace profile (openai: optional, so nullable)',
  );

  const changed = await gw.api('PATCH', `/api/workspaces/${id}/keys/${gemini.body.id}`, { schemaProfile: 'default' });
  t.equal(changed.status, 200, changed.text);
  t.equal(changed.body.schemaProfile, 'default');
  const { client, quantity } = await quantityOf(gemini.body.key);
  t.same(quantity, { type: 'integer', enum: [1, 5, 10] }, 'a changed key profile applies at once, without a new key');
  const call = await client.callTool({ name: 'createOrder', arguments: ORDER.default });
  t.notOk(call.isError, textOf(call));
  t.equal(requests.at(-1)!.url, '/v1/orders?dryRun=true');
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/keys/nope`, { schemaProfile: null })).status, 404);
  t.equal((await gw.api('PATCH', `/api/workspaces/${id}/keys/${gemini.body.id}`, { schemaProfile: 'x' })).status, 400);
});

t.test('with the workspace on auto, a client known by name gets its profile, in both eras', async (t) => {
  const { mcpUrl, requests } = await setup(t);

  const gemini = await connect(t, mcpUrl, 'gemini-cli-mcp-client');
  t.match(gemini.transport.sessionId, /^lk-profile-gemini-/, 'the initialize answer names the profile in the session id');
  const geminiTools = (await gemini.client.listTools()).tools as Listed[];
  t.same(geminiTools.map((x) => x.name).sort(), ['_2faEnable', 'createOrder'], 'later requests carry it: gemini names');
  t.same(geminiProblems(geminiTools.find((x) => x.name === 'createOrder')!.inputSchema), []);
  const byGemini = await gemini.client.callTool({ name: 'createOrder', arguments: ORDER.gemini });
  t.notOk(byGemini.isError, textOf(byGemini));
  const geminiRequest = requests.at(-1)!;

  const openai = await connect(t, mcpUrl, 'openai-mcp');
  const openaiTools = (await openai.client.listTools()).tools as Listed[];
  t.same(openAiProblems(openaiTools.find((x) => x.name === 'createOrder')!.inputSchema), []);
  const byOpenAi = await openai.client.callTool({ name: 'createOrder', arguments: ORDER.openai });
  t.notOk(byOpenAi.isError, textOf(byOpenAi));
  sameRequest(t, requests.at(-1)!, geminiRequest, 'openai-mcp vs gemini-cli');

  // 2026-07-28: no handshake, the client's name rides in every request's _meta.
  const modern = new ClientV2({ name: 'openai-mcp', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await modern.connect(new TransportV2(new URL(mcpUrl)));
  t.teardown(() => modern.close());
  const modernTools = (await modern.listTools()).tools as Listed[];
  t.same(openAiProblems(modernTools.find((x) => x.name === 'createOrder')!.inputSchema), [], '2026-07-28 openai-mcp: the openai form');
  const byModern = await modern.callTool({ name: 'createOrder', arguments: ORDER.openai });
  t.notOk(byModern.isError, textOf(byModern));
  sameRequest(t, requests.at(-1)!, geminiRequest, '2026-07-28 openai-mcp');

  const other = await connect(t, mcpUrl, 'claude-code');
  const otherOrder = ((await other.client.listTools()).tools as Listed[]).find((x) => x.name === 'createOrder')!;
  t.equal(bodyProperty(otherOrder.inputSchema, 'metadata').type, 'object', 'any other client: default');
});

t.test('a legacy HTTP+SSE client known by name gets its profile too', async (t) => {
  const { mcpUrl, requests } = await setup(t);
  const client = new Client({ name: 'gemini-cli-mcp-client', version: '0.1.0' });
  await client.connect(new SSEClientTransport(new URL(mcpUrl)));
  t.teardown(() => client.close());
  const tools = (await client.listTools()).tools as Listed[];
  t.same(tools.map((x) => x.name).sort(), ['_2faEnable', 'createOrder'], 'the stream remembers the profile its initialize was given');
  const result = await client.callTool({ name: 'createOrder', arguments: ORDER.gemini });
  t.notOk(result.isError, textOf(result));
  t.equal(
    requests.at(-1)!.body.toString(),
    '{"customer":"ada","quantity":5,"metadata":{"gift":"yes"},"shipping":{"street":"1 Main St","city":"Oslo"},"tags":["a"]}',
  );
});
