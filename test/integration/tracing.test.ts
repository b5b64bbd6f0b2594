// OpenTelemetry traces (issue #14), against a local OTLP/HTTP receiver: an MCP request's span and
// its upstream call's span share a trace, the upstream span is the MCP span's child, and the
// traceparent the API received names the upstream span; a client's own traceparent is adopted.
// No secret (API key, URL token, admin token, access key, argument value) is in anything exported.
// A collector that is down costs neither calls nor shutdown; with tracing off nothing is added upstream.
import t, { type Test } from 'tap';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { connectClient, textOf } from '../helpers/mcp-client.js';
import { waitUntil } from '../helpers/wait.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A plain OTLP/HTTP receiver: keeps every request's raw body and the spans in it. */
async function otlpReceiver(t: Test) {
  const raw: string[] = [];
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      raw.push(`${req.url} ${JSON.stringify(req.headers)} ${body}`);
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, raw, spans };
}

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value && (value.stringValue ?? value.intValue);
};

t.test('the MCP span, the upstream span and the traceparent the API received', async (t) => {
  const marker = `TRACEMARK${randomBytes(6).toString('hex')}`;
  const receiver = await otlpReceiver(t);
  const upstream = await startTestServer({ mode: 'apikey', key: `ts_${marker}`, echo: true });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'latchkey-test' },
  });
  const ws = await workspaceFor(t, gw, upstream, { enable: ['echoRequest', 'listItems'] });
  const token = new URL(ws.mcpUrl).pathname.split('/').pop()!;

  const client = await connectClient(t, ws.mcpUrl);
  const echoed = JSON.parse(textOf(await client.callTool({ name: 'echoRequest', arguments: { status: 200 } }))) as {
    headers: Record<string, string>;
  };
  const received = echoed.headers.traceparent;
  t.match(received, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'the API received a traceparent');
  const [, traceId, parentId] = received.split('-');

  await waitUntil(() => receiver.spans.some((s) => s.spanId === parentId), 'the upstream span at the receiver');
  const upstreamSpan = receiver.spans.find((s) => s.spanId === parentId)!;
  t.equal(upstreamSpan.traceId, traceId);
  t.equal(upstreamSpan.name, 'GET /api/echo', 'named by method and path template');
  t.equal(upstreamSpan.kind, 3, 'CLIENT');
  t.equal(attr(upstreamSpan, 'http.response.status_code'), 200);
  t.equal(attr(upstreamSpan, 'url.template'), '/api/echo');
  await waitUntil(() => receiver.spans.some((s) => s.spanId === upstreamSpan.parentSpanId), 'the MCP span');
  const mcpSpan = receiver.spans.find((s) => s.spanId === upstreamSpan.parentSpanId)!;
  t.equal(mcpSpan.name, 'mcp tools/call');
  t.equal(mcpSpan.kind, 2, 'SERVER');
  t.equal(mcpSpan.traceId, traceId, 'one trace');
  t.equal(attr(mcpSpan, 'gen_ai.tool.name'), 'echoRequest');
  t.equal(attr(mcpSpan, 'latchkey.workspace.id'), ws.id);
  t.equal(attr(mcpSpan, 'http.route'), '/mcp/:token');
  t.notOk(mcpSpan.parentSpanId, 'a root span: the client sent no traceparent');
  t.ok(
    receiver.spans.some((s) => s.name === 'mcp initialize'),
    'every MCP request has its span',
  );

  // A client that is itself traced: its traceparent is the MCP span's parent.
  const clientTrace = randomBytes(16).toString('hex');
  const clientSpan = randomBytes(8).toString('hex');
  const traced = await connectClient(t, ws.mcpUrl, { traceparent: `00-${clientTrace}-${clientSpan}-01` });
  const again = JSON.parse(textOf(await traced.callTool({ name: 'echoRequest', arguments: {} }))) as { headers: Record<string, string> };
  t.equal(again.headers.traceparent.split('-')[1], clientTrace, "the API's traceparent continues the client's trace");
  await waitUntil(
    () => receiver.spans.some((s) => s.traceId === clientTrace && s.name === 'mcp tools/call'),
    "the client's trace at the receiver",
  );
  t.equal(receiver.spans.find((s) => s.traceId === clientTrace && s.name === 'mcp tools/call')!.parentSpanId, clientSpan);

  // Leak check over everything exported, an access key's call and a failed upstream call included.
  await gw.api('PATCH', `/api/workspaces/${ws.id}`, { access: 'keys' });
  const key = (await gw.api('POST', `/api/workspaces/${ws.id}/keys`, { label: 'ci' })).body.key as string;
  const keyed = await connectClient(t, ws.mcpUrl, { 'x-latchkey-key': key });
  await keyed.callTool({ name: 'echoRequest', arguments: { status: 500, format: `x${marker}` } }).catch(() => undefined);
  await keyed.callTool({ name: 'listItems', arguments: { limit: 2 } });
  await waitUntil(() => receiver.spans.some((s) => /^GET \S*\/items$/.test(s.name)), 'the last calls exported');
  const exported = receiver.raw.join('\n');
  for (const secret of [marker, token, key, gw.adminToken])
    t.notOk(exported.includes(secret), 'no secret, URL token, key or argument value in the traces');
  t.notOk(/\/mcp\/[a-z0-9-]{8,}/i.test(exported), 'no MCP URL');
});

t.test('a collector that is down costs neither calls nor shutdown; off, nothing goes upstream', async (t) => {
  const dead = http.createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  const upstream = await startTestServer({ mode: 'apikey', echo: true });
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: deadUrl, OTEL_BSP_SCHEDULE_DELAY: '10' } });
  const ws = await workspaceFor(t, gw, upstream, { enable: ['echoRequest'] });
  const client = await connectClient(t, ws.mcpUrl);
  for (let i = 0; i < 3; i++) t.match(textOf(await client.callTool({ name: 'echoRequest', arguments: {} })), /traceparent/);
  await client.close();
  const started = performance.now();
  await gw.app.close();
  // Loose on purpose (a slow machine must not fail it): a hang on the exporter would take far longer.
  const closedMs = Math.round(performance.now() - started);
  t.ok(closedMs < 15_000, `closed in ${closedMs} ms with the collector down (its wait is capped at 3 s)`);

  const off = await startGateway(t);
  const wsOff = await workspaceFor(t, off, upstream, { enable: ['echoRequest'] });
  const plain = await connectClient(t, wsOff.mcpUrl, {
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
  });
  const echoed = JSON.parse(textOf(await plain.callTool({ name: 'echoRequest', arguments: {} }))) as { headers: Record<string, string> };
  t.notOk('traceparent' in echoed.headers, "tracing off: no traceparent upstream, not even the client's");
  t.equal(off.app.tracing, undefined);
});
