// Upstream credentials, per environment: the secret part is sealed before it is stored and never
// leaves again.
import type { FastifyInstance } from 'fastify';
import type { CredentialsRow } from '../../db/repositories/credentials-repository.js';
import { splitAuthInput, type AuthPublicInfo } from '../../modules/credentials/auth-settings.js';
import { authSealContext } from '../../modules/workspaces/seal-contexts.js';
import { AuthView, EnvironmentQuery, errorResponses, IdParams } from './schemas.js';
import { declaredSchemes } from './spec.js';
import { requireEnvironment, requireWorkspace } from './workspaces.js';

export function authView(row: CredentialsRow | undefined, environment = 'live') {
  if (!row) return { type: 'none', environment, saved: false, updatedAt: null };
  const info = JSON.parse(row.publicInfo) as AuthPublicInfo;
  return { type: row.type, environment: row.environment, ...info, saved: true, updatedAt: row.updatedAt };
}

type EnvRequest = { Params: { id: string }; Querystring: { environment?: string } };

export default async function authRoutes(app: FastifyInstance) {
  const schema = { params: IdParams, querystring: EnvironmentQuery, response: { 200: AuthView, ...errorResponses } };

  app.get<EnvRequest>('/workspaces/:id/auth', { schema }, async (request) => {
    requireWorkspace(app, request.params.id);
    const env = requireEnvironment(app, request.params.id, request.query.environment);
    return authView(app.repos.credentials.get(request.params.id, env.name), env.name);
  });

  app.put<EnvRequest & { Body: Record<string, unknown> }>(
    '/workspaces/:id/auth',
    {
      // Bodies are validated by splitAuthInput, whose messages name the field; the schema only
      // makes sure it is an object with a type.
      schema: { ...schema, body: { type: 'object', required: ['type'] } },
    },
    async (request) => {
      const { id } = request.params;
      requireWorkspace(app, id);
      const env = requireEnvironment(app, id, request.query.environment);
      const split = splitAuthInput(request.body, declaredSchemes(app, id));
      const row: CredentialsRow = {
        workspaceId: id,
        environment: env.name,
        type: split.type,
        publicInfo: JSON.stringify(split.publicInfo),
        sealed: app.vault.seal(JSON.stringify(split.secret), authSealContext(id, env.name)),
        updatedAt: new Date().toISOString(),
      };
      app.repos.credentials.upsert(row);
      app.gateway.invalidate(id);
      return authView(row);
    },
  );

  app.delete<EnvRequest>('/workspaces/:id/auth', { schema }, async (request) => {
    requireWorkspace(app, request.params.id);
    const env = requireEnvironment(app, request.params.id, request.query.environment);
    app.repos.credentials.delete(request.params.id, env.name);
    app.gateway.invalidate(request.params.id);
    return authView(undefined, env.name);
  });
}
