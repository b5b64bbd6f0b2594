import t from 'tap';
import { splitAuthInput, toUpstreamCredentials } from '../../../server/modules/credentials/auth-settings.js';

t.test('each type splits into a public part with no secret and a sealed part', async (t) => {
  const marker = 'MARKER-xyz';
  const cases = [
    { type: 'bearer', token: marker },
    { type: 'api_key', in: 'header', name: 'X-Api-Key', value: marker },
    { type: 'api_key', in: 'query', name: 'api_key', value: marker },
    { type: 'basic', username: marker, password: marker },
    { type: 'headers', headers: { 'X-Custom-Auth': marker, 'X-Tenant-ID': marker } },
  ];
  for (const input of cases) {
    const split = splitAuthInput(input);
    t.notMatch(JSON.stringify(split.publicInfo), marker, `${input.type}: public info holds no secret`);
    t.match(JSON.stringify(split.secret), marker);
    const creds = toUpstreamCredentials(split.type, split.publicInfo, split.secret);
    t.equal(creds.type, input.type);
  }
  t.same(splitAuthInput({ type: 'headers', headers: { 'X-A': '1', 'X-B': '2' } }).publicInfo, { headerNames: ['X-A', 'X-B'] });
  t.same(splitAuthInput({ type: 'none' }), { type: 'none', publicInfo: {}, secret: {} });
});

t.test('api_key name and location default to the spec scheme', async (t) => {
  const split = splitAuthInput({ type: 'api_key', value: 'k' }, [{ key: 'ApiKeyAuth', type: 'apiKey', in: 'header', name: 'X-Api-Key' }]);
  t.same(split.publicInfo, { in: 'header', name: 'X-Api-Key' });
  t.throws(() => splitAuthInput({ type: 'api_key', value: 'k' }), { code: 'LK_AUTH_INVALID', message: /"name" is required/ });
});

t.test('bad input is refused with a message naming the field, never echoing the value', async (t) => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ type: 'magic' }, /"type" must be one of/],
    [{ type: 'bearer' }, /"token" is required/],
    [{ type: 'bearer', token: 'a\r\nInjected: x' }, /"token" contains control characters/],
    [{ type: 'api_key', in: 'body', name: 'x', value: 'v' }, /"in" must be/],
    [{ type: 'api_key', in: 'header', name: 'bad name', value: 'v' }, /valid HTTP header name/],
    [{ type: 'headers', headers: {} }, /from 1 to 50/],
    [{ type: 'headers', headers: { Host: 'x' } }, /managed by HTTP itself/],
    [{ type: 'headers', headers: { 'X-A': 'SECRETVALUE\n' } }, /control characters/],
  ];
  for (const [input, message] of bad) {
    const err = t.throws(() => splitAuthInput(input), { code: 'LK_AUTH_INVALID' }) as Error;
    t.match(err.message, message);
    t.notMatch(err.message, 'SECRETVALUE');
  }
});
