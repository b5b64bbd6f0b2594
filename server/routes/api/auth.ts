// Upstream credentials: the secret part is sealed before it is stored and never leaves again.
import type { FastifyInstance } from 'fastify';
import type { CredentialsRow } from '../../db/repositories/credentials-repository.js';
import { splitAuthInput, type AuthPublicInfo } from '../../modules/credentials/auth-settings.js';
import { AuthView, errorResponses, IdParams } from './schemas.js';
import { declaredSchemes } from './spec.js';
import { requireWorkspace } from './workspaces.js';

function authView(row: CredentialsRow | undefined) {
  if (!row) return { type: 'none', saved: false, updatedAt: null };
  const info = JSON.parse(row.publicInfo) as AuthPublicInfo;
  return { type: row.type, ...info, saved: true, updatedAt: row.updatedAt };
}

export default async function authRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/workspaces/:id/auth', { schema: { params: IdParams, response: { 200: AuthView, ...errorResponses } } }, async (request) => {
    requireWorkspace(app, request.params.id);
    return authView(app.repos.credentials.get(request.params.id));
  });

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/workspaces/:id/auth',
    {
      // Bodies are validated by splitAuthInput, whose messages name the field; the schema only
      // makes sure it is an object with a type.
      schema: { params: IdParams, body: { type: 'object', required: ['type'] }, response: { 200: AuthView, ...errorResponses } },
    },
    async (request) => {
      const { id } = request.params;
      requireWorkspace(app, id);
      const split = splitAuthInput(request.body, declaredSchemes(app, id));
      const row: CredentialsRow = {
        workspaceId: id,
        type: split.type,
        publicInfo: JSON.stringify(split.publicInfo),
        sealed: app.vault.seal(JSON.stringify(split.secret), { workspaceId: id, field: 'auth' }),
        updatedAt: new Date().toISOString(),
      };
      app.repos.credentials.upsert(row);
      app.gateway.invalidate(id);
      return authView(row);
    },
  );

  app.delete<{ Params: { id: string } }>('/workspaces/:id/auth', { schema: { params: IdParams, response: { 200: AuthView, ...errorResponses } } }, async (request) => {
    requireWorkspace(app, request.params.id);
    app.repos.credentials.delete(request.params.id);
    app.gateway.invalidate(request.params.id);
    return authView(undefined);
  });
}
