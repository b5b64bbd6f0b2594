// Connecting a workspace to the test server's authorization server over plain HTTP, as a browser
// would: a console session, the start call, the approve page, and back at /oauth/callback.
import type { TestGateway } from './gateway.js';
import type { TestServer } from '../../test-server/test-server.js';

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

/**
 * Marks the API requests made from now on: the returned function counts them, and those that still
 * presented the token of the last request before the mark. A gateway that sees a token expire on
 * the clock a test moved renews it before its next call; one whose clock did not move sends the
 * old token, is refused, and renews after the 401 — the calls succeed either way, these counts differ.
 */
export function markApiRequests(upstream: TestServer): () => { count: number; withOldToken: number } {
  const before = upstream.stats().requests;
  const oldToken = upstream.received.at(-1)?.headers.authorization;
  return () => {
    const count = upstream.stats().requests - before;
    // `received` keeps the latest 200 requests; `requests` counts them all.
    const sent = count === 0 ? [] : upstream.received.slice(-count);
    return { count, withOldToken: sent.filter((r) => r.headers.authorization === oldToken).length };
  };
}
