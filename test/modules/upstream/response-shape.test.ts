// Responses sized for a model: the response_filter (JMESPath) and the budget cut, alone and
// through toToolResult, where the text and structuredContent must stay one and the same value.
import t from 'tap';
import { applyFilter, compileFilter, pagingArguments, shapeValue } from '../../../server/modules/upstream/response-shape.js';
import { toToolResult } from '../../../server/modules/upstream/tool-result.js';
import type { UpstreamResponse } from '../../../server/modules/upstream/types.js';

function response(type: string, body: string, status = 200): UpstreamResponse {
  return { status, statusText: 'OK', headers: { 'content-type': type }, body: Buffer.from(body), truncated: false, durationMs: 1 };
}

const jsonResponse = (value: unknown, status = 200) => response('application/json', JSON.stringify(value), status);

const texts = (result: { content: unknown[] }) => (result.content as { type: string; text: string }[]).map((c) => c.text);

t.test('a filter keeps what it names; a bad one is refused with the reason before anything is sent', async (t) => {
  const repos = {
    total: 2,
    items: [
      { id: 1, name: 'a', owner: { login: 'x' } },
      { id: 2, name: 'b', owner: { login: 'y' } },
    ],
  };
  t.same(applyFilter(repos, 'items[].{id: id, login: owner.login}'), [
    { id: 1, login: 'x' },
    { id: 2, login: 'y' },
  ]);
  t.equal(applyFilter(repos, 'length(items)'), 2);
  const bad = compileFilter('items[.id');
  t.ok('problem' in bad);
  t.match(
    (bad as { problem: string }).problem,
    /"response_filter" is not a valid JMESPath expression \(.+\)\. Nothing was sent to the API\./,
  );
  t.match((compileFilter('a'.repeat(3000)) as { problem: string }).problem, /longer than 2000 characters/);
  t.throws(
    () => applyFilter(repos, 'length(total)'),
    { name: 'FilterFailed', code: 'LK_FILTER_FAILED' },
    'a function given the wrong type',
  );
  const once = compileFilter('items[0]') as { ast: unknown };
  t.equal((compileFilter('items[0]') as { ast: unknown }).ast, once.ast, 'parsed once, then reused');
});

t.test('a 5 MB array is cut to the budget as valid JSON, with a note on what was left out and how to page', async (t) => {
  const items = Array.from({ length: 40_000 }, (_, i) => ({ id: i, title: `Item number ${i}`, body: 'x'.repeat(90) }));
  const body = JSON.stringify({ total_count: items.length, items });
  t.ok(body.length > 5_000_000, `${(body.length / 1e6).toFixed(1)} MB`);
  const budgetChars = 100_000;
  const result = toToolResult(response('application/json', body), {
    maxResponseBytes: 8 << 20,
    shape: { budgetChars, pagingArgs: ['page', 'per_page'] },
  });
  const [json, note] = texts(result);
  t.ok(json.length <= budgetChars, `${json.length} characters, within the budget`);
  t.ok(json.length > budgetChars * 0.95, 'and using most of it');
  const parsed = JSON.parse(json) as { total_count: number; items: unknown[] };
  t.equal(parsed.total_count, 40_000, 'what is not an array stays whole');
  t.same(parsed.items[0], items[0], 'items are kept whole, from the head');
  t.same(result.structuredContent, parsed, 'structuredContent is the very value the text shows');
  t.match(
    note,
    new RegExp(
      `^\\[Response cut to fit this workspace's response budget of about 25,000 tokens: "items" shows ${parsed.items.length.toLocaleString('en-US')} of 40,000 items \\(${(40_000 - parsed.items.length).toLocaleString('en-US')} left out\\)\\. To see the rest, page with the tool's "page" and "per_page" arguments, or keep only the fields you need with "response_filter" \\(a JMESPath expression, e\\.g\\. "items\\[\\]\\.\\{id: id, title: title, body: body\\}"\\)\\.\\]$`,
    ),
  );
});

