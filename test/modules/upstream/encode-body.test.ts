// Every body media type, read back from what a real server received.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { buildUpstreamRequest, createUpstreamClient } from '../../../server/modules/upstream/index.js';
import type { BodyBinding } from '../../../server/modules/specs/types.js';
import { parseMultipart, startRecordingServer, tool } from './fixtures/helpers.js';

const server = await startRecordingServer();
const client = createUpstreamClient({ timeoutMs: 5000 });
t.teardown(async () => {
  await client.close();
  await server.close();
});

async function sent(body: BodyBinding, args: Record<string, unknown>) {
  await client.send(buildUpstreamRequest(tool({ method: 'POST', body }), args, { baseUrl: server.origin, credentials: { type: 'none' } }));
  return server.requests.at(-1)!;
}

t.test('JSON and +json, with sanitized property names mapped back', async (t) => {
  const got = await sent(
    { arg: 'body', contentType: 'application/json', required: true, propertyNames: { first_name: 'first-name' } },
    { body: { first_name: 'Ada', age: 36, nested: { first_name: 'kept' } } },
  );
  t.equal(got.method, 'POST');
  t.equal(got.headers['content-type'], 'application/json');
  t.same(JSON.parse(got.body.toString()), { 'first-name': 'Ada', age: 36, nested: { first_name: 'kept' } }, 'top-level names only');
  t.equal(got.headers['content-length'], String(got.body.length));

  const merge = await sent({ arg: 'payload', contentType: 'application/merge-patch+json', required: false }, { payload: [1, 'two'] });
  t.equal(merge.headers['content-type'], 'application/merge-patch+json');
  t.equal(merge.body.toString(), '[1,"two"]');

  const none = await sent({ arg: 'body', contentType: 'application/json', required: false }, {});
  t.equal(none.body.length, 0, 'an optional body left out sends none');
  t.notOk(none.headers['content-type']);
});

