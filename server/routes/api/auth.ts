// Upstream credentials, per environment: the secret part is sealed before it is stored and never
// leaves again.
import type { FastifyInstance } from 'fastify';
import { splitAuthInput } from '../../modules/credentials/auth-settings.js';
import type { CredentialsSummary } from '../../modules/credentials/credential-store.js';
import { clientAuthOf, clientSecretOf, type OAuthHealthReport } from '../../modules/credentials/oauth-connection.js';
import { splitOAuthInput } from '../../modules/credentials/oauth-settings.js';
import { revokeToken } from '../../modules/oauth/index.js';
import type { CredentialBinding } from '../../modules/credentials/credential-origin.js';
import { Conflict } from '../../errors.js';
import { bindingOf, currentOrigin } from './credential-binding.js';
import { AuthView, EnvironmentQuery, errorResponses, IdParams } from './schemas.js';
import { declaredSchemes } from './spec.js';
import { requireEnvironment, requireWorkspace } from './workspaces.js';

/** `binding`: the origin the credentials go to and whether they are held back (GET/PUT /auth and confirm answer it). */
export function authView(
  row: CredentialsSummary | undefined,
  environment = 'live',
  oauth?: { health?: OAuthHealthReport; redirectUri: string; hasClientSecret?: boolean },
  binding?: CredentialBinding,
) {
  const where = binding && { origin: binding.origin, held: binding.held };
  if (!row) return { type: 'none', environment, saved: false, updatedAt: null, ...where };
  if (row.type === 'oauth2') {
    const settings = { ...row.publicInfo, redirectUri: oauth?.redirectUri, hasClientSecret: oauth?.hasClientSecret };
    return {
      type: row.type,
      environment: row.environment,
      oauth: settings,
      health: oauth?.health,
      saved: true,
      updatedAt: row.updatedAt,
      ...where,
    };
  }
  return { type: row.type, environment: row.environment, ...row.publicInfo, saved: true, updatedAt: row.updatedAt, ...where };
}

/** Where the provider sends the browser back: the URL to register with it. */
export function oauthRedirectUri(app: FastifyInstance): string {
  return `${app.publicUrl()}/oauth/callback`;
}

/** Whether the client the gateway uses (given or registered) has a secret; the secret itself is not shown. */
async function hasClientSecret(app: FastifyInstance, workspaceId: string, environment: string): Promise<boolean | undefined> {
  const saved = await app.credentials.open(workspaceId, environment);
  return saved?.type === 'oauth2' ? clientSecretOf(saved.publicInfo, saved.secret) !== undefined : undefined;
}

/** Revokes a stored OAuth grant at the provider, best effort: a provider that is down must not block a disconnect. */
async function disconnectOAuth(app: FastifyInstance, workspaceId: string, environment: string): Promise<void> {
  const saved = await app.credentials.open(workspaceId, environment);
  app.gateway.forgetOAuth(workspaceId, environment);
  if (saved?.type !== 'oauth2') return;
  const { publicInfo: info, secret } = saved;
  if (!info.revocationUrl || !secret.tokens) return;
  try {
    const client = clientAuthOf(info, secret);
    for (const [token, hint] of [
      [secret.tokens.refreshToken, 'refresh_token'],
      [secret.tokens.accessToken, 'access_token'],
    ] as const) {
      if (token) await revokeToken({ ...client, revocationEndpoint: info.revocationUrl, token, tokenTypeHint: hint }, { timeoutMs: 5000 });
    }
  } catch (err) {
    app.log.warn({ workspaceId, environment, reason: (err as Error).message }, 'revoking OAuth tokens failed; they are deleted anyway');
  }
}

type EnvRequest = { Params: { id: string }; Querystring: { environment?: string } };

export default async function authRoutes(app: FastifyInstance) {
  const schema = { params: IdParams, querystring: EnvironmentQuery, response: { 200: AuthView, ...errorResponses } };

  const view = async (workspaceId: string, environment: string, saved?: CredentialsSummary) => {
    const row = saved ?? (await app.credentials.describe(workspaceId, environment));
    return authView(
      row,
      environment,
      {
        health: await app.gateway.oauthHealth(workspaceId, environment),
        redirectUri: oauthRedirectUri(app),
        hasClientSecret: row?.type === 'oauth2' ? await hasClientSecret(app, workspaceId, environment) : undefined,
      },
      await bindingOf(app, workspaceId, environment),
    );
  };

  app.get<EnvRequest>('/workspaces/:id/auth', { schema }, async (request) => {
    await requireWorkspace(app, request.params.id);
    const env = await requireEnvironment(app, request.params.id, request.query.environment);
    return view(request.params.id, env.name);
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
      await requireWorkspace(app, id);
      const env = await requireEnvironment(app, id, request.query.environment);
      const split =
        request.body.type === 'oauth2'
          ? { type: 'oauth2' as const, ...(await splitOAuthInput(request.body)) }
          : splitAuthInput(request.body, await declaredSchemes(app, id));
      await disconnectOAuth(app, id, env.name);
      // Saved for the base URL in use now: they go to no other origin unless the admin allows it.
      const where = { workspaceId: id, environment: env.name, origin: await currentOrigin(app, id, env.name) };
      return view(id, env.name, await app.credentials.save({ ...where, ...split }));
    },
  );

  // After the API moved (a re-upload to another host), the admin says the credentials may go there.
  app.post<EnvRequest>('/workspaces/:id/auth/confirm', { schema }, async (request) => {
    const { id } = request.params;
    await requireWorkspace(app, id);
    const env = await requireEnvironment(app, id, request.query.environment);
    if (!(await app.credentials.describe(id, env.name)))
      throw new Conflict(`The ${env.name} environment has no saved credentials to confirm.`);
    const origin = await currentOrigin(app, id, env.name);
    if (!origin)
      throw new Conflict(`The ${env.name} environment has no base URL to bind its credentials to: upload a spec or set a base URL first.`);
    await app.credentials.setOrigin(id, env.name, origin);
    request.log.info({ workspaceId: id, environment: env.name, origin }, 'credentials confirmed for the current origin');
    return view(id, env.name);
  });

  app.delete<EnvRequest>('/workspaces/:id/auth', { schema }, async (request) => {
    await requireWorkspace(app, request.params.id);
    const env = await requireEnvironment(app, request.params.id, request.query.environment);
    // OAuth: the tokens are revoked at the provider (RFC 7009, where offered) before they are deleted.
    await disconnectOAuth(app, request.params.id, env.name);
    await app.credentials.delete(request.params.id, env.name);
    return view(request.params.id, env.name);
  });
}
