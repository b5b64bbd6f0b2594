import t from 'tap';
import { importSpec } from '../../../server/modules/specs/index.js';
import { assignToolNames, baseToolName, TOOL_NAME } from '../../../server/modules/specs/tool-names.js';
import { ok, openapi } from './fixtures/helpers.js';

t.test('a valid operationId is the name', async (t) => {
  t.equal(baseToolName({ method: 'GET', path: '/x', operationId: 'listItems' }).name, 'listItems');
  t.equal(baseToolName({ method: 'GET', path: '/x', operationId: 'list-items_2' }).name, 'list-items_2');
});

t.test('an invalid operationId is sanitised readably', async (t) => {
  t.equal(baseToolName({ method: 'GET', path: '/x', operationId: 'repos/list-for-org' }).name, 'repos_list-for-org');
  t.equal(baseToolName({ method: 'GET', path: '/x', operationId: 'Items.Get  (by id)' }).name, 'Items_Get_by_id');
  t.equal(
    baseToolName({ method: 'GET', path: '/api/items/{id}', operationId: '...' }).name,
    'get_api_items_id',
    'nothing left: method + path',
  );
});

t.test('without an operationId the name is method + path', async (t) => {
  t.equal(baseToolName({ method: 'GET', path: '/api/items/{id}' }).name, 'get_api_items_id');
  t.equal(baseToolName({ method: 'DELETE', path: '/api/items/{id}/tags/{tag}' }).name, 'delete_api_items_id_tags_tag');
  t.equal(baseToolName({ method: 'POST', path: '/' }).name, 'post');
});

t.test('long names are shortened to 64 with a hash suffix, deterministically', async (t) => {
  const long = `${'veryLongOperationName'.repeat(5)}`;
  const a = baseToolName({ method: 'GET', path: '/x', operationId: long }).name;
  t.ok(a.length <= 64, a);
  t.match(a, TOOL_NAME);
  t.match(a, /^veryLongOperationName.*_[0-9a-f]{6}$/);
  t.equal(baseToolName({ method: 'GET', path: '/x', operationId: long }).name, a, 'same input, same name');
  const other = baseToolName({ method: 'GET', path: '/x', operationId: `${long}2` }).name;
  t.not(other, a, 'a different long id gets a different name');
  const fromPath = baseToolName({ method: 'GET', path: `/${'segment/'.repeat(20)}{id}` }).name;
  t.ok(fromPath.length <= 64 && TOOL_NAME.test(fromPath), fromPath);
});

t.test('collisions get hash suffixes that do not depend on order', async (t) => {
  const requests = [
    { method: 'GET' as const, path: '/a/b', operationId: 'a/b' },
    { method: 'GET' as const, path: '/a.b', operationId: 'a.b' },
    { method: 'GET' as const, path: '/c', operationId: 'a_b' },
  ];
  const names = assignToolNames(requests);
  t.equal(new Set(names).size, 3, 'unique');
  t.equal(names[2], 'a_b', 'the exact operationId keeps the plain name');
  t.match(names[0], /^a_b_[0-9a-f]{6}$/);
  const reversed = assignToolNames([...requests].reverse()).reverse();
  t.same(reversed, names, 'order does not matter');
});

t.test('a name held before is kept on re-upload', async (t) => {
  const first = assignToolNames([{ method: 'GET', path: '/items' }]);
  t.same(first, ['get_items']);
  // A new operation that sanitises to the same name appears: the old one keeps its name.
  const previous = [{ name: 'get_items', method: 'GET', path: '/items' }] as never[];
  const second = assignToolNames(
    [
      { method: 'GET', path: '/items' },
      { method: 'GET', path: '/items/', operationId: 'get_items!' },
    ],
    previous,
  );
  t.equal(second[0], 'get_items');
  t.match(second[1], /^get_items_[0-9a-f]{6}$/);
});

t.test('names through importSpec: unique, valid, stable across runs', async (t) => {
  const doc = openapi({
    '/items': { get: { operationId: 'listItems', responses: ok }, post: { responses: ok } },
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'items/get', responses: ok },
      delete: { operationId: 'items.get', responses: ok },
    },
  });
  const a = await importSpec(doc);
  const b = await importSpec(structuredClone(doc));
  const names = a.tools.map((tool) => tool.name);
  t.same(
    names,
    b.tools.map((tool) => tool.name),
  );
  t.equal(new Set(names).size, names.length);
  for (const name of names) t.match(name, TOOL_NAME);
  t.equal(names[0], 'listItems');
  t.equal(names[1], 'post_items');
  t.match(names[2], /^items_get_[0-9a-f]{6}$/);
  t.same(
    a.tools.map((tool) => tool.fingerprint),
    b.tools.map((tool) => tool.fingerprint),
    'fingerprints are stable',
  );
});

t.test('a name budget: names fit it, with a hash for those shortened; fitting names are untouched', async (t) => {
  const requests = [
    { method: 'GET' as const, path: '/a', operationId: 'short' },
    { method: 'GET' as const, path: '/b', operationId: 'repos_list_deployment_branch_policies_for_environment' },
    { method: 'GET' as const, path: '/c', operationId: 'repos_list_deployment_branch_policies_for_environments' },
  ];
  const names = assignToolNames(requests, [], 32);
  t.equal(names[0], 'short');
  t.ok(
    names.every((name) => name.length <= 32 && TOOL_NAME.test(name)),
    names.join(', '),
  );
  t.match(names[1], /^repos_list_deployment_bra\w*_[a-z0-9]{6}$/, 'shortened readably, with a hash');
  t.not(names[1], names[2], 'two names that meet once shortened stay apart');
  t.same(assignToolNames(requests, [], 32), names, 'deterministic');
  t.ok(
    assignToolNames(requests, [], 5).every((name) => name.length <= 24),
    'a budget below 24 counts as 24',
  );
  t.same(assignToolNames(requests, [], 64)[1], 'repos_list_deployment_branch_policies_for_environment', 'at 64 nothing changes');
});
