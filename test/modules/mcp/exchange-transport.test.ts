// One SDK server shared by concurrent HTTP exchanges: each exchange gets its own answers under its
// own ids, however the clients number their requests — through the SDK's dispatch and through the
// direct handlers alike.
import t from 'tap';
import { Readable } from 'node:stream';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  ExchangeTransport,
  MAX_TOOL_CALLS_PER_BATCH,
  SerializedResult,
  toolCallCount,
} from '../../../server/modules/mcp/exchange-transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  const seen: string[] = [];
  const transport = new ExchangeTransport<{ who: string; delayMs: number }>({
    'tools/call': async (params, caller) => {
      seen.push(caller.who);
      if (params?.name === 'boom') throw new McpError(ErrorCode.InvalidParams, 'no such tool');
      if (params?.name === 'crash') throw new TypeError('oops');
      if (params?.name === 'raw') return new SerializedResult('{"content":[],"structuredContent":{"big":12345678901234567890}}');
      // As the result thread hands a large result over: UTF-8 bytes.
      if (params?.name === 'bytes')
        return new SerializedResult(
          Buffer.from(
            JSON.stringify({ content: [{ type: 'text', text: `é${'x'.repeat(Number((params.arguments as { n: number }).n))}` }] }),
          ),
        );
      await sleep(caller.delayMs);
      return { content: [{ type: 'text', text: `${caller.who}:${String((params?.arguments as { n?: number } | undefined)?.n)}` }] };
    },
  });
  // Through the SDK: the cursor says how long to take, and comes back in the answer.
  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    await sleep(Number(request.params?.cursor ?? 0));
    return { tools: [], nextCursor: request.params?.cursor };
  });
  void server.connect(transport);
  // The answer is JSON text; the assertions read it parsed.
  const exchange = async (...args: Parameters<typeof transport.exchange>) => {
    const answer = await transport.exchange(...args);
    return answer.body === undefined
      ? { status: answer.status }
      : { status: answer.status, body: JSON.parse(String(answer.body)) as unknown };
  };
  return { transport: { exchange }, raw: transport, seen };
}

const call = (id: number | string, n: number, name = 'x') => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: { n } },
});
const list = (id: number | string, cursor: string) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: { cursor } });
const textOf = (body: unknown) => (body as { result: { content: { text: string }[] } }).result.content[0].text;
const ctx = (who: string, delayMs = 0) => ({ who, delayMs });

t.test('concurrent exchanges with the same request ids get their own answers', async (t) => {
  const { transport } = setup();
  // The slow ones are sent first: their answers must not go to the fast ones, which reuse id 1.
  const [slow, fast, other, slowList, fastList] = await Promise.all([
    transport.exchange(call(1, 10), {}, ctx('alice', 30)),
    transport.exchange(call(1, 20), {}, ctx('bob')),
    transport.exchange(call('1', 30), {}, ctx('carol', 5)),
    transport.exchange(list(1, '30'), {}, ctx('dan')),
    transport.exchange(list(1, '0'), {}, ctx('erin')),
  ]);
  t.same(
    [slow, fast, other, slowList, fastList].map((a) => a.status),
    [200, 200, 200, 200, 200],
  );
  t.same(slow.body, { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'alice:10' }] } });
  t.equal(textOf(fast.body), 'bob:20');
  t.equal((other.body as { id: unknown }).id, '1', 'a string id comes back as the same string');
  t.equal(textOf(other.body), 'carol:30');
  t.same(slowList.body, { jsonrpc: '2.0', id: 1, result: { tools: [], nextCursor: '30' } }, 'through the SDK too');
  t.same(fastList.body, { jsonrpc: '2.0', id: 1, result: { tools: [], nextCursor: '0' } });
});

