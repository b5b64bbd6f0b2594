// GET /oauth/callback: where the provider sends the browser back. The `state` must be one this
// gateway issued, unused, unexpired, and started in this browser (its flow cookie, or the same
// console session when the browser sends it: see api/oauth.ts); then the code is
// exchanged (with the PKCE verifier) and the tokens are sealed. The browser goes back to the
// console's Configure tab, which shows the result.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { clientAuthOf, type OAuthHealth } from '../modules/credentials/oauth-connection.js';
import { exchangeCode } from '../modules/oauth/index.js';
import { oauthRedirectUri } from './api/auth.js';
import { clearFlowCookie, flowBinding, flowBindingKey, flowCookieName, sha256 } from './api/oauth.js';

interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function failurePage(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Latchkey: connection failed</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem"><h1>The OAuth connection was not made</h1>
<p>${escapeHtml(message)}</p><p><a href="/">Back to the console</a></p></body></html>`);
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export default async function oauthCallbackRoutes(app: FastifyInstance) {
  const bindingKey = flowBindingKey(app);

  /** Whether this browser started the flow: its flow cookie, or the console session that started it. */
  async function startedHere(request: FastifyRequest, stateHash: string, bindingHash: string): Promise<boolean> {
    const cookie = request.cookies[flowCookieName(app, stateHash)];
    if (cookie && cookie.length <= 100 && sameHash(sha256(cookie), bindingHash)) return true;
    const session = await app.adminAuth.sessions.current(request);
    return session !== undefined && sameHash(sha256(flowBinding(bindingKey, session.id, stateHash)), bindingHash);
  }

  app.get<{ Querystring: CallbackQuery }>(
    '/oauth/callback',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 4096 },
            state: { type: 'string', maxLength: 512 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { code, state, error, error_description: description } = request.query;
      if (!state) return failurePage(reply, 400, 'The provider sent the browser back without a state parameter.');
      const stateHash = sha256(state);
      // The flow's cookie has done its work whatever happens next.
      clearFlowCookie(app, reply, stateHash);
      const pending = await app.repos.oauthPending.take(stateHash);
      if (!pending)
        return failurePage(
          reply,
          400,
          'This authorization response is unknown or was already used. Start again with Connect in the console.',
        );
      const back = (params: Record<string, string>) =>
        reply.redirect(
          `/workspaces/${encodeURIComponent(pending.workspaceId)}/configure?${new URLSearchParams({ environment: pending.environment, ...params })}`,
          303,
        );
      if (Date.parse(pending.expiresAt) < app.now())
        return back({ oauth: 'error', message: 'The authorization took too long (over 10 minutes). Press Connect again.' });
      // pending.sessionHash holds the flow binding's hash (see api/oauth.ts).
      if (!(await startedHere(request, stateHash, pending.sessionHash))) {
        return failurePage(
          reply,
          403,
          'This authorization was started in another browser or console session. Sign in and press Connect in this browser.',
        );
      }
      if (error) return back({ oauth: 'error', message: `The provider answered ${error}${description ? `: ${description}` : ''}.` });
      if (!code) return back({ oauth: 'error', message: 'The provider sent no authorization code.' });

      const saved = await app.credentials.open(pending.workspaceId, pending.environment);
      if (saved?.type !== 'oauth2')
        return back({ oauth: 'error', message: 'The OAuth settings changed while connecting. Press Connect again.' });
      const { publicInfo: info, secret } = saved;
      try {
        const tokens = await exchangeCode(
          {
            ...clientAuthOf(info, secret),
            tokenEndpoint: info.tokenUrl,
            code,
            redirectUri: oauthRedirectUri(app),
            codeVerifier: await app.credentials.openVerifier(pending),
          },
          { now: app.now },
        );
        const now = new Date().toISOString();
        const health: OAuthHealth = {
          connected: true,
          reconnectNeeded: false,
          lastRefreshAt: now,
          expiresAt: tokens.expiresAt ? new Date(tokens.expiresAt).toISOString() : undefined,
        };
        await app.credentials.connectOAuth(saved, { ...secret, tokens }, health);
        app.gateway.forgetOAuth(pending.workspaceId, pending.environment);
        request.log.info({ workspaceId: pending.workspaceId, environment: pending.environment }, 'OAuth connected');
        return back({ oauth: 'connected' });
      } catch (err) {
        const message = (err as Error).message;
        const health: OAuthHealth = {
          connected: false,
          reconnectNeeded: true,
          lastFailureAt: new Date().toISOString(),
          lastFailure: message,
        };
        await app.credentials.updateHealth(pending.workspaceId, pending.environment, health);
        app.gateway.forgetOAuth(pending.workspaceId, pending.environment);
        return back({ oauth: 'error', message });
      }
    },
  );
}
