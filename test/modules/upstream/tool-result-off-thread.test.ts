// Large upstream answers are shaped into tool results on the result thread: byte for byte what
// the main thread would build, masking included, on a thread that yields the CPU to the event loop.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import {
  secretValues,
  serializeToolResult,
  serializeToolResultOffThread,
  type UpstreamResponse,
} from '../../../server/modules/upstream/index.js';

const SECRET = 'sk_live_4f9a8b7c6d5e';
const opts = { maxResponseBytes: 1024 * 1024, secrets: secretValues({ type: 'bearer', token: SECRET }) };

function response(status: number, contentType: string, body: Buffer | string, extra: Partial<UpstreamResponse> = {}): UpstreamResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    status,
    statusText: status === 200 ? 'OK' : 'Not Found',
    headers: { 'content-type': contentType },
    body: bytes,
    truncated: false,
    totalBytes: bytes.length,
    durationMs: 1,
    ...extra,
  };
}

const items = Array.from({ length: 3_000 }, (_, i) => ({
  id: i,
  name: `item-${i}`,
  note: i === 2_999 ? `echo: Bearer ${SECRET}` : 'é ✓',
  big: 12345678901234567000,
}));
const bigJson = JSON.stringify({ items }).replace('12345678901234567000', '12345678901234567890');

const cases: [string, UpstreamResponse][] = [
  ['a large JSON object, a secret echoed in it', response(200, 'application/json', bigJson)],
  ['a large JSON array', response(200, 'application/json', JSON.stringify(items))],
  ['large text', response(200, 'text/plain; charset=utf-8', `${'line ✓\n'.repeat(20_000)}${SECRET}`)],
  ['a large error body', response(404, 'application/json', bigJson)],
  ['a truncated body', response(200, 'application/json', bigJson.slice(0, 100_000), { truncated: true, totalBytes: bigJson.length })],
  ['bytes', response(200, 'image/png', Buffer.concat([Buffer.alloc(100_000, 7), Buffer.from(SECRET)]))],
  ['windows-1252 text', response(200, 'text/plain; charset=windows-1252', Buffer.alloc(100_000, 0x80))],
];

t.test('the same result, byte for byte, as built on the main thread', async (t) => {
  for (const [name, res] of cases) {
    const here = serializeToolResult(res, opts, 2049);
    const there = await serializeToolResultOffThread({ ...res, body: Buffer.from(res.body) }, opts, 2049);
    t.ok(Buffer.isBuffer(there.json), `${name}: bytes the answer takes as they are`);
    t.ok(Buffer.from(here.json).equals(there.json), `${name}: same JSON`);
    t.same(
      { isError: there.isError, excerpt: there.excerpt },
      { isError: here.isError, excerpt: here.excerpt },
      `${name}: same outcome and excerpt`,
    );
    t.notOk(there.json.toString('utf8').includes(SECRET), `${name}: the secret is masked`);
  }
});

t.test('the body is handed to the thread, not copied; a body that is part of a larger allocation is copied first', async (t) => {
  const own = { ...cases[0][1], body: Buffer.from(bigJson) };
  const handed = await serializeToolResultOffThread(own, opts, 20);
  t.equal(own.body.length, 0, "transferred: the caller's body is empty afterwards");
  t.equal(handed.excerpt, '{"items":[{"id":0,"n');
  const pool = Buffer.from(`xxxx${bigJson}yyyy`);
  const view = { ...cases[0][1], body: pool.subarray(4, pool.length - 4) };
  const copied = await serializeToolResultOffThread(view, opts, 20);
  t.equal(view.body.length, Buffer.byteLength(bigJson), 'a view into a larger allocation is left as it was');
  t.ok(copied.json.equals(handed.json), 'and gives the same result');
});

t.test('answers arrive for many results at once, each to its own caller', async (t) => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      serializeToolResultOffThread(response(200, 'text/plain', Buffer.from(`${i}:${'x'.repeat(70_000)}`)), opts, 10),
    ),
  );
  t.same(
    results.map((r) => r.excerpt),
    Array.from({ length: 20 }, (_, i) => `${i}:xxxxxxxx`.slice(0, 10)),
  );
});

/** Nice values of this process's threads, from /proc (Linux). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After "pid (comm)": state is field 3, nice field 19.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

t.test(
  "the result thread runs below the event loop's priority",
  { skip: process.platform !== 'linux' && 'nice values per thread are a Linux feature' },
  async (t) => {
    await serializeToolResultOffThread({ ...cases[0][1], body: Buffer.from(bigJson) }, opts, 10);
    const nice = threadNiceValues();
    t.equal(nice[0], 0, 'the main thread keeps its priority');
    t.ok(nice.includes(10), `one thread at nice 10 (threads: ${nice.join(' ')})`);
  },
);

t.test('a typed tool on the result thread: the same structuredContent, checked against its outputSchema there', async (t) => {
  const output = {
    id: 'typed-items',
    schema: {
      type: 'object',
      properties: { items: { type: ['array', 'null'], items: { type: ['object', 'null'] } }, _result: {} },
    },
  };
  const wrongShape = { id: 'typed-count', schema: { type: 'object', properties: { items: { type: ['string', 'null'] }, _result: {} } } };
  for (const [name, out, wrapped] of [
    ['conforming', output, false],
    ['not conforming', wrongShape, true],
  ] as const) {
    const res = cases[0][1];
    const typed = { ...opts, output: out };
    const here = serializeToolResult(res, typed, 100);
    const there = await serializeToolResultOffThread({ ...res, body: Buffer.from(res.body) }, typed, 100);
    t.ok(Buffer.from(here.json).equals(there.json), `${name}: same JSON on both threads`);
    const structured = JSON.parse(there.json.toString('utf8')).structuredContent;
    t.equal('_result' in structured, wrapped, `${name}: ${wrapped ? 'carried under _result' : 'the object itself'}`);
    t.equal((wrapped ? structured._result : structured).items.length, 3_000);
  }
});