t.test('errors from direct handlers are JSON-RPC errors, without the prefix clients add themselves', async (t) => {
  const { transport } = setup();
  const unknown = await transport.exchange(call(3, 1, 'boom'), {}, ctx('fay'));
  // McpError's message starts "MCP error -32602: ", and clients print that prefix again.
  t.same(unknown.body, { jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'no such tool' } });
  const crash = await transport.exchange(call(4, 1, 'crash'), {}, ctx('fay'));
  t.same(crash.body, { jsonrpc: '2.0', id: 4, error: { code: -32603, message: 'oops' } });
  const missing = await transport.exchange({ jsonrpc: '2.0', id: 5, method: 'no/such/method' }, {}, ctx('fay'));
  t.match(missing.body, { id: 5, error: { code: -32601 } }, 'the SDK answers methods it does not know');
  // The SDK answered this -32603 with its validator's JSON dump; it is a params error, in one line.
  const noVersion = await transport.exchange(
    { jsonrpc: '2.0', id: 6, method: 'initialize', params: { capabilities: {}, clientInfo: { name: 'c', version: '1' } } },
    {},
    ctx('fay'),
  );
  t.same(noVersion.body, {
    jsonrpc: '2.0',
    id: 6,
    error: { code: -32602, message: 'Invalid params for initialize: params.protocolVersion: expected string, received undefined.' },
  });
});

t.test('batches answer in order; notifications alone get 202', async (t) => {
  const { transport } = setup();
  const batch = await transport.exchange(
    [call(7, 1), { jsonrpc: '2.0', method: 'notifications/initialized' }, list(8, '5')],
    {},
    ctx('gus'),
  );
  t.equal(batch.status, 200);
  t.same(
    (batch.body as { id: number }[]).map((m) => m.id),
    [7, 8],
  );
  t.equal(textOf((batch.body as unknown[])[0]), 'gus:1');
  t.same(await transport.exchange({ jsonrpc: '2.0', method: 'notifications/initialized' }, {}, ctx('gus')), { status: 202 });
});

t.test("a client's cancellation never reaches another client's request", async (t) => {
  const { transport } = setup();
  // The victim's request holds one of the transport's first ids; the attacker names ids 1 to 5.
  const victim = transport.exchange(list(5, '30'), {}, ctx('victim'));
  const cancel = await transport.exchange(
    [1, 2, 3, 4, 5].map((requestId) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } })),
    {},
    ctx('attacker'),
  );
  t.same(cancel, { status: 202 });
  t.same((await victim).body, { jsonrpc: '2.0', id: 5, result: { tools: [], nextCursor: '30' } }, 'the victim is answered');
});

t.test('malformed envelopes are refused before any handler sees them', async (t) => {
  const { transport, seen } = setup();
  for (const body of [
    {},
    { jsonrpc: '1.0', id: 1, method: 'tools/call' },
    { jsonrpc: '2.0', id: null, method: 'tools/call' },
    { jsonrpc: '2.0', id: 1.5, method: 'tools/call' },
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: [1] },
    'text',
  ]) {
    const answer = await transport.exchange(body, {}, ctx('eve'));
    t.equal(answer.status, 400, JSON.stringify(body));
    t.equal((answer.body as { error: { code: number } }).error.code, -32600);
  }
  t.equal((await transport.exchange([], {}, ctx('eve'))).status, 400, 'an empty batch');
  const old = await transport.exchange(call(1, 1), { 'mcp-protocol-version': '1999-01-01' }, ctx('eve'));
  t.equal(old.status, 400);
  t.match(old.body, {
    error: {
      code: -32022,
      message: /Unsupported protocol version "1999-01-01"/,
      data: { requested: '1999-01-01', supported: ['2026-07-28', '2025-11-25'] },
    },
  });
  t.same(seen, []);
});

t.test('a result serialised by its handler is spliced into the answer as it is, under the client id', async (t) => {
  const { raw } = setup();
  const single = await raw.exchange(call('c-1', 1, 'raw'), {}, ctx('hal'));
  t.equal(
    single.body,
    '{"jsonrpc":"2.0","id":"c-1","result":{"content":[],"structuredContent":{"big":12345678901234567890}}}',
    'not parsed and serialised again: the digits stay as sent',
  );
  const batch = await raw.exchange([call(1, 1, 'raw'), call(2, 5)], {}, ctx('hal'));
  t.same(JSON.parse(String(batch.body)), [
    { jsonrpc: '2.0', id: 1, result: { content: [], structuredContent: { big: 12345678901234567000 } } },
    { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'hal:5' }] } },
  ]);
});

