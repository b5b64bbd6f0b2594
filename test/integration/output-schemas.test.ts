// Typed outputs (issue #15): a tool declares an outputSchema exactly where its 2xx JSON response is
// an object, and every structuredContent conforms — checked by the real SDK client, which fails a
// call whose structuredContent does not match, and by a strict Ajv as a client would compile it.
// An API that answers outside its own schema, a response_filter and a non-JSON answer still give
// conforming results; through mcp-remote and describe_tools too.
import t from 'tap';
import { startTestServer } from '../../test-server/test-server.js';
import { buildOpenApiDocument } from '../../test-server/openapi.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { initialize, startMcpRemote } from '../helpers/mcp-remote.js';
import { createStrictAjv, schemaProblems } from '../corpus/fixtures/portability.js';
import { startRecordingServer } from '../modules/upstream/fixtures/helpers.js';

const ajv = createStrictAjv();

/** Which operations of a document answer a JSON object, read from the document by hand. */
function objectAnswers(doc: { paths: Record<string, Record<string, any>>; components?: any }): string[] {
  const resolve = (node: any): any =>
    node?.$ref
      ? resolve(
          node.$ref
            .split('/')
            .slice(1)
            .reduce((o: any, k: string) => o[k], doc),
        )
      : node;
  const names: string[] = [];
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item)) {
      if (!op?.operationId) continue;
      const ok = Object.entries(op.responses ?? {}).find(([status]) => /^2/.test(status))?.[1] as any;
      const schema = resolve(resolve(ok)?.content?.['application/json']?.schema);
      if (schema?.type === 'object') names.push(op.operationId);
    }
  return names.sort();
}

t.test('the test server: outputSchema where the answer is an object, and every call conforms', async (t) => {
  const server = await startTestServer({ mode: 'apikey' });
  t.teardown(() => server.close());
  const gw = await startGateway(t);
  const ws = await workspaceFor(t, gw, server, { enable: ['listItems', 'createItem', 'getItem', 'deleteItem', 'listUsers'] });
  const client = await connectClient(t, ws.mcpUrl);
  const { tools } = await client.listTools();
  const typed = tools.filter((tool) => tool.outputSchema).map((tool) => tool.name);
  const expected = objectAnswers(buildOpenApiDocument(server.url, { securityScheme: undefined } as never) as never);
  t.same(typed.sort(), expected, 'declared exactly where the spec answers an object');
  t.same(expected, ['createItem', 'getItem', 'listItems', 'listUsers']);
  for (const tool of tools.filter((x) => x.outputSchema)) {
    t.same(schemaProblems(tool.outputSchema), [], `${tool.name}: portable`);
    t.doesNotThrow(() => ajv.compile(tool.outputSchema!), `${tool.name}: compiles under a strict Ajv`);
    t.equal(tool.outputSchema!.type, 'object');
  }
  const getItem = tools.find((tool) => tool.name === 'getItem')!;
  t.match(getItem.outputSchema, {
    properties: { id: { type: ['string', 'null'] }, tags: { type: ['array', 'null'], items: { type: ['string', 'null'] } }, _result: {} },
  });
  t.notOk('required' in getItem.outputSchema!, 'lenient: nothing required');
  t.equal(getItem.title, 'Get an item', "the title is the operation's summary");

  // The SDK client validates structuredContent against the outputSchema: a mismatch would throw.
  const created = await client.callTool({ name: 'createItem', arguments: { body: { name: 'typed', tags: ['a'] } } });
  t.notOk(created.isError, textOf(created));
  const item = created.structuredContent as { id: string; name: string };
  t.equal(item.name, 'typed', 'the API object itself');
  t.same(JSON.parse(textOf(created)), item, 'text and structuredContent agree');
  const got = await client.callTool({ name: 'getItem', arguments: { id: item.id } });
  t.equal((got.structuredContent as { id: string }).id, item.id);
  const listed = await client.callTool({ name: 'listItems', arguments: { limit: 3 } });
  t.ok(Array.isArray((listed.structuredContent as { items: unknown[] }).items));
  const schemaOf = (name: string) => tools.find((tool) => tool.name === name)!.outputSchema!;
  for (const [name, result] of [
    ['createItem', created],
    ['getItem', got],
    ['listItems', listed],
  ] as const)
    t.ok(ajv.validate(schemaOf(name), result.structuredContent), `${name}: conforms under a strict Ajv too`);

  // A filter's result is carried under "_result", whatever its shape; the client accepts it.
  const filtered = await client.callTool({ name: 'listItems', arguments: { limit: 3, response_filter: 'items[].name' } });
  t.notOk(filtered.isError, textOf(filtered));
  t.same(filtered.structuredContent, { _result: JSON.parse(textOf(filtered)) });
  t.ok(Array.isArray((filtered.structuredContent as { _result: unknown })._result));
  const counted = await client.callTool({ name: 'listItems', arguments: { response_filter: 'total' } });
  t.same(counted.structuredContent, { _result: JSON.parse(textOf(counted)) });
  t.type((counted.structuredContent as { _result: unknown })._result, 'number');

  // No outputSchema, no change: a 204 answers text only.
  const deleted = await client.callTool({ name: 'deleteItem', arguments: { id: item.id } });
  t.notOk(deleted.isError, textOf(deleted));
  t.equal(deleted.structuredContent, undefined);

  // Through mcp-remote: the same schemas, and describe_tools gives them in dynamic mode.
  t.equal((await gw.api('PATCH', `/api/workspaces/${ws.id}`, { toolMode: 'dynamic' })).status, 200);
  const remote = await startMcpRemote(t, ws.mcpUrl);
  await initialize(remote);
  const described = await remote.request('tools/call', { name: 'describe_tools', arguments: { names: ['getItem', 'deleteItem'] } });
  const [first, second] = described.result.structuredContent.tools;
  t.same(first.outputSchema, getItem.outputSchema, 'describe_tools gives the output schema');
  t.equal(second.outputSchema, undefined, 'and none where the tool declares none');
});

