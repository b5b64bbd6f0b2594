// How the gateway serves the built console: the page with a strict CSP and no caching, hashed
// assets cached for good, console routes answered with the page on reload, API 404s kept as JSON.
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';

t.test('the console page, its assets and its routes', async (t) => {
  const gw = await startGateway(t);
  const page = await fetch(`${gw.url}/`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /text\/html/);
  const html = await page.text();
  t.match(html, /<div id="root"><\/div>/, 'the built console, not the placeholder');
  t.match(page.headers.get('content-security-policy'), /default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
  t.equal(page.headers.get('referrer-policy'), 'no-referrer', 'MCP URLs on the page never leak in a Referer');
  t.equal(page.headers.get('cache-control'), 'no-cache');
  t.notMatch(html, /<script>(?!\s*<\/script>)/, 'no inline script for the CSP to allow');

  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  t.ok(asset, 'the page loads a hashed script');
  const script = await fetch(gw.url + asset);
  t.equal(script.status, 200);
  t.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');

  for (const path of ['/workspaces', '/workspaces/some-id/configure', '/workspaces/some-id/logs']) {
    const reload = await fetch(gw.url + path);
    t.equal(reload.status, 200, `${path} answers the page`);
    t.equal(await reload.text(), html);
    t.ok(reload.headers.get('content-security-policy'));
  }
  const favicon = await fetch(`${gw.url}/favicon.svg`);
  t.equal(favicon.status, 200, 'a favicon, so the browser logs no 404');

  const missing = await fetch(`${gw.url}/api/nope`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
  t.equal(missing.status, 404);
  t.match(await missing.json(), { error: { code: 'LK_NOT_FOUND' } }, 'unknown API routes stay JSON 404s');
  t.equal((await fetch(`${gw.url}/nowhere`)).status, 404, 'and so do other unknown paths');
});