/** A streamed answer, read whole. */
async function readAll(body: unknown): Promise<{ pieces: number; text: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
  return { pieces: chunks.length, text: Buffer.concat(chunks).toString('utf8') };
}

t.test('a result serialised as bytes is spliced as bytes; an answer over 1 MiB is streamed piece by piece', async (t) => {
  const { raw } = setup();
  const single = await raw.exchange(call('b-1', 3, 'bytes'), {}, ctx('ivy'));
  t.ok(Buffer.isBuffer(single.body), 'bytes in, bytes out: nothing is decoded and encoded again');
  t.same(JSON.parse(String(single.body)), { jsonrpc: '2.0', id: 'b-1', result: { content: [{ type: 'text', text: 'éxxx' }] } });
  const big = await raw.exchange(call('b-2', 1_500_000, 'bytes'), {}, ctx('ivy'));
  t.type(big.body, Readable, 'a large single answer is a stream: the result is not copied into it');
  const bigRead = await readAll(big.body);
  t.equal(bigRead.pieces, 3, 'the envelope, the result, the end');
  t.equal((JSON.parse(bigRead.text) as { id: string; result: { content: { text: string }[] } }).result.content[0].text.length, 1_500_001);

  const small = await raw.exchange([call(1, 3, 'bytes'), call(2, 4)], {}, ctx('ivy'));
  t.ok(Buffer.isBuffer(small.body), 'a small batch is one buffer');
  // Ten results of ~600 KB: joined, one fresh allocation of ~6 MB; streamed, ten writes.
  const large = await raw.exchange(
    Array.from({ length: 10 }, (_, i) => call(i + 1, 600_000, 'bytes')),
    {},
    ctx('ivy'),
  );
  t.type(large.body, Readable, 'a large batch is a stream');
  const read = await readAll(large.body);
  t.equal(read.pieces, 2 + 10 * 3 + 9, 'brackets, three pieces per response, commas between');
  const answers = JSON.parse(read.text) as { id: number; result: { content: { text: string }[] } }[];
  t.same(
    answers.map((a) => a.id),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  t.ok(
    answers.every((a) => a.result.content[0].text.length === 600_001),
    'every result whole',
  );
});

t.test('a batch holds at most 10 tools/call: more is refused whole before any handler runs', async (t) => {
  const { transport, seen } = setup();
  const tenCalls = Array.from({ length: MAX_TOOL_CALLS_PER_BATCH }, (_, i) => call(i + 1, i));
  const ok = await transport.exchange([...tenCalls, list(99, '0')], {}, ctx('ida'));
  t.equal(ok.status, 200, `${MAX_TOOL_CALLS_PER_BATCH} calls and a list pass`);
  t.equal((ok.body as unknown[]).length, MAX_TOOL_CALLS_PER_BATCH + 1);
  const before = seen.length;
  const tooMany = await transport.exchange(
    Array.from({ length: 100 }, (_, i) => call(i + 1, i)),
    {},
    ctx('ida'),
  );
  t.equal(tooMany.status, 400);
  t.match(tooMany.body, {
    error: { code: -32600, message: /at most 10 tools\/call and this one holds 100; send the rest in further requests/ },
  });
  t.equal(seen.length, before, 'no call of the refused batch ran');
  t.equal(toolCallCount([call(1, 1), list(2, '0'), { jsonrpc: '2.0', method: 'notifications/initialized' }, call(3, 1)]), 2);
  t.equal(toolCallCount(call(1, 1)), 1);
  t.equal(toolCallCount(list(1, '0')), 0);
  t.equal(toolCallCount('nonsense'), 0);
});
