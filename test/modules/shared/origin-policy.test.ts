// The Origin and Host rules on their own: which browser pages and which names reach /mcp and /api.
import t from 'tap';
import { createOriginPolicy, normalizeOrigin } from '../../../server/modules/shared/origin-policy.js';

t.test('a loopback listener: loopback names and addresses only; the same origin from them', async (t) => {
  const check = createOriginPolicy({ listenHost: '127.0.0.1', allowedOrigins: [] });
  t.ok(check({ host: '127.0.0.1:8080' }).ok, 'an MCP client: no Origin');
  t.ok(check({ host: 'localhost:8080' }).ok);
  t.ok(check({ host: '[::1]:8080' }).ok);
  t.ok(check({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }).ok, 'the console served by the gateway');
  t.ok(check({ host: 'localhost:5173', origin: 'http://localhost:5173' }).ok);
  t.ok(check({}).ok, 'no Host at all (HTTP/1.0)');
  const rebound = check({ host: 'evil.example:8080', origin: 'http://evil.example:8080' });
  t.notOk(rebound.ok, 'DNS rebinding: a page whose name now points at 127.0.0.1');
  t.match(!rebound.ok && rebound.message, /does not answer to the name "evil\.example:8080" \(DNS rebinding protection\)/);
  t.notOk(check({ host: 'evil.example:8080' }).ok, 'a foreign name, even without Origin');
  const foreign = check({ host: '127.0.0.1:8080', origin: 'https://evil.example' });
  t.notOk(foreign.ok, 'a cross-site page posting to the local gateway');
  t.match(!foreign.ok && foreign.message, /web origin "https:\/\/evil\.example" are not allowed here.*LATCHKEY_ALLOWED_ORIGINS/);
  t.notOk(check({ host: '127.0.0.1:8080', origin: 'null' }).ok, 'a sandboxed page (Origin: null)');
  t.notOk(check({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9999' }).ok, 'another port is another origin');
});

t.test('PUBLIC_URL and LATCHKEY_ALLOWED_ORIGINS are allowed; default ports compare equal', async (t) => {
  const check = createOriginPolicy({
    listenHost: '0.0.0.0',
    publicUrl: 'https://mcp.example.com',
    allowedOrigins: ['http://localhost:5173'],
  });
  t.ok(check({ host: 'mcp.example.com', origin: 'https://mcp.example.com' }).ok);
  t.ok(check({ host: 'mcp.example.com:443', origin: 'https://mcp.example.com' }).ok);
  t.ok(check({ host: 'latchkey.internal:8080' }).ok, 'a network listener answers to any name (callers inside the cluster)');
  t.ok(check({ host: 'mcp.example.com', origin: 'http://localhost:5173' }).ok, 'a configured origin');
  t.ok(check({ host: '10.0.0.5:8080', origin: 'http://10.0.0.5:8080' }).ok, 'the console opened at a node address');
  t.notOk(
    check({ host: 'rebound.example:8080', origin: 'http://rebound.example:8080' }).ok,
    'same-origin from an unknown name is not trusted once PUBLIC_URL names the gateway',
  );
  t.notOk(check({ host: 'mcp.example.com', origin: 'https://other.example.com' }).ok);
});

t.test('a network listener without PUBLIC_URL: same-origin pages are its own', async (t) => {
  const check = createOriginPolicy({ listenHost: '0.0.0.0', allowedOrigins: [] });
  t.ok(check({ host: 'gateway.lan:8080', origin: 'http://gateway.lan:8080' }).ok);
  t.notOk(check({ host: 'gateway.lan:8080', origin: 'http://elsewhere.lan:8080' }).ok);
});

t.test('origins are normalised', async (t) => {
  t.equal(normalizeOrigin('HTTPS://Example.COM:443'), 'https://example.com');
  t.equal(normalizeOrigin('http://example.com:8080'), 'http://example.com:8080');
  t.equal(normalizeOrigin('null'), undefined);
  t.equal(normalizeOrigin('ftp://example.com'), undefined);
});
