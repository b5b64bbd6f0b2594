// Starting the authorization-code flow from the console: the answer is the provider's authorize
// URL, with a single-use `state` bound to the signed-in console session and a PKCE challenge.
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { BadRequest } from '../../errors.js';
import type { OAuthPublicInfo, OAuthSecret } from '../../modules/credentials/oauth-settings.js';
import { buildAuthorizeUrl, createPkcePair, createState, registerClient } from '../../modules/oauth/index.js';
import { authSealContext } from '../../modules/workspaces/seal-contexts.js';
import { sessionHash } from '../../modules/session/session-token.js';
import { oauthRedirectUri } from './auth.js';
import { EnvironmentQuery, errorResponses, IdParams } from './schemas.js';
import { requireEnvironment, requireWorkspace } from './workspaces.js';

export const PENDING_TTL_MS = 10 * 60 * 1000;

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function pendingSealContext(workspaceId: string) {
  return { workspaceId, field: 'oauth-pending' };
}

export default async function oauthRoutes(app: FastifyInstance) {
  app.post<{ Params: { id: string }; Querystring: { environment?: string } }>(
    '/workspaces/:id/oauth/start',
    {
      schema: {
        params: IdParams,
        querystring: EnvironmentQuery,
        response: { 200: { type: 'object', properties: { authorizeUrl: { type: 'string' }, redirectUri: { type: 'string' } } }, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const ws = requireWorkspace(app, id);
      const env = requireEnvironment(app, id, request.query.environment).name;
      const row = app.repos.credentials.get(id, env);
      const info = row?.type === 'oauth2' ? (JSON.parse(row.publicInfo) as OAuthPublicInfo) : undefined;
      if (!row || !info || info.flow !== 'authorization_code' || !info.authorizationUrl) {
        throw new BadRequest('Save OAuth settings with "flow": "authorization_code" first (PUT /api/workspaces/:id/auth).');
      }
      const session = app.adminAuth.sessions.current(request);
      if (!session) throw new BadRequest('Connecting needs a console session, so that the callback can be tied to the browser that started it: use the Connect button in the console.');

      const redirectUri = oauthRedirectUri(app);
      const context = authSealContext(id, env);
      let secret = JSON.parse(app.vault.open(row.sealed, context)) as OAuthSecret;
      if (!info.clientId && !secret.registered) {
        // Dynamic client registration (RFC 7591): once per connection, kept sealed with the tokens.
        try {
          const registered = await registerClient(info.registrationUrl!, { redirectUri, clientName: `Latchkey (${ws.name})`, scopes: info.scopes });
          secret = { ...secret, registered };
        } catch (err) {
          throw new BadRequest(`The provider refused to register Latchkey as a client: ${(err as Error).message}`);
        }
        app.repos.credentials.updateSealed(id, env, app.vault.seal(JSON.stringify(secret), context), row.health ?? '{}');
        app.gateway.forgetOAuth(id, env);
      }
      const clientId = info.clientId ?? secret.registered!.clientId;

      const pkce = createPkcePair();
      const state = createState();
      const now = Date.now();
      app.repos.oauthPending.purgeExpired(new Date(now).toISOString());
      app.repos.oauthPending.insert({
        stateHash: sha256(state),
        workspaceId: id,
        environment: env,
        sessionHash: sessionHash(session),
        verifierSealed: app.vault.seal(pkce.verifier, pendingSealContext(id)),
        expiresAt: new Date(now + PENDING_TTL_MS).toISOString(),
      });
      return {
        authorizeUrl: buildAuthorizeUrl({ authorizationEndpoint: info.authorizationUrl, clientId, redirectUri, scopes: info.scopes, state, codeChallenge: pkce.challenge }),
        redirectUri,
      };
    },
  );
}
