// Access keys on their own (issue #14's unit tests): a key checked by its hash (unknown, revoked,
// expired), where a key is read from, what a key's view of a runtime holds, and which of the
// caller's headers passthrough is offered.
import t from 'tap';
import {
  checkAccessKey,
  forwardedHeaders,
  hashAccessKey,
  presentedKey,
  viewForKey,
  type KeyGrant,
} from '../../../server/modules/mcp/access.js';
import { buildWorkspaceRuntime } from '../../../server/modules/mcp/index.js';
import { tool } from '../upstream/fixtures/helpers.js';

const grant = (key: string, extra: Partial<KeyGrant> = {}): KeyGrant => ({
  id: `k_${key}`,
  label: key,
  scope: 'write',
  environment: 'live',
  hash: hashAccessKey(key),
  ...extra,
});

t.test('checkAccessKey: found by hash; unknown, revoked (gone from the map) and expired refused with a reason', async (t) => {
  const now = Date.UTC(2026, 11, 5);
  const keys = new Map(
    [grant('lk_good'), grant('lk_old', { expiresAt: now - 1 }), grant('lk_later', { expiresAt: now + 60_000 })].map((g) => [g.hash, g]),
  );
  t.match(checkAccessKey(keys, 'lk_good', now), { ok: true, grant: { id: 'k_lk_good' } });
  t.match(checkAccessKey(keys, 'lk_later', now), { ok: true }, 'not expired yet');
  t.same(checkAccessKey(keys, 'lk_old', now), { ok: false, reason: 'The access key has expired.' });
  t.same(checkAccessKey(keys, 'lk_revoked', now), {
    ok: false,
    reason: 'The access key is not valid for this workspace (unknown or revoked).',
  });
  t.match(checkAccessKey(keys, undefined, now), { ok: false, reason: /requires an access key: send "X-Latchkey-Key: <key>"/ });
  t.match(checkAccessKey(keys, '', now), { ok: false }, 'an empty key is no key');
});

t.test('presentedKey: X-Latchkey-Key first, then a Bearer lk_ token; other bearer tokens are left to passthrough', async (t) => {
  t.same(presentedKey({ 'x-latchkey-key': ' lk_a ', authorization: 'Bearer lk_b' }), { key: 'lk_a', fromAuthorization: false });
  t.same(presentedKey({ authorization: 'bearer lk_b' }), { key: 'lk_b', fromAuthorization: true }, 'the scheme in any case');
  t.same(presentedKey({ authorization: 'Bearer upstream-token' }), { fromAuthorization: false });
  t.same(presentedKey({ 'x-latchkey-key': ['lk_a', 'lk_b'] }), { fromAuthorization: false }, 'a repeated header is not a key');
  t.same(presentedKey({}), { fromAuthorization: false });
});

t.test('viewForKey: a read key sees read tools; named tools narrow further; built once per key', async (t) => {
  const read = tool({ name: 'listItems' });
  const write = tool({
    name: 'deleteItem',
    method: 'DELETE',
    annotations: { title: 'Delete', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  });
  const other = tool({ name: 'getItem' });
  const runtime = buildWorkspaceRuntime({
    workspaceId: 'ws',
    name: 'ws',
    environment: 'live',
    baseUrl: 'https://api.example.com',
    credentials: { type: 'none' },
    tools: [read, write, other].map((definition) => ({ definition, enabled: true })),
  });
  const reader = grant('lk_r', { scope: 'read' });
  const view = viewForKey(runtime, reader);
  t.same([...view.tools.keys()], ['listItems', 'getItem']);
  t.same(
    view.listResult.tools.map((x) => x.name),
    ['listItems', 'getItem'],
  );
  t.equal(view.refusal('deleteItem'), 'Tool "deleteItem" is not available to this access key (scope read).');
  t.equal(view.refusal('nope'), 'Unknown tool "nope".');
  t.equal(viewForKey(runtime, reader), view, 'cached per key and runtime');
  const narrow = viewForKey(runtime, grant('lk_n', { tools: ['deleteItem'] }));
  t.same([...narrow.tools.keys()], ['deleteItem'], 'a write key limited to named tools');
  t.match(narrow.refusal('listItems'), /limited to named tools/);
});

t.test('forwardedHeaders: the caller headers passthrough is offered', async (t) => {
  const headers = {
    authorization: 'Bearer upstream',
    'x-api-key': 'k',
    'x-latchkey-key': 'lk_x',
    host: 'gw',
    'content-length': '10',
    'x-http-method-override': 'DELETE',
    'x-multi': ['a', 'b'],
    'x-none': undefined,
  };
  const out = forwardedHeaders(headers, false);
  t.equal(out.authorization, 'Bearer upstream');
  t.equal(out['x-api-key'], 'k');
  t.equal(out['x-http-method-override'], 'DELETE', 'kept, so the call can be refused with the reason');
  t.equal(out['x-multi'], 'a, b');
  for (const dropped of ['x-latchkey-key', 'host', 'content-length', 'x-none']) t.notOk(dropped in out, `${dropped} is not offered`);
  t.notOk('authorization' in forwardedHeaders(headers, true), 'Authorization that carried the Latchkey key stays here');
});