t.test('an API that answers outside its own schema: structuredContent still conforms', async (t) => {
  const api = await startRecordingServer();
  t.teardown(() => api.close());
  const doc = {
    openapi: '3.0.3',
    info: { title: 'Sloppy', version: '1' },
    servers: [{ url: api.origin }],
    paths: Object.fromEntries(
      ['mismatch', 'array', 'text', 'fine'].map((name) => [
        `/${name}`,
        {
          get: {
            operationId: name,
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['count', 'state'],
                      additionalProperties: false,
                      properties: {
                        count: { type: 'integer', minimum: 0 },
                        state: { type: 'string', enum: ['open', 'closed'] },
                        at: { type: 'string', format: 'date-time' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ]),
    ),
  };
  const answers: Record<string, [string, string]> = {
    // Past the spec's promises but within its structure: lenient, so it is the object itself.
    fine: ['application/json', '{"count":2.5,"state":"merged","at":"yesterday","extra":true}'],
    mismatch: ['application/json', '{"count":"many","state":null}'],
    array: ['application/json', '[1,2,3]'],
    text: ['text/plain', 'not json at all'],
  };
  for (const [name, [type, body]] of Object.entries(answers))
    api.on(`/${name}`, (_req, res) => {
      res.setHeader('content-type', type);
      res.end(body);
    });
  const gw = await startGateway(t);
  const { id, mcpUrl } = (await gw.api('POST', '/api/workspaces', { name: 'Sloppy' })).body;
  t.equal((await gw.api('POST', `/api/workspaces/${id}/spec`, { content: JSON.stringify(doc) })).status, 200);
  t.equal(
    (await gw.api('PATCH', `/api/workspaces/${id}/tools`, { tools: { mismatch: true, array: true, text: true, fine: true } })).status,
    200,
  );
  const client = await connectClient(t, mcpUrl);
  const { tools } = await client.listTools();
  t.equal(tools.filter((tool) => tool.outputSchema).length, 4);
  const call = async (name: string) => {
    const result = await client.callTool({ name, arguments: {} });
    t.notOk(result.isError, `${name}: ${textOf(result)}`);
    t.ok(ajv.validate(tools.find((tool) => tool.name === name)!.outputSchema!, result.structuredContent), `${name}: conforms`);
    return result.structuredContent;
  };
  t.same(await call('fine'), JSON.parse(answers.fine[1]), 'within the structure: the object as sent');
  t.same(await call('mismatch'), { _result: { count: 'many', state: null } }, 'a wrong type: carried under _result');
  t.same(await call('array'), { _result: [1, 2, 3] });
  t.same(await call('text'), {}, 'not JSON: the empty object, the text in content');
});
