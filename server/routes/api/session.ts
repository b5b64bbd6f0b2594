// Console sign-in: the admin token is exchanged once for a session cookie, so the browser never
// keeps the token. These routes sit outside the admin guard; the guard (plugins/admin-auth.ts)
// then accepts the cookie on every other /api route.
import type { FastifyInstance } from 'fastify';
import { CsrfRejected } from '../../errors.js';
import { CSRF_HEADER } from '../../plugins/admin-auth.js';
import type { Session } from '../../modules/session/session-token.js';
import { ErrorBody } from './schemas.js';

const SessionView = {
  type: 'object',
  properties: { signedIn: { type: 'boolean' }, expiresAt: { type: 'string' }, csrfToken: { type: 'string' } },
  required: ['signedIn'],
} as const;
const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody } as const;

export default async function sessionRoutes(app: FastifyInstance) {
  const { sessions } = app.adminAuth;
  const view = (session: Session) => ({
    signedIn: true,
    expiresAt: new Date(session.expiresAt).toISOString(),
    csrfToken: sessions.csrfTokenFor(session),
  });

  app.post<{ Body: { token: string } }>(
    '/session',
    {
      schema: {
        body: {
          type: 'object',
          properties: { token: { type: 'string', minLength: 1, maxLength: 1024 } },
          required: ['token'],
          additionalProperties: false,
        },
        response: { 200: SessionView, ...errorResponses },
      },
    },
    async (request, reply) => view(sessions.signIn(request, reply, request.body.token.trim())),
  );

  // Who am I: 200 either way, so a console opened while signed out logs no failed request.
  app.get('/session', { schema: { response: { 200: SessionView } } }, async (request) => {
    const session = await sessions.current(request);
    return session ? view(session) : { signedIn: false };
  });

  app.delete('/session', { schema: { response: { 200: SessionView, ...errorResponses } } }, async (request, reply) => {
    const session = await sessions.current(request);
    // Signing out changes state too: a live session needs its CSRF token for it.
    if (session && !sessions.checkCsrf(session, request.headers[CSRF_HEADER] as string | undefined)) throw new CsrfRejected();
    await sessions.signOut(request, reply);
    return { signedIn: false };
  });
}
