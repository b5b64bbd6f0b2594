// Access keys: one per integration, each revocable alone, limited by scope, tool list and
// environment. The key is answered once, at creation; only its hash is stored.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AccessKeyRow } from '../../db/repositories/access-keys-repository.js';
import { AccessKeyNotFound, BadRequest } from '../../errors.js';
import { hashAccessKey } from '../../modules/mcp/access.js';
import { SCHEMA_PROFILES } from '../../modules/profiles/index.js';
import { TOOL_MODES } from '../../modules/discovery/tool-mode.js';
import { newAccessKey } from '../../modules/workspaces/access-key.js';
import { AccessKeyView, errorResponses, IdParams } from './schemas.js';
import { requireEnvironment, requireWorkspace } from './workspaces.js';
import type { KeySchemaProfile, KeyToolMode, NewAccessKeyBody } from './types.js';

type NewKeyBody = NewAccessKeyBody;
type KeyChoices = { schemaProfile?: KeySchemaProfile | null; toolMode?: KeyToolMode | null; toolsetId?: string | null };

const ProfileSchema = { type: ['string', 'null'], enum: [...SCHEMA_PROFILES, null] } as const;
const ToolModeSchema = { type: ['string', 'null'], enum: [...TOOL_MODES, null] } as const;
const ToolsetIdSchema = { type: ['string', 'null'], maxLength: 100 } as const;
const KeyParams = {
  type: 'object',
  properties: { id: { type: 'string' }, keyId: { type: 'string', maxLength: 100 } },
  required: ['id', 'keyId'],
} as const;

function keyView(row: AccessKeyRow) {
  return {
    id: row.id,
    label: row.label,
    prefix: row.prefix,
    scope: row.scope,
    tools: row.tools,
    environment: row.environment,
    schemaProfile: row.schemaProfile,
    toolMode: row.toolMode,
    toolsetId: row.toolsetId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
  };
}

export default async function keysRoutes(app: FastifyInstance) {
  async function boundToolset(workspaceId: string, toolsetId: string) {
    const toolset = await app.repos.toolsets.get(workspaceId, toolsetId);
    if (!toolset) throw new BadRequest(`No toolset with id "${toolsetId}" in this workspace.`);
    return toolset;
  }

  app.post<{ Params: { id: string }; Body: NewKeyBody }>(
    '/workspaces/:id/keys',
    {
      schema: {
        params: IdParams,
        body: {
          type: 'object',
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
            scope: { type: 'string', enum: ['read', 'write'] },
            schemaProfile: ProfileSchema,
            toolMode: ToolModeSchema,
            toolsetId: ToolsetIdSchema,
            tools: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 2000, uniqueItems: true },
            environment: { type: 'string', enum: ['live', 'test'] },
            expiresAt: { type: 'string', maxLength: 40 },
          },
          required: ['label'],
          additionalProperties: false,
        },
        response: { 201: AccessKeyView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const { label, scope = 'write', tools, expiresAt, toolsetId = null } = request.body;
      // A key bound to a toolset serves the toolset's environment unless told otherwise, and only that one.
      const toolset = toolsetId === null ? undefined : await boundToolset(id, toolsetId);
      const environment = request.body.environment ?? (toolset?.environment as 'live' | 'test' | undefined) ?? 'live';
      if (toolset && toolset.environment !== environment)
        throw new BadRequest(`The toolset "${toolset.name}" serves the ${toolset.environment} environment: a key bound to it must too.`);
      await requireEnvironment(app, id, environment);
      let expires: string | null = null;
      if (expiresAt !== undefined) {
        const at = Date.parse(expiresAt);
        if (Number.isNaN(at)) throw new BadRequest('"expiresAt" must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z.');
        if (at <= app.now()) throw new BadRequest('"expiresAt" must be in the future.');
        expires = new Date(at).toISOString();
      }
      if (tools) {
        const known = new Set((await app.repos.tools.list(id)).map((t) => t.name));
        const unknown = tools.filter((t) => !known.has(t));
        if (unknown.length > 0) throw new BadRequest(`No tools named ${unknown.map((n) => `"${n}"`).join(', ')} in this workspace.`);
      }
      const { key, prefix } = newAccessKey(environment);
      const row: AccessKeyRow = {
        id: randomUUID(),
        workspaceId: id,
        label: label.trim(),
        prefix,
        keyHash: hashAccessKey(key),
        scope,
        tools: tools ?? null,
        environment,
        schemaProfile: request.body.schemaProfile ?? null,
        toolMode: request.body.toolMode ?? null,
        toolsetId,
        createdAt: new Date().toISOString(),
        lastUsedAt: null,
        expiresAt: expires,
      };
      await app.repos.accessKeys.insert(row);
      reply.code(201);
      return { ...keyView(row), key };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/workspaces/:id/keys',
    {
      schema: {
        params: IdParams,
        response: { 200: { type: 'object', properties: { keys: { type: 'array', items: AccessKeyView } } }, ...errorResponses },
      },
    },
    async (request) => {
      await requireWorkspace(app, request.params.id);
      // Last-used times are written with the call log: flush so the list is current.
      await app.gateway.callLog.flush();
      return { keys: (await app.repos.accessKeys.list(request.params.id)).map(keyView) };
    },
  );

  // What a key's client is offered can change without a new key: the integration keeps its secret.
  // Binding it to a toolset (or another, or none) too: the admin narrows or widens what it opens.
  app.patch<{ Params: { id: string; keyId: string }; Body: KeyChoices }>(
    '/workspaces/:id/keys/:keyId',
    {
      schema: {
        params: KeyParams,
        body: {
          type: 'object',
          properties: { schemaProfile: ProfileSchema, toolMode: ToolModeSchema, toolsetId: ToolsetIdSchema },
          minProperties: 1,
          additionalProperties: false,
        },
        response: { 200: AccessKeyView, ...errorResponses },
      },
    },
    async (request) => {
      const { id, keyId } = request.params;
      await requireWorkspace(app, id);
      const key = await app.repos.accessKeys.get(id, keyId);
      if (!key) throw new AccessKeyNotFound(keyId);
      const { toolsetId } = request.body;
      if (toolsetId) {
        const toolset = await boundToolset(id, toolsetId);
        if (toolset.environment !== key.environment)
          throw new BadRequest(
            `The toolset "${toolset.name}" serves the ${toolset.environment} environment and this key the ${key.environment} one.`,
          );
      }
      if (!(await app.repos.accessKeys.setChoices(id, keyId, request.body))) throw new AccessKeyNotFound(keyId);
      return keyView((await app.repos.accessKeys.get(id, keyId))!);
    },
  );

  app.delete<{ Params: { id: string; keyId: string } }>(
    '/workspaces/:id/keys/:keyId',
    {
      schema: {
        params: KeyParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id, keyId } = request.params;
      await requireWorkspace(app, id);
      if (!(await app.repos.accessKeys.delete(id, keyId))) throw new AccessKeyNotFound(keyId);
      // Revocation takes effect on the very next request, on every node: the cached key sets are dropped now.
      reply.code(204);
    },
  );
}
