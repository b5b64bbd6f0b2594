import t from 'tap';
import { randomBytes } from 'node:crypto';
import { createSessionTokens } from '../../../server/modules/session/session-token.js';

function tokens(now = { value: 1_700_000_000_000 }, keys = { signingKey: randomBytes(32), csrfKey: randomBytes(32) }) {
  return { now, keys, tokens: createSessionTokens({ ...keys, ttlMs: 60_000, now: () => now.value }) };
}

t.test('an issued value reads back until it expires', async (t) => {
  const { now, tokens: s } = tokens();
  const { session, value } = s.issue();
  t.match(value, /^v1\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/);
  t.same(s.read(value), session);
  now.value += 59_000;
  t.ok(s.read(value), 'still valid just before the end');
  now.value += 1_000;
  t.equal(s.read(value), undefined, 'expired');
});

t.test('forged, altered and foreign values are refused', async (t) => {
  const { tokens: s, now } = tokens();
  const { value } = s.issue();
  const [v, id, exp, mac] = value.split('.');
  t.equal(s.read(`${v}.${id}.${Number(exp) + 3600}.${mac}`), undefined, 'a longer expiry');
  t.equal(s.read(`${v}.${id.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${exp}.${mac}`), undefined, 'another session id');
  t.equal(s.read(`${v}.${id}.${exp}.${mac.slice(0, -2)}`), undefined, 'a cut signature');
  t.equal(s.read(`${v}.${id}.${exp}`), undefined);
  t.equal(s.read(''), undefined);
  t.equal(s.read(undefined), undefined);
  t.equal(s.read('x'.repeat(500)), undefined);
  t.equal(tokens(now).tokens.read(value), undefined, 'signed with another key');
});

t.test('the CSRF token belongs to one session', async (t) => {
  const { tokens: s } = tokens();
  const a = s.issue().session;
  const b = s.issue().session;
  const csrf = s.csrfTokenFor(a);
  t.ok(s.checkCsrf(a, csrf));
  t.notOk(s.checkCsrf(b, csrf), 'not valid for another session');
  t.notOk(s.checkCsrf(a, undefined));
  t.notOk(s.checkCsrf(a, ''));
  t.notOk(s.checkCsrf(a, csrf.slice(1)));
  t.equal(s.csrfTokenFor(a), csrf, 'stable for the session: a reload gets the same one');
});
