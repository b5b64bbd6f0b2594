import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3 } from 'openapi-types';
import t from 'tap';
import { start } from './fixtures/helper.js';

const OPERATIONS: Record<string, [method: string, path: string]> = {
  listItems: ['get', '/api/items'],
  createItem: ['post', '/api/items'],
  getItem: ['get', '/api/items/{id}'],
  deleteItem: ['delete', '/api/items/{id}'],
  listUsers: ['get', '/api/users'],
};

function operations(doc: OpenAPIV3.Document): Map<string, { method: string; path: string; op: OpenAPIV3.OperationObject }> {
  const found = new Map<string, { method: string; path: string; op: OpenAPIV3.OperationObject }>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item?.[method];
      if (op?.operationId) found.set(op.operationId, { method, path, op });
    }
  }
  return found;
}

for (const mode of ['none', 'apikey', 'bearer', 'oauth'] as const) {
  t.test(`mode ${mode}: /openapi.json is a valid OpenAPI 3.0.3 document`, async (t) => {
    const server = await start(t, { mode });
    const res = await fetch(`${server.url}/openapi.json`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^application\/json/);
    const doc = (await res.json()) as OpenAPIV3.Document;

    // validate() reads a string as a path and dereferences objects in place: hand it a copy.
    const result = await validate(structuredClone(doc));
    t.ok(result.valid, result.valid ? 'valid' : compileErrors(result));
    t.equal(doc.openapi, '3.0.3');
    t.same(doc.servers, [{ url: server.url, description: 'This test server' }], 'servers names the real origin');

    const ops = operations(doc);
    t.same([...ops.keys()].sort(), Object.keys(OPERATIONS).sort(), 'exactly the five operations');
    for (const [id, [method, path]] of Object.entries(OPERATIONS)) {
      const found = ops.get(id);
      t.match(found, { method, path }, id);
      t.ok(found?.op.summary && found.op.description, `${id} has a summary and a description`);
      t.equal(Object.hasOwn(found?.op.responses ?? {}, '401'), mode !== 'none', `${id}: 401 documented only when auth is on`);
    }

    const itemSchema = doc.components?.schemas?.Item as OpenAPIV3.SchemaObject;
    t.match(itemSchema.properties, {
      id: { type: 'string' },
      name: { type: 'string' },
      price: { type: 'number' },
      tags: { type: 'array', items: { type: 'string' } },
      createdAt: { type: 'string', format: 'date-time' },
    });
    t.match((doc.components?.schemas?.User as OpenAPIV3.SchemaObject).properties, { id: {}, name: {}, email: {} });
    const params = ops.get('listItems')?.op.parameters as OpenAPIV3.ParameterObject[];
    t.same(
      params.map((p) => `${p.in}:${p.name}`),
      ['query:limit', 'query:q'],
    );
    t.match(params[0].schema, { type: 'integer', minimum: 1, maximum: 100, default: 20 });
  });
}

t.test('security scheme follows the mode', async (t) => {
  const none = await start(t, { mode: 'none' });
  const noneDoc = (await (await fetch(`${none.url}/openapi.json`)).json()) as OpenAPIV3.Document;
  t.equal(noneDoc.security, undefined);
  t.equal(noneDoc.components?.securitySchemes, undefined);

  const apikey = await start(t, { mode: 'apikey' });
  const apikeyDoc = (await (await fetch(`${apikey.url}/openapi.json`)).json()) as OpenAPIV3.Document;
  t.same(apikeyDoc.security, [{ ApiKeyAuth: [] }]);
  t.match(apikeyDoc.components?.securitySchemes?.ApiKeyAuth, { type: 'apiKey', in: 'header', name: 'X-Api-Key' });

  const bearer = await start(t, { mode: 'bearer' });
  const bearerDoc = (await (await fetch(`${bearer.url}/openapi.json`)).json()) as OpenAPIV3.Document;
  t.same(bearerDoc.security, [{ BearerAuth: [] }]);
  t.match(bearerDoc.components?.securitySchemes?.BearerAuth, { type: 'http', scheme: 'bearer' });

  const oauth = await start(t, { mode: 'oauth', tokenTtlSeconds: 120 });
  const oauthDoc = (await (await fetch(`${oauth.url}/openapi.json`)).json()) as OpenAPIV3.Document;
  t.same(oauthDoc.security, [{ OAuth2: ['items:read', 'items:write'] }]);
  const scopes = { 'items:read': String, 'items:write': String };
  t.match(oauthDoc.components?.securitySchemes?.OAuth2, {
    type: 'oauth2',
    description: /120 s/,
    flows: {
      authorizationCode: {
        authorizationUrl: `${oauth.url}/authorize`,
        tokenUrl: `${oauth.url}/token`,
        refreshUrl: `${oauth.url}/token`,
        scopes,
      },
      clientCredentials: { tokenUrl: `${oauth.url}/token`, scopes },
    },
  });
});

t.test('mode oauth: the document never contains the client secret', async (t) => {
  const server = await start(t, { mode: 'oauth' });
  const text = await (await fetch(`${server.url}/openapi.json`)).text();
  t.notOk(text.includes(server.oauth?.clientSecret ?? 'unset'));
});

t.test('the document never contains the key', async (t) => {
  const server = await start(t, { mode: 'apikey' });
  const text = await (await fetch(`${server.url}/openapi.json`)).text();
  t.notOk(text.includes(server.key));
});

t.test('bound to a wildcard address, servers names the host the client used', async (t) => {
  const server = await start(t, { mode: 'none', host: '0.0.0.0' });
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'url is still connectable');
  const port = new URL(server.url).port;
  const doc = (await (await fetch(`http://localhost:${port}/openapi.json`)).json()) as OpenAPIV3.Document;
  t.same(doc.servers?.[0]?.url, `http://localhost:${port}`);
});