t.test('a top-level array, nested arrays, and long strings', async (t) => {
  const list = Array.from({ length: 1000 }, (_, i) => ({ id: i, tags: Array.from({ length: 50 }, (_, j) => `tag-${j}`) }));
  const shaped = shapeValue(structuredClone(list), { budgetChars: 20_000 }, JSON.stringify(list).length);
  t.ok(JSON.stringify(shaped.value).length <= 20_000);
  t.match(shaped.note, /the list shows \d+ of 1,000 items/);
  t.match(shaped.note, /e\.g\. "\[\]\.\{id: id, tags: tags\}"/);

  // One item alone above the budget: the cut goes inside it.
  const one = [{ id: 1, events: Array.from({ length: 5000 }, (_, i) => ({ n: i })) }];
  const inside = shapeValue(structuredClone(one), { budgetChars: 5_000 }, JSON.stringify(one).length);
  t.ok(JSON.stringify(inside.value).length <= 5_000);
  t.match(inside.note, /"\[0\]\.events" shows \d+ of 5,000 items/);

  const text = { readme: 'word '.repeat(50_000) };
  const cut = shapeValue(structuredClone(text), { budgetChars: 10_000 }, JSON.stringify(text).length);
  t.ok(JSON.stringify(cut.value).length <= 10_000);
  t.match((cut.value as { readme: string }).readme, /… \[\d{3},\d{3} characters cut\]$/);
  t.match(cut.note, /1 long text value was shortened/);

  const small = { a: [1, 2, 3] };
  t.same(shapeValue(small, { budgetChars: 1000 }, 20), { value: small, changed: false }, 'within the budget: untouched');
  t.same(shapeValue(list, { budgetChars: 0 }, 1e9).changed, false, 'budget 0: no budget');
});

t.test('through toToolResult: filtered answers, filters that fail, and non-JSON answers', async (t) => {
  const value = {
    items: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ],
  };
  const filtered = toToolResult(jsonResponse(value), {
    maxResponseBytes: 1 << 20,
    shape: { filter: 'items[].name', budgetChars: 100_000 },
  });
  t.same(JSON.parse(texts(filtered)[0]), ['a', 'b']);
  t.equal(filtered.structuredContent, undefined, 'an array is not structuredContent');
  const object = toToolResult(jsonResponse(value), {
    maxResponseBytes: 1 << 20,
    shape: { filter: '{first: items[0].name}', budgetChars: 100_000 },
  });
  t.same(object.structuredContent, { first: 'a' });
  t.same(JSON.parse(texts(object)[0]), object.structuredContent);
  const none = toToolResult(jsonResponse(value), { maxResponseBytes: 1 << 20, shape: { filter: 'nothing.here', budgetChars: 100_000 } });
  t.same(texts(none), ['null', '[The "response_filter" expression matched nothing in the response.]']);

  const failed = toToolResult(jsonResponse(value, 201), {
    maxResponseBytes: 1 << 20,
    shape: { filter: 'length(items[0].id)', budgetChars: 100_000 },
  });
  t.equal(failed.isError, true);
  t.match(
    texts(failed)[0],
    /^The API answered 201 OK, but "response_filter" could not be applied to the response: .*length\(\).*The call took effect/,
  );

  const csv = toToolResult(response('text/csv', 'a,b\n1,2\n'), { maxResponseBytes: 1 << 20, shape: { filter: 'a', budgetChars: 100_000 } });
  t.match(texts(csv)[0], /^a,b\n1,2\n\n\n\[The response is text\/csv, not JSON: "response_filter" applies to JSON only/);
  const longText = toToolResult(response('text/plain', 'line of text\n'.repeat(10_000)), {
    maxResponseBytes: 1 << 20,
    shape: { budgetChars: 4_000 },
  });
  t.ok(texts(longText)[0].length < 4_400);
  t.match(
    texts(longText)[0],
    /line of text\n\n\[Response cut to fit this workspace's response budget of about 1,000 tokens: showed 3,9\d\d of 130,000 characters/,
  );

  const errorBody = toToolResult(jsonResponse({ message: 'x'.repeat(50_000) }, 500), {
    maxResponseBytes: 1 << 20,
    shape: { filter: 'message', budgetChars: 4_000 },
  });
  t.equal(errorBody.isError, true, 'an error answer is not filtered: the model needs its words');
  t.match(texts(errorBody)[0], /^Upstream answered 500/);
});

t.test('paging arguments are found among query parameters', async (t) => {
  const param = (name: string, at = 'query') => ({ arg: name.replace('$', '_'), name, in: at });
  t.same(pagingArguments([param('owner', 'path'), param('per_page'), param('page'), param('state')]), ['per_page', 'page']);
  t.same(pagingArguments([param('$top'), param('$skip'), param('cursor', 'header')]), ['_top', '_skip']);
  t.same(pagingArguments([param('limit'), param('starting_after'), param('pageToken'), param('maxResults')]), [
    'limit',
    'starting_after',
    'pageToken',
    'maxResults',
  ]);
});
