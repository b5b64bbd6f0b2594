// Connecting a workspace to the test server's authorization server over plain HTTP, as a browser
// would: a console session, the start call, the approve page, and back at /oauth/callback.
import type { TestGateway } from './gateway.js';

export interface ConsoleSessionCookie {
  cookie: string;
  csrf: string;
}

export async function signInSession(gw: TestGateway): Promise<ConsoleSessionCookie> {
  const res = await fetch(`${gw.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: gw.adminToken }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const body = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: body.csrfToken };
}

/** Start → the approve page → Approve (or `decision`) → back at /oauth/callback with the session cookie. */
export async function connectOAuth(gw: TestGateway, workspaceId: string, session: ConsoleSessionCookie, opts: { decision?: string } = {}) {
  const start = await fetch(`${gw.url}/api/workspaces/${workspaceId}/oauth/start`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-latchkey-csrf': session.csrf },
  });
  const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(
      m[1],
      m[2].replace(/&#(\d+);/g, (_x, c) => String.fromCharCode(Number(c))),
    );
  form.set('decision', opts.decision ?? 'approve');
  const approved = await fetch(new URL('/authorize', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  const location = new URL(approved.headers.get('location')!);
  const code = location.searchParams.get('code') ?? '';
  const callback = await fetch(location, { headers: { cookie: session.cookie }, redirect: 'manual' });
  return { authorizeUrl, location, callback, code };
}
