// What reaches logs: masked URLs and redacted text.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { maskUrl, redactSecrets, secretForms, secretValues } from '../../../server/modules/upstream/index.js';

const marker = `SECRET-MARKER-${randomBytes(6).toString('hex')}`;

t.test('maskUrl', async (t) => {
  const none = { type: 'none' } as const;
  t.equal(
    maskUrl('https://api.example.com/v1/items?page=2&limit=5', none),
    'https://api.example.com/v1/items?page=2&limit=5',
    'ordinary parameters stay',
  );
  t.equal(
    maskUrl(`https://api.example.com/items?q=a%20b&apiKey=${marker}&access_token=t&X-Amz-Signature=s&sig=1&design=ok`, none),
    'https://api.example.com/items?q=a%20b&apiKey=****&access_token=****&X-Amz-Signature=****&sig=****&design=ok',
  );
  t.equal(maskUrl(`https://user:${marker}@api.example.com/x#frag`, none), 'https://api.example.com/x', 'userinfo and fragment removed');
  const query = { type: 'api_key', in: 'query', name: 'k', value: marker } as const;
  t.equal(
    maskUrl(`https://api.example.com/x?k=${marker}&page=1`, query),
    'https://api.example.com/x?k=****&page=1',
    'the credential parameter, whatever its name',
  );
  const encoded = { type: 'api_key', in: 'query', name: 'k', value: `${marker}/+=` } as const;
  t.notMatch(
    maskUrl(`https://api.example.com/${encodeURIComponent(encoded.value)}`, encoded),
    marker,
    'a secret elsewhere in the URL, URL-encoded',
  );
  t.equal(maskUrl(`not a url ${marker}`, query), 'not a url ****');
});

t.test('secretValues covers every form a secret is sent in', async (t) => {
  t.same(secretValues({ type: 'none' }), []);
  t.same(
    secretValues({ type: 'bearer', token: marker }).sort(),
    [marker, `Bearer ${marker}`, encodeURIComponent(`Bearer ${marker}`), `Bearer+${marker}`].sort(),
  );
  const basic = secretValues({ type: 'basic', username: 'ada', password: marker });
  const b64 = Buffer.from(`ada:${marker}`).toString('base64');
  for (const v of [marker, `ada:${marker}`, b64, `Basic ${b64}`]) t.ok(basic.includes(v), v);
  t.ok(secretValues({ type: 'headers', headers: { 'X-A': `a-${marker}`, 'X-B': 'b' } }).includes(`a-${marker}`));
  const values = secretValues({ type: 'api_key', in: 'header', name: 'x', value: 'a b' });
  t.same(values, ['a%20b', 'a b', 'a+b'], 'longest first');
});

t.test('redactSecrets', async (t) => {
  const creds = { type: 'basic', username: 'ada', password: marker } as const;
  const b64 = Buffer.from(`ada:${marker}`).toString('base64');
  const text = `sent Authorization: Basic ${b64} for ada with ${marker} twice ${marker}`;
  t.equal(redactSecrets(text, secretValues(creds)), 'sent Authorization: **** for ada with **** twice ****');
  t.equal(redactSecrets('nothing here', []), 'nothing here');
});

t.test('secretForms: every form an upstream may reflect a secret in', async (t) => {
  const value = `${marker}"\\/+= é`;
  const forms = secretForms([value]);
  const expected = [
    value,
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
    JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/'),
    JSON.stringify(value).slice(1, -1).replace('é', '\\u00e9'),
    JSON.stringify(value).slice(1, -1).replace('é', '\\u00E9'),
  ];
  for (const form of expected) t.ok(forms.includes(form), form);
  t.same(
    forms,
    [...forms].sort((a, b) => b.length - a.length),
    'longest first',
  );
  t.same(secretForms(['', 'x']), ['x'], 'empty values dropped, plain ones once');
  t.ok(
    secretValues({ type: 'basic', username: `sk_${marker}`, password: '' }).includes(`sk_${marker}`),
    'a username without a password is the key',
  );
  t.notOk(
    secretValues({ type: 'basic', username: 'ada', password: marker }).includes('ada'),
    'a username with a password is not masked alone',
  );
});
