// The /mcp body reader: Fastify's limits (bytes, Content-Length) and the width scan, applied while
// the body arrives, on real streams.
import t from 'tap';
import { PassThrough, Readable } from 'node:stream';
import { readJsonBody, type BodyOutcome } from '../../../server/modules/mcp/read-json-body.js';

function read(
  chunks: (string | Buffer)[],
  bounds: { limit?: number; maxWidth?: number; maxValues?: number; contentLength?: string } = {},
): Promise<{ outcome: BodyOutcome; stream: Readable }> {
  const stream = Readable.from(
    chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)),
    { objectMode: false },
  );
  return new Promise((resolve) =>
    readJsonBody(stream, { limit: 1024, maxWidth: 5, maxValues: 1_000, ...bounds }, (outcome) => resolve({ outcome, stream })),
  );
}

t.test('a body in pieces is decoded once, multi-byte characters split between chunks intact', async (t) => {
  const bytes = Buffer.from('{"q":"héllo ✓"}');
  const { outcome } = await read([bytes.subarray(0, 8), bytes.subarray(8, 14), bytes.subarray(14)], {
    contentLength: String(bytes.length),
  });
  t.same(outcome, { body: '{"q":"héllo ✓"}' });
});

t.test('refusals', async (t) => {
  t.same(
    (await read(['{}'], { contentLength: '5000' })).outcome,
    { refused: 'too-large' },
    'a declared length over the limit, before reading',
  );
  t.same((await read(['[', '1,'.repeat(600), '1]'])).outcome, { refused: 'too-large' }, 'more bytes than the limit, without a length');
  t.same((await read(['{"a":1}'], { contentLength: '9' })).outcome, { refused: 'length-mismatch' });
  t.same((await read(['[1,2,3,', '4,5,6]'])).outcome, { refused: 'too-wide' });
  t.same((await read(['[[1,2],[3,4],', '[5,6]]'], { maxValues: 8 })).outcome, { refused: 'too-many-values' });
});

t.test('a body too wide is refused at the chunk that shows it: the rest is never read', async (t) => {
  const stream = new PassThrough();
  const outcome = new Promise<BodyOutcome>((resolve) => readJsonBody(stream, { limit: 1 << 20, maxWidth: 3, maxValues: 1_000 }, resolve));
  stream.write('[1,2,3,4');
  t.same(await outcome, { refused: 'too-wide' }, 'answered before the body ended');
  t.equal(stream.listenerCount('data'), 0, 'no longer reading');
});

t.test('a stream that fails is reported, not thrown', async (t) => {
  const stream = new PassThrough();
  const outcome = new Promise<BodyOutcome>((resolve) => readJsonBody(stream, { limit: 1024, maxWidth: 5, maxValues: 1_000 }, resolve));
  stream.write('{"a":');
  stream.destroy(new Error('aborted'));
  const seen = await outcome;
  t.ok('failed' in seen && seen.failed.message === 'aborted');
});
