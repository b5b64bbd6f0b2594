import t from 'tap';
import {
  credentialBinding,
  heldMessage,
  originOf,
  originRefusal,
  parseAllowedOrigins,
} from '../../../server/modules/credentials/credential-origin.js';

t.test('originOf: scheme, host and port of an http(s) URL, nothing else', async (t) => {
  t.equal(originOf('https://api.example.com/v1?x=1'), 'https://api.example.com');
  t.equal(originOf('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  t.equal(originOf('https://API.Example.com:443/v1'), 'https://api.example.com', 'normalised: case, default port');
  t.equal(originOf('https://u:p@api.example.com/'), 'https://api.example.com', 'no userinfo');
  t.equal(originOf('ftp://files.example.com'), undefined);
  t.equal(originOf('/relative'), undefined);
  t.equal(originOf(null), undefined);
  t.equal(originOf(undefined), undefined);
});

t.test('parseAllowedOrigins: origins only, normalised, without repeats', async (t) => {
  t.same(parseAllowedOrigins(['https://uploads.example.com', 'https://uploads.example.com/', 'HTTP://127.0.0.1:9000']), [
    'https://uploads.example.com',
    'http://127.0.0.1:9000',
  ]);
  t.same(parseAllowedOrigins([]), []);
  const refused = (value: string) => {
    try {
      parseAllowedOrigins([value]);
    } catch (err) {
      return err as Error & { statusCode: number };
    }
    throw new Error(`${value} was accepted`);
  };
  for (const bad of [
    'https://x.example.com/path',
    'https://x.example.com?q=1',
    'https://x.example.com#f',
    'ftp://x.example.com',
    'x.example.com',
    '',
  ]) {
    const err = refused(bad);
    t.equal(err.statusCode, 400, bad);
    t.match(err.message, /"allowedOrigins" entries must be origins such as "https:\/\/uploads\.example\.com"/, bad);
  }
  const withPassword = refused('https://user:hunter2secret@x.example.com');
  t.match(withPassword.message, 'without credentials');
  t.notMatch(withPassword.message, 'hunter2secret', 'a password is not echoed');
  t.notMatch(refused('https://x.example.com/?key=sk_live_0123').message, 'sk_live_0123', 'an entry is not quoted');
  t.match(refused('https://x.example.com/v1').message, 'for entry 1, that is "https://x.example.com"');
  t.throws(() => parseAllowedOrigins(Array.from({ length: 51 }, (_, i) => `https://h${i}.example.com`)), /at most 50/);
});

t.test('credentialBinding', async (t) => {
  const api = 'https://api.example.com/v1';
  t.same(
    credentialBinding({ type: 'api_key', savedOrigin: 'https://api.example.com', specBaseUrl: api }),
    { origin: 'https://api.example.com', held: false },
    'same origin',
  );
  t.same(
    credentialBinding({ type: 'api_key', savedOrigin: null, specBaseUrl: api }),
    { origin: 'https://api.example.com', held: false },
    'a row from before origins were recorded: the current origin',
  );
  t.same(
    credentialBinding({ type: 'bearer', savedOrigin: 'https://api.example.com', specBaseUrl: 'https://other.example.net/v1' }),
    { origin: 'https://api.example.com', held: true, movedTo: 'https://other.example.net' },
    'the spec moved: held',
  );
  t.same(
    credentialBinding({
      type: 'bearer',
      savedOrigin: 'https://api.example.com',
      baseUrlOverride: 'https://staging.example.com',
      specBaseUrl: 'https://other.example.net',
    }),
    { origin: 'https://staging.example.com', held: false },
    "an admin base URL is the admin's choice: it wins",
  );
  t.same(
    credentialBinding({ type: 'none', savedOrigin: 'https://api.example.com', specBaseUrl: 'https://other.example.net' }).held,
    false,
    'nothing to hold',
  );
  t.same(
    credentialBinding({ savedOrigin: undefined, specBaseUrl: 'https://other.example.net' }),
    { origin: 'https://other.example.net', held: false },
    'no credentials saved',
  );
  t.same(credentialBinding({ type: 'api_key', savedOrigin: null }), { origin: null, held: false }, 'no base URL at all');
});

t.test('messages say what happened and what to do', async (t) => {
  const held = heldMessage('https://a.example.com', 'https://b.example.com', 'test');
  t.match(held, "The API's address changed from https://a.example.com to https://b.example.com");
  t.match(held, 'POST /api/workspaces/:id/auth/confirm?environment=test');
  const refusal = originRefusal('listUsers', 'https://b.example.com', 'https://a.example.com');
  t.match(
    refusal,
    'Tool "listUsers" calls https://b.example.com, which is neither the base URL\'s origin (https://a.example.com) nor an origin the admin allowed',
  );
  t.match(refusal, 'PATCH /api/workspaces/:id {"allowedOrigins": ["https://b.example.com"]}');
  t.match(originRefusal('x', 'https://b.example.com', undefined), 'the base URL (none is set)');
});
