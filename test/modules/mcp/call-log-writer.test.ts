import t from 'tap';
import { createCallLogWriter } from '../../../server/modules/mcp/call-log-writer.js';
import type { CallRecord } from '../../../server/modules/mcp/call-tool.js';

const entry = (tool: string): CallRecord => ({
  workspaceId: 'w',
  environment: 'live',
  at: Date.now(),
  tool,
  ok: true,
  durationMs: 1,
  caller: 'url',
});

t.test('batches writes, flushes on demand and on close, never throws into the caller', async (t) => {
  const batches: CallRecord[][] = [];
  const writer = createCallLogWriter((e) => void batches.push(e), { flushMs: 60_000 });
  writer.push(entry('a'));
  writer.push(entry('b'));
  t.equal(batches.length, 0, 'nothing written on the hot path');
  await writer.flush();
  t.same(
    batches.map((b) => b.map((e) => e.tool)),
    [['a', 'b']],
  );
  writer.push(entry('c'));
  await writer.close();
  t.equal(batches.length, 2);

  const errors: unknown[] = [];
  const failing = createCallLogWriter(
    () => {
      throw new Error('disk full');
    },
    { onError: (e) => errors.push(e) },
  );
  failing.push(entry('x'));
  await failing.flush();
  t.equal(errors.length, 1);
  const rejecting = createCallLogWriter(
    async () => {
      throw new Error('disk full');
    },
    { onError: (e) => errors.push(e) },
  );
  rejecting.push(entry('y'));
  await rejecting.flush();
  t.equal(errors.length, 2, 'an async sink that fails is reported too');
});

t.test('the queue is bounded', async (t) => {
  const writer = createCallLogWriter(() => {}, { maxQueue: 3, flushMs: 60_000 });
  for (const n of ['1', '2', '3', '4', '5']) writer.push(entry(n));
  t.equal(writer.dropped, 2);
  await writer.close();
});

t.test('flush waits for the sink to have stored every batch handed over so far', async (t) => {
  const stored: string[] = [];
  const writer = createCallLogWriter(
    async (e) => {
      await new Promise((r) => setTimeout(r, 20));
      stored.push(...e.map((x) => x.tool));
    },
    { flushMs: 60_000 },
  );
  writer.push(entry('a'));
  const first = writer.flush();
  await writer.flush();
  t.same(stored, ['a'], 'a flush with nothing queued still waits for the batch in flight');
  await first;
});

t.test('flushes by itself after a short delay', async (t) => {
  let wrote!: (entries: CallRecord[]) => void;
  const written = new Promise<CallRecord[]>((resolve) => (wrote = resolve));
  const writer = createCallLogWriter(wrote, { flushMs: 5 });
  t.teardown(() => writer.close());
  writer.push(entry('a'));
  // The sink's call awaited, not a pause guessed long enough. The writer's timer is unref'd: this
  // deadline also keeps the process alive until then.
  let deadline: NodeJS.Timeout | undefined;
  const never = new Promise<'never'>((resolve) => (deadline = setTimeout(() => resolve('never'), 5_000)));
  const entries = await Promise.race([written, never]);
  clearTimeout(deadline);
  t.same(entries === 'never' ? entries : entries.map((e) => e.tool), ['a'], 'written without a flush being asked for');
});
