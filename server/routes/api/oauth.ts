// Starting the authorization-code flow from the console: the answer is the provider's authorize
// URL, with a single-use `state` bound to the browser that started it and a PKCE challenge.
//
// The binding: the console's session cookie is SameSite=Strict, so a browser coming back from a
// provider on another site does not send it to /oauth/callback. The start therefore also sets a
// cookie for this flow alone (SameSite=Lax, which top-level redirects do carry; httpOnly; path
// /oauth/callback; 10 minutes) holding an HMAC of the session id and the state's hash. The pending
// row keeps only its sha256. The callback accepts that cookie, or the session itself when the
// browser sends it (a provider on the same site), and nothing else.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createHash, createHmac } from 'node:crypto';
import { BadRequest } from '../../errors.js';
import { buildAuthorizeUrl, createPkcePair, createState, registerClient } from '../../modules/oauth/index.js';
import { oauthRedirectUri } from './auth.js';
import { EnvironmentQuery, errorResponses, IdParams } from './schemas.js';
import { requireEnvironment, requireWorkspace } from './workspaces.js';

export const PENDING_TTL_MS = 10 * 60 * 1000;

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const flowBindingKey = (app: FastifyInstance) => app.vault.deriveKey('oauth-flow-binding-v1');

/** The flow's binding, which its cookie holds: an HMAC, so it tells nothing of the session or the state. */
export function flowBinding(key: Buffer, sessionId: string, stateHash: string): string {
  return createHmac('sha256', key).update(`oauth-flow:${sessionId}:${stateHash}`, 'utf8').digest('base64url');
}

export const FLOW_COOKIE_PATH = '/oauth/callback';

const isSecure = (app: FastifyInstance) => app.publicUrl().startsWith('https:');

/** One cookie per flow (named after its state's hash), so two Connects in two tabs both finish. */
export function flowCookieName(app: FastifyInstance, stateHash: string): string {
  // __Secure- makes browsers accept it only over https with Secure set.
  return `${isSecure(app) ? '__Secure-' : ''}lk_oauth_${stateHash.slice(0, 16)}`;
}

export function flowCookieOptions(app: FastifyInstance) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: isSecure(app), path: FLOW_COOKIE_PATH };
}

export function clearFlowCookie(app: FastifyInstance, reply: FastifyReply, stateHash: string) {
  reply.clearCookie(flowCookieName(app, stateHash), flowCookieOptions(app));
}

export default async function oauthRoutes(app: FastifyInstance) {
  const bindingKey = flowBindingKey(app);
  app.post<{ Params: { id: string }; Querystring: { environment?: string } }>(
    '/workspaces/:id/oauth/start',
    {
      schema: {
        params: IdParams,
        querystring: EnvironmentQuery,
        response: {
          200: { type: 'object', properties: { authorizeUrl: { type: 'string' }, redirectUri: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ws = await requireWorkspace(app, id);
      const env = (await requireEnvironment(app, id, request.query.environment)).name;
      const saved = await app.credentials.open(id, env);
      const info = saved?.type === 'oauth2' ? saved.publicInfo : undefined;
      if (saved?.type !== 'oauth2' || !info || info.flow !== 'authorization_code' || !info.authorizationUrl) {
        throw new BadRequest('Save OAuth settings with "flow": "authorization_code" first (PUT /api/workspaces/:id/auth).');
      }
      const session = await app.adminAuth.sessions.current(request);
      if (!session)
        throw new BadRequest(
          'Connecting needs a console session, so that the callback can be tied to the browser that started it: use the Connect button in the console.',
        );

      const redirectUri = oauthRedirectUri(app);
      let { secret } = saved;
      if (!info.clientId && !secret.registered) {
        // Dynamic client registration (RFC 7591): once per connection, kept sealed with the tokens.
        try {
          const registered = await registerClient(info.registrationUrl!, {
            redirectUri,
            clientName: `Latchkey (${ws.name})`,
            scopes: info.scopes,
          });
          secret = { ...secret, registered };
        } catch (err) {
          throw new BadRequest(`The provider refused to register Latchkey as a client: ${(err as Error).message}`);
        }
        await app.credentials.updateOAuthSecret(id, env, secret, saved.health);
        app.gateway.forgetOAuth(id, env);
      }
      const clientId = info.clientId ?? secret.registered!.clientId;

      const pkce = createPkcePair();
      const state = createState();
      const stateHash = sha256(state);
      const binding = flowBinding(bindingKey, session.id, stateHash);
      const now = app.now();
      await app.repos.oauthPending.purgeExpired(new Date(now).toISOString());
      await app.repos.oauthPending.insert({
        stateHash,
        workspaceId: id,
        environment: env,
        // The column predates the flow cookie: it holds the binding's hash, not the session's.
        sessionHash: sha256(binding),
        verifierSealed: app.credentials.sealVerifier(id, pkce.verifier),
        expiresAt: new Date(now + PENDING_TTL_MS).toISOString(),
      });
      reply.setCookie(flowCookieName(app, stateHash), binding, { ...flowCookieOptions(app), maxAge: PENDING_TTL_MS / 1000 });
      return {
        authorizeUrl: buildAuthorizeUrl({
          authorizationEndpoint: info.authorizationUrl,
          clientId,
          redirectUri,
          scopes: info.scopes,
          state,
          codeChallenge: pkce.challenge,
        }),
        redirectUri,
      };
    },
  );
}
