// The OpenAPI 3.0.3 description served at /openapi.json. It is what users feed the gateway first,
// so summaries and descriptions are written for the model that will read the generated tools.
import type { OpenAPIV3 } from 'openapi-types';
import type { AuthScheme } from './auth.js';
import { ECHO_PATH, echoPathItem } from './echo.js';
import { conformancePaths } from './conformance.js';

const ref = (name: string): OpenAPIV3.ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string): OpenAPIV3.ReferenceObject => ({ $ref: `#/components/responses/${name}` });

function jsonResponse(description: string, schema: string): OpenAPIV3.ResponseObject {
  return { description, content: { 'application/json': { schema: ref(schema) } } };
}

const itemIdParameter: OpenAPIV3.ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The item id, e.g. `itm_0010`, as returned by listItems or createItem.',
  schema: { type: 'string', minLength: 1 },
};

const schemas: Record<string, OpenAPIV3.SchemaObject> = {
  Item: {
    type: 'object',
    description: 'Something for sale.',
    required: ['id', 'name', 'tags', 'createdAt'],
    properties: {
      id: { type: 'string', description: 'Unique id, e.g. `itm_0010`.', example: 'itm_0010' },
      name: { type: 'string', description: 'Display name.', example: 'widget-0010' },
      price: { type: 'number', description: 'Price in US dollars. Absent when the item has none.', example: 19.95 },
      tags: { type: 'array', items: { type: 'string' }, description: 'Free-form labels.', example: ['tools'] },
      createdAt: { type: 'string', format: 'date-time', description: 'When the item was created (UTC).' },
    },
  },
  NewItem: {
    type: 'object',
    description: 'The fields of an item to create; the server assigns `id` and `createdAt`.',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'Display name.', example: 'widget-9000' },
      price: { type: 'number', description: 'Price in US dollars.', example: 4.5 },
      tags: { type: 'array', items: { type: 'string' }, description: 'Free-form labels.', example: ['new'] },
    },
  },
  ItemList: {
    type: 'object',
    required: ['items', 'total'],
    properties: {
      items: { type: 'array', items: ref('Item'), description: 'At most `limit` items, oldest first.' },
      total: { type: 'integer', description: 'How many items match the query, including those beyond `limit`.' },
    },
  },
  User: {
    type: 'object',
    description: 'A person with an account.',
    required: ['id', 'name', 'email'],
    properties: {
      id: { type: 'string', description: 'Unique id, e.g. `usr_001`.', example: 'usr_001' },
      name: { type: 'string', description: 'Full name.', example: 'Ada Lovelace' },
      email: { type: 'string', format: 'email', description: 'Email address.', example: 'ada@example.com' },
    },
  },
  UserList: {
    type: 'object',
    required: ['users', 'total'],
    properties: {
      users: { type: 'array', items: ref('User') },
      total: { type: 'integer', description: 'How many users there are.' },
    },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string', description: 'A stable code, e.g. `NOT_FOUND` or `INVALID_BODY`.' },
      message: { type: 'string', description: 'What was wrong, for a human.' },
    },
  },
};

const responses: Record<string, OpenAPIV3.ResponseObject> = {
  BadRequest: jsonResponse('The request was not valid; `message` says why.', 'Error'),
  Unauthorized: jsonResponse(
    'The credential is missing (`MISSING_API_KEY`, `MISSING_TOKEN`), wrong (`INVALID_API_KEY`, `INVALID_TOKEN`) or expired (`TOKEN_EXPIRED`).',
    'Error',
  ),
  NotFound: jsonResponse('No item with this id (`NOT_FOUND`).', 'Error'),
  PayloadTooLarge: jsonResponse('The body is larger than 1 MiB.', 'Error'),
};

function paths(requiresAuth: boolean): OpenAPIV3.PathsObject {
  // Declared per operation so each one lists every answer it can give, 401 included.
  const withAuth = (answers: OpenAPIV3.ResponsesObject): OpenAPIV3.ResponsesObject =>
    requiresAuth ? { ...answers, '401': response('Unauthorized') } : answers;

  return {
    '/api/items': {
      get: {
        operationId: 'listItems',
        tags: ['items'],
        summary: 'List items',
        description:
          'Returns items oldest first, optionally filtered by name. `total` counts every match, so a `total` larger than the number returned means there are more.',
        parameters: [
          {
            name: 'limit',
            in: 'query',
            description: 'The most items to return, 1 to 100.',
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
          {
            name: 'q',
            in: 'query',
            description: 'Only items whose name contains this text (case-insensitive), e.g. `0010`.',
            schema: { type: 'string' },
          },
        ],
        responses: withAuth({ '200': jsonResponse('The matching items.', 'ItemList'), '400': response('BadRequest') }),
      },
      post: {
        operationId: 'createItem',
        tags: ['items'],
        summary: 'Create an item',
        description: 'Creates an item and returns it with its new id. Items are kept in memory until the server stops.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('NewItem') } } },
        responses: withAuth({
          '201': jsonResponse('The created item.', 'Item'),
          '400': response('BadRequest'),
          '413': response('PayloadTooLarge'),
        }),
      },
    },
    '/api/items/{id}': {
      parameters: [itemIdParameter],
      get: {
        operationId: 'getItem',
        tags: ['items'],
        summary: 'Get an item',
        description: 'Returns one item by id.',
        responses: withAuth({ '200': jsonResponse('The item.', 'Item'), '404': response('NotFound') }),
      },
      delete: {
        operationId: 'deleteItem',
        tags: ['items'],
        summary: 'Delete an item',
        description: 'Deletes one item by id. It cannot be undone.',
        responses: withAuth({ '204': { description: 'Deleted; there is no body.' }, '404': response('NotFound') }),
      },
    },
    '/api/users': {
      get: {
        operationId: 'listUsers',
        tags: ['users'],
        summary: 'List users',
        description: 'Returns every user.',
        responses: withAuth({ '200': jsonResponse('All users.', 'UserList') }),
      },
    },
  };
}

/** `origin` is where the server can be reached, e.g. `http://127.0.0.1:3456`. `echo`: GET /api/echo is served too. */
export function buildOpenApiDocument(
  origin: string,
  auth: AuthScheme,
  options: { echo?: boolean; conformance?: boolean } = {},
): OpenAPIV3.Document {
  const security = auth.securityScheme?.(origin);
  // Cloned so a caller that mutates the result (validators dereference in place) cannot change
  // the shared schema constants.
  return structuredClone<OpenAPIV3.Document>({
    openapi: '3.0.3',
    info: {
      title: 'Latchkey Test API',
      version: '1.0.0',
      description:
        'A small in-memory shop API bundled with Latchkey for trying the gateway locally. Data is seeded on start and lost on stop.',
    },
    servers: [{ url: origin, description: 'This test server' }],
    tags: [
      { name: 'items', description: 'Things for sale.' },
      { name: 'users', description: 'People with accounts.' },
    ],
    paths: {
      ...paths(security !== undefined),
      ...(options.echo ? { [ECHO_PATH]: echoPathItem } : {}),
      ...(options.conformance ? conformancePaths : {}),
    },
    components: {
      schemas,
      responses,
      ...(security ? { securitySchemes: { [security.name]: security.scheme } } : {}),
    },
    ...(security ? { security: [{ [security.name]: security.scopes }] } : {}),
  });
}
