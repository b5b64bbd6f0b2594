import t from 'tap';
import { base32, hashUrlToken, looksLikeUrlToken, newUrlToken, slugify } from '../../../server/modules/workspaces/url-token.js';

t.test('base32 (RFC 4648, lower case, no padding)', async (t) => {
  t.equal(base32(Buffer.from('')), '');
  t.equal(base32(Buffer.from('f')), 'my');
  t.equal(base32(Buffer.from('foobar')), 'mzxw6ytboi');
});

t.test('tokens carry the slug and at least 128 random bits', async (t) => {
  const token = newUrlToken('my-api');
  t.match(token, /^my-api-[a-z2-7]{32}$/);
  t.ok(looksLikeUrlToken(token));
  t.not(newUrlToken('my-api'), token);
  t.equal(hashUrlToken(token).length, 64);
  t.notOk(looksLikeUrlToken('../etc/passwd'));
});

t.test('slugs', async (t) => {
  t.equal(slugify('My Petstore API!'), 'my-petstore-api');
  t.equal(slugify('Crème brûlée'), 'creme-brulee');
  t.equal(slugify('***'), 'workspace');
  t.ok(slugify('x'.repeat(100)).length <= 32);
});
