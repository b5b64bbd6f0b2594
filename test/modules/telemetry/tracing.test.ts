// The tracing module with an exporter that keeps what it is handed: which span is whose parent,
// what traceparent goes upstream, when a span is marked failed, what the samplers keep, and that a
// shutdown does not wait on an exporter that never answers.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { createTracing, type TracingSettings } from '../../../server/modules/telemetry/tracing.js';

const settings: TracingSettings = {
  url: 'http://127.0.0.1:1/v1/traces',
  headers: {},
  serviceName: 'latchkey-unit',
  serviceVersion: '0.0.0',
  sampler: 'parentbased_always_on',
  samplerArg: 1,
  scheduleDelayMs: 60_000,
};

/** Keeps every span it is handed; `shutdown` keeps them too (the SDK's in-memory exporter clears them). */
function keepingExporter(): SpanExporter & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return {
    spans,
    export(batch: ReadableSpan[], done: (result: ExportResult) => void) {
      spans.push(...batch);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
  };
}

/** Spans as exported: shutdown flushes what is buffered. */
async function exported(overrides: Partial<TracingSettings>, run: (tracing: ReturnType<typeof createTracing>) => void) {
  const exporter = keepingExporter();
  const tracing = createTracing({ ...settings, ...overrides }, { exporter });
  run(tracing);
  await tracing.shutdown(5_000);
  return exporter.spans;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

t.test("an upstream span is the request span's child, and its traceparent names it", async (t) => {
  let sent: Record<string, string> = {};
  const spans = await exported({}, (tracing) => {
    const request = tracing.startRequest('mcp', {}, { 'http.route': '/mcp/:token' });
    request.setName('mcp tools/call');
    request.setAttributes({ 'mcp.method.name': 'tools/call' });
    const upstream = request.startUpstream('GET /items/{id}', { 'url.template': '/items/{id}' });
    sent = upstream.headers;
    upstream.end({ status: 200 });
    request.end(200);
  });
  const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
  const client = spans.find((s) => s.kind === SpanKind.CLIENT)!;
  t.equal(server.name, 'mcp tools/call');
  t.equal(server.parentSpanContext, undefined, 'a root span: no traceparent came in');
  t.equal(client.name, 'GET /items/{id}');
  t.equal(client.parentSpanContext?.spanId, server.spanContext().spanId);
  t.equal(client.spanContext().traceId, server.spanContext().traceId);
  t.equal(sent.traceparent, `00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
  t.notOk('tracestate' in sent, 'no tracestate unless one came in');
  t.same(server.attributes, { 'http.route': '/mcp/:token', 'mcp.method.name': 'tools/call', 'http.response.status_code': 200 });
  t.equal(server.status.code, SpanStatusCode.UNSET);
  t.equal(client.status.code, SpanStatusCode.UNSET);
  t.equal(server.resource.attributes['service.name'], 'latchkey-unit');
});

t.test("a client's traceparent and tracestate are adopted and passed on; a malformed one is not", async (t) => {
  const [traceId, spanId] = [hex(16), hex(8)];
  let sent: Record<string, string> = {};
  const spans = await exported({}, (tracing) => {
    const request = tracing.startRequest('mcp', { traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=abc' }, {});
    const upstream = request.startUpstream('GET /x', {});
    sent = upstream.headers;
    upstream.end({ status: 204 });
    request.end(200);
    tracing.startRequest('mcp', { traceparent: `00-${'0'.repeat(32)}-${spanId}-01` }, {}).end(200);
    tracing.startRequest('mcp', { traceparent: 'not a traceparent' }, {}).end(200);
  });
  const [adopted, zeros, garbage] = spans.filter((s) => s.kind === SpanKind.SERVER);
  t.equal(adopted.spanContext().traceId, traceId, "the client's trace");
  t.equal(adopted.parentSpanContext?.spanId, spanId, "the client's span is the parent");
  t.equal(sent.traceparent.split('-')[1], traceId);
  t.equal(sent.tracestate, 'vendor=abc', 'tracestate travels with it');
  for (const span of [zeros, garbage]) {
    t.equal(span.parentSpanContext, undefined, 'an invalid traceparent starts a new trace');
    t.not(span.spanContext().traceId, traceId);
  }
});

t.test('failures: error.type and an error status, on the request and on the upstream call', async (t) => {
  const spans = await exported({}, (tracing) => {
    const toolError = tracing.startRequest('tool error', {}, {});
    toolError.startUpstream('GET /404', {}).end({ status: 404 });
    toolError.startUpstream('GET /down', {}).end({ error: 'UpstreamUnreachable' });
    toolError.fail('tool_error');
    toolError.end(200);
    tracing.startRequest('limited', {}, {}).end(429);
    tracing.startRequest('broken', {}, {}).end(500);
    tracing.startRequest('accepted', {}, {}).end(202);
    const hungUp = tracing.startRequest('hung up', {}, {});
    hungUp.abort();
    hungUp.end(200);
  });
  const byName = new Map(spans.map((s) => [s.name, s]));
  const failure = (name: string) => {
    const span = byName.get(name)!;
    return { status: span.status.code, type: span.attributes['error.type'], http: span.attributes['http.response.status_code'] };
  };
  t.same(failure('tool error'), { status: SpanStatusCode.ERROR, type: 'tool_error', http: 200 }, 'a 200 whose tool failed');
  t.same(failure('GET /404'), { status: SpanStatusCode.ERROR, type: '404', http: 404 }, 'an upstream 4xx');
  t.same(failure('GET /down'), { status: SpanStatusCode.ERROR, type: 'UpstreamUnreachable', http: undefined }, 'no answer');
  t.same(failure('limited'), { status: SpanStatusCode.ERROR, type: '429', http: 429 }, 'a JSON-RPC error answer');
  t.same(failure('broken'), { status: SpanStatusCode.ERROR, type: '500', http: 500 });
  t.same(failure('accepted'), { status: SpanStatusCode.UNSET, type: undefined, http: 202 });
  t.same(
    failure('hung up'),
    { status: SpanStatusCode.ERROR, type: 'client_aborted', http: undefined },
    'an answer after the hang-up changes nothing',
  );
  t.equal(spans.filter((s) => s.name === 'hung up').length, 1, 'ended once');
});

t.test('samplers: a sampled client trace is kept under parentbased_always_off; ratio 0 keeps none', async (t) => {
  const sampledParent = { traceparent: `00-${hex(16)}-${hex(8)}-01` };
  let unsampled: Record<string, string> = {};
  const parentBased = await exported({ sampler: 'parentbased_always_off' }, (tracing) => {
    tracing.startRequest('followed', sampledParent, {}).end(200);
    const root = tracing.startRequest('root', {}, {});
    const upstream = root.startUpstream('GET /x', {});
    unsampled = upstream.headers;
    upstream.end({ status: 200 });
    root.end(200);
  });
  t.same(
    parentBased.map((s) => s.name),
    ['followed'],
  );
  t.match(unsampled.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, 'an unsampled call still passes its trace on, marked unsampled');
  const none = await exported({ sampler: 'traceidratio', samplerArg: 0 }, (tracing) => {
    for (let i = 0; i < 20; i++) tracing.startRequest('dropped', {}, {}).end(200);
  });
  t.equal(none.length, 0);
});

t.test('a shutdown gives up on an exporter that never answers', async (t) => {
  let release: (() => void) | undefined;
  const stuck: SpanExporter = {
    export(_spans, done) {
      // Answered only when the test ends, so no export is left pending after it.
      release = () => done({ code: ExportResultCode.FAILED });
    },
    shutdown: async () => undefined,
  };
  t.teardown(() => release?.());
  const tracing = createTracing(settings, { exporter: stuck });
  tracing.startRequest('mcp', {}, {}).end(200);
  const started = performance.now();
  await tracing.shutdown(100);
  const waited = performance.now() - started;
  t.ok(release, 'the span was handed to the exporter');
  // Loose on purpose: a busy machine is slow, but nowhere near the export timeout (5 s).
  t.ok(waited < 2_500, `returned after ${Math.round(waited)} ms`);
});