t.test('application/x-www-form-urlencoded', async (t) => {
  const got = await sent(
    {
      arg: 'body',
      contentType: 'application/x-www-form-urlencoded',
      required: true,
      propertyNames: { grant_type_: 'grant-type' },
      encoding: { meta: { style: 'deepObject', explode: true }, data: { contentType: 'application/json' }, ids: { explode: false } },
    },
    { body: { grant_type_: 'client credentials', tags: ['a', 'b'], ids: [1, 2], meta: { k: 'v&w' }, data: { x: 1 }, skip: null } },
  );
  t.equal(got.headers['content-type'], 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(got.body.toString());
  t.equal(form.get('grant-type'), 'client credentials');
  t.same(form.getAll('tags'), ['a', 'b'], 'arrays explode by default');
  t.equal(form.get('ids'), '1,2');
  t.equal(form.get('meta[k]'), 'v&w');
  t.equal(form.get('data'), '{"x":1}');
  t.notOk(form.has('skip'));
});

t.test('multipart/form-data: fields, JSON parts, text and binary files', async (t) => {
  const bytes = randomBytes(300);
  const got = await sent(
    {
      arg: 'body',
      contentType: 'multipart/form-data',
      required: true,
      fileProperties: ['file', 'notes', 'pics'],
      propertyNames: { file_name: 'file-name' },
      encoding: { pics: { contentType: 'image/png' } },
    },
    {
      body: {
        file_name: 'report "q1"',
        count: 3,
        meta: { a: [1] },
        file: { filename: 'blob.bin', contentType: 'application/x-thing', base64: bytes.toString('base64') },
        notes: 'plain text file',
        pics: [
          { base64: bytes.subarray(0, 10).toString('base64') },
          { filename: 'b.png', base64: `data:image/png;base64,${bytes.subarray(10, 20).toString('base64')}` },
        ],
      },
    },
  );
  const type = got.headers['content-type']!;
  t.match(type, /^multipart\/form-data; boundary=----LatchkeyBoundary[0-9a-f]{48}$/);
  const parts = parseMultipart(got.body, type);
  t.same(
    parts.map((p) => [p.name, p.filename, p.headers['content-type']]),
    [
      ['file-name', undefined, undefined],
      ['count', undefined, undefined],
      ['meta', undefined, 'application/json'],
      ['file', 'blob.bin', 'application/x-thing'],
      ['notes', 'notes', 'text/plain; charset=utf-8'],
      ['pics', 'pics', 'image/png'],
      ['pics', 'b.png', 'image/png'],
    ],
  );
  t.equal(parts[0].body.toString(), 'report "q1"');
  t.equal(parts[1].body.toString(), '3');
  t.equal(parts[2].body.toString(), '{"a":[1]}');
  t.ok(parts[3].body.equals(bytes), 'file bytes arrive intact');
  t.equal(parts[4].body.toString(), 'plain text file');
  t.ok(parts[5].body.equals(bytes.subarray(0, 10)));
  t.ok(parts[6].body.equals(bytes.subarray(10, 20)), 'a data: URL prefix is stripped');

  const bad = () =>
    buildUpstreamRequest(
      tool({ method: 'POST', body: { arg: 'body', contentType: 'multipart/form-data', required: true, fileProperties: ['file'] } }),
      { body: { file: { base64: 'not base64!' } } },
      { baseUrl: server.origin, credentials: { type: 'none' } },
    );
  t.throws(bad, { code: 'LK_INVALID_ARGUMENT', message: /base64/ });
});

t.test("multipart: a line break in a file's contentType cannot add part headers; names and filenames stay quoted", async (t) => {
  const binding: BodyBinding = { arg: 'body', contentType: 'multipart/form-data', required: true, fileProperties: ['file'] };
  const base64 = Buffer.from('data').toString('base64');
  for (const contentType of [
    'text/plain\r\nContent-Disposition: form-data; name="admin"',
    'text/plain\nX-Injected: 1',
    'text/plain\r',
    'text/\u0000plain',
  ]) {
    const build = () =>
      buildUpstreamRequest(
        tool({ method: 'POST', body: binding }),
        { body: { file: { contentType, base64 } } },
        { baseUrl: server.origin, credentials: { type: 'none' } },
      );
    t.throws(build, { code: 'LK_INVALID_ARGUMENT', message: /content type of "file" contains line breaks/ }, JSON.stringify(contentType));
  }
  const before = server.requests.length;
  const got = await sent(binding, {
    body: {
      file: { filename: 'a"; name="admin\r\nContent-Type: text/html\\', contentType: 'image/png', base64 },
      'field\\': 'x',
    },
  });
  t.equal(server.requests.length, before + 1);
  const parts = parseMultipart(got.body, got.headers['content-type']!);
  t.equal(parts.length, 2, 'two parts, no more');
  t.same(Object.keys(parts[0].headers).sort(), ['content-disposition', 'content-type'], 'no header added');
  t.equal(parts[0].name, 'file', 'the field keeps its name');
  t.equal(parts[0].filename, 'a%22; name=%22admin%0D%0AContent-Type: text/html%5C', 'quotes, line breaks and backslashes percent-encoded');
  t.equal(parts[0].headers['content-type'], 'image/png');
  t.equal(parts[1].name, 'field%5C', 'a trailing backslash cannot escape the closing quote');
});

t.test('text/plain, XML and application/octet-stream', async (t) => {
  const text = await sent({ arg: 'body', contentType: 'text/plain', required: true }, { body: 'héllo\nworld' });
  t.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
  t.equal(text.body.toString('utf8'), 'héllo\nworld');

  const xml = await sent({ arg: 'body', contentType: 'application/xml', required: true }, { body: '<a>1</a>' });
  t.equal(xml.headers['content-type'], 'application/xml');
  t.equal(xml.body.toString(), '<a>1</a>');

  const bytes = randomBytes(1000);
  const octets = await sent({ arg: 'body', contentType: 'application/octet-stream', required: true }, { body: bytes.toString('base64') });
  t.equal(octets.headers['content-type'], 'application/octet-stream');
  t.ok(octets.body.equals(bytes), 'base64 decoded to the exact bytes');

  const png = await sent({ arg: 'body', contentType: 'image/png', required: true }, { body: bytes.toString('base64url') });
  t.ok(png.body.equals(bytes), 'base64url accepted too');
});
