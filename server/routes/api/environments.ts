// Test and live: each environment has its own opaque URL, base URL and sealed credentials. `live`
// always exists; `test` is added on request.
import type { FastifyInstance } from 'fastify';
import type { EnvironmentRow } from '../../db/repositories/environments-repository.js';
import { BadRequest, Conflict } from '../../errors.js';
import { authView } from './auth.js';
import { EnvironmentView, errorResponses, IdParams } from './schemas.js';
import { checkBaseUrl, mcpUrlOf, newEnvironmentToken, requireEnvironment, requireWorkspace } from './workspaces.js';

const EnvParams = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string', enum: ['live', 'test'] } },
  required: ['id', 'name'],
} as const;

export default async function environmentsRoutes(app: FastifyInstance) {
  async function view(env: EnvironmentRow) {
    const spec = await app.repos.specs.get(env.workspaceId);
    return {
      name: env.name,
      mcpUrl: await mcpUrlOf(app, env),
      baseUrl: env.baseUrlOverride ?? spec?.baseUrl ?? null,
      baseUrlOverride: env.baseUrlOverride,
      auth: authView(await app.credentials.describe(env.workspaceId, env.name), env.name),
      createdAt: env.createdAt,
    };
  }

  app.get<{ Params: { id: string } }>(
    '/workspaces/:id/environments',
    {
      schema: {
        params: IdParams,
        response: { 200: { type: 'object', properties: { environments: { type: 'array', items: EnvironmentView } } }, ...errorResponses },
      },
    },
    async (request) => {
      await requireWorkspace(app, request.params.id);
      return { environments: await Promise.all((await app.repos.environments.list(request.params.id)).map(view)) };
    },
  );

  app.post<{ Params: { id: string }; Body: { name: 'test'; baseUrl?: string | null } }>(
    '/workspaces/:id/environments',
    {
      schema: {
        params: IdParams,
        body: {
          type: 'object',
          properties: { name: { type: 'string', enum: ['test'] }, baseUrl: { type: ['string', 'null'], maxLength: 2048 } },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: EnvironmentView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ws = await requireWorkspace(app, id);
      const { name, baseUrl } = request.body;
      if (await app.repos.environments.get(id, name)) throw new Conflict(`This workspace already has a "${name}" environment.`);
      const now = new Date().toISOString();
      await app.repos.environments.insert({
        workspaceId: id,
        name,
        ...newEnvironmentToken(app, id, ws.slug, name),
        baseUrlOverride: baseUrl ? checkBaseUrl(baseUrl) : null,
        createdAt: now,
        updatedAt: now,
      });
      reply.code(201);
      return view(await requireEnvironment(app, id, name));
    },
  );

  app.patch<{ Params: { id: string; name: string }; Body: { baseUrl: string | null } }>(
    '/workspaces/:id/environments/:name',
    {
      schema: {
        params: EnvParams,
        body: {
          type: 'object',
          properties: { baseUrl: { type: ['string', 'null'], maxLength: 2048 } },
          required: ['baseUrl'],
          additionalProperties: false,
        },
        response: { 200: EnvironmentView, ...errorResponses },
      },
    },
    async (request) => {
      const { id, name } = request.params;
      await requireWorkspace(app, id);
      await requireEnvironment(app, id, name);
      const baseUrlOverride = request.body.baseUrl === null ? null : checkBaseUrl(request.body.baseUrl);
      await app.repos.environments.update(id, name, { baseUrlOverride }, new Date().toISOString());
      return view(await requireEnvironment(app, id, name));
    },
  );

  app.delete<{ Params: { id: string; name: string } }>(
    '/workspaces/:id/environments/:name',
    { schema: { params: EnvParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (request, reply) => {
      const { id, name } = request.params;
      await requireWorkspace(app, id);
      await requireEnvironment(app, id, name);
      if (name === 'live') throw new BadRequest('The live environment cannot be deleted.');
      // Its URL, credentials, keys and toolsets go with it.
      await app.repos.transaction(async (tx) => {
        await app.credentials.delete(id, name, tx);
        await app.repos.accessKeys.deleteForEnvironment(id, name, tx);
        await app.repos.toolsets.deleteForEnvironment(id, name, tx);
        await app.repos.environments.delete(id, name, tx);
      });
      reply.code(204);
    },
  );
}
