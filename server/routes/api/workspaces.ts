import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { WorkspaceSummaryRow } from '../../db/repositories/workspaces-repository.js';
import { BadRequest, WorkspaceNotFound } from '../../errors.js';
import { hashUrlToken, newUrlToken, slugify } from '../../modules/workspaces/url-token.js';
import { errorResponses, IdParams, WorkspaceView } from './schemas.js';

export function workspaceView(app: FastifyInstance, row: WorkspaceSummaryRow) {
  const token = app.vault.open(row.urlTokenSealed, { workspaceId: row.id, field: 'url-token' });
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    mcpUrl: `${app.publicUrl()}/mcp/${token}`,
    baseUrl: row.baseUrlOverride ?? row.specBaseUrl ?? null,
    toolCount: row.toolCount,
    enabledToolCount: row.enabledToolCount,
    lastCallAt: row.lastCallAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The workspace's summary row, or a 404. */
export function requireWorkspace(app: FastifyInstance, id: string): WorkspaceSummaryRow {
  const row = app.repos.workspaces.getSummary(id);
  if (!row) throw new WorkspaceNotFound(id);
  return row;
}

function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadRequest(`"baseUrl" must be an absolute http(s) URL, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequest('"baseUrl" must start with http:// or https://.');
  if (url.username || url.password) throw new BadRequest('"baseUrl" must not contain credentials: save them under auth instead.');
  if (url.search || url.hash) throw new BadRequest('"baseUrl" must not have a query string or fragment.');
  return url.toString().replace(/\/+$/, '');
}

const NameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;

export default async function workspacesRoutes(app: FastifyInstance) {
  app.post<{ Body: { name: string } }>(
    '/workspaces',
    {
      schema: {
        body: { type: 'object', properties: { name: NameSchema }, required: ['name'], additionalProperties: false },
        response: { 201: WorkspaceView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const name = request.body.name.trim();
      const slug = slugify(name);
      const token = newUrlToken(slug);
      const now = new Date().toISOString();
      app.repos.workspaces.insert({
        id,
        name,
        slug,
        urlTokenHash: hashUrlToken(token),
        urlTokenSealed: app.vault.seal(token, { workspaceId: id, field: 'url-token' }),
        baseUrlOverride: null,
        createdAt: now,
        updatedAt: now,
      });
      reply.code(201);
      return workspaceView(app, requireWorkspace(app, id));
    },
  );

  app.get('/workspaces', { schema: { response: { 200: { type: 'object', properties: { workspaces: { type: 'array', items: WorkspaceView } } } } } }, async () => ({
    workspaces: app.repos.workspaces.list().map((row) => workspaceView(app, row)),
  }));

  app.get<{ Params: { id: string } }>('/workspaces/:id', { schema: { params: IdParams, response: { 200: WorkspaceView, ...errorResponses } } }, async (request) =>
    workspaceView(app, requireWorkspace(app, request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: { name?: string; baseUrl?: string | null } }>(
    '/workspaces/:id',
    {
      schema: {
        params: IdParams,
        body: {
          type: 'object',
          properties: { name: NameSchema, baseUrl: { type: ['string', 'null'], maxLength: 2048 } },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: WorkspaceView, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      requireWorkspace(app, id);
      const changes: { name?: string; baseUrlOverride?: string | null } = {};
      if (request.body.name !== undefined) changes.name = request.body.name.trim();
      if (request.body.baseUrl !== undefined) changes.baseUrlOverride = request.body.baseUrl === null ? null : checkBaseUrl(request.body.baseUrl);
      app.repos.workspaces.update(id, changes, new Date().toISOString());
      app.gateway.invalidate(id);
      return workspaceView(app, requireWorkspace(app, id));
    },
  );

  // A new opaque URL; the old one stops working at once (the runtime cache is keyed by token).
  app.post<{ Params: { id: string } }>('/workspaces/:id/rotate-url', { schema: { params: IdParams, response: { 200: WorkspaceView, ...errorResponses } } }, async (request) => {
    const { id } = request.params;
    const row = requireWorkspace(app, id);
    const token = newUrlToken(row.slug);
    app.repos.workspaces.update(
      id,
      { urlTokenHash: hashUrlToken(token), urlTokenSealed: app.vault.seal(token, { workspaceId: id, field: 'url-token' }) },
      new Date().toISOString(),
    );
    app.gateway.invalidate(id);
    return workspaceView(app, requireWorkspace(app, id));
  });

  app.delete<{ Params: { id: string } }>('/workspaces/:id', { schema: { params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    if (!app.repos.workspaces.delete(request.params.id)) throw new WorkspaceNotFound(request.params.id);
    app.gateway.invalidate(request.params.id);
    reply.code(204);
  });
}
