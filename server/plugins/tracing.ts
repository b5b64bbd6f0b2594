// OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set: a span per
// MCP request, opened when the request arrives and ended when its answer is sent (or the client
// hangs up); the route names it and hands it to the tool calls, which open the upstream spans
// (modules/telemetry/tracing.ts). Off, no hook is added and nothing is built.
import fp from 'fastify-plugin';
import { isPlainObject } from '../modules/shared/is-plain-object.js';
import type { FastifyInstance } from 'fastify';
import { createTracing, type RequestSpan, type Tracing } from '../modules/telemetry/tracing.js';
import { SERVER_INFO } from '../modules/mcp/mcp-server.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined when tracing is off. */
    tracing: Tracing | undefined;
  }
  interface FastifyRequest {
    /** The MCP request's span (tracing on, /mcp only). */
    traceSpan: RequestSpan | undefined;
  }
}

const TRACE_CONTEXT = /^[\x20-\x7e]{1,512}$/;

/** `traceparent` and `tracestate` from a single request's `params._meta`, when it carries a traceparent there. */
function contextCarrier(body: unknown): Record<string, string> | undefined {
  const meta = isPlainObject(body) && isPlainObject(body.params) ? body.params._meta : undefined;
  if (!isPlainObject(meta)) return undefined;
  const { traceparent, tracestate } = meta;
  if (typeof traceparent !== 'string' || !TRACE_CONTEXT.test(traceparent)) return undefined;
  return typeof tracestate === 'string' && TRACE_CONTEXT.test(tracestate) ? { traceparent, tracestate } : { traceparent };
}

// The request's span, started on demand: set in onRequest, called in preHandler (or at close).
const startSpan = new WeakMap<object, () => RequestSpan>();

async function tracingPlugin(app: FastifyInstance) {
  const settings = app.config.tracing;
  app.decorateRequest('traceSpan', undefined);
  if (!settings) {
    app.decorate('tracing', undefined);
    return;
  }
  const tracing = createTracing({ ...settings, serviceVersion: SERVER_INFO.version });
  app.decorate('tracing', tracing);
  // Callback hooks, not async ones: no promise per request for a line of work. The span starts
  // once the body is read (preHandler), where an MCP client may carry its trace context in
  // `params._meta` (MCP 2026-07-28 reserves `traceparent` there; OpenTelemetry's MCP conventions
  // use it in every revision), timed from the request's arrival. A request refused before that
  // (a malformed body) gets its span when it closes.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/mcp/')) {
      const arrived = performance.timeOrigin + performance.now();
      const route = request.routeOptions.url ?? '/mcp';
      const start = () => {
        // The route template, never the URL: the path holds the workspace's URL token.
        const attributes = { 'http.request.method': request.method, 'http.route': route };
        return tracing.startRequest('mcp', contextCarrier(request.body) ?? request.headers, attributes, arrived);
      };
      startSpan.set(request, start);
      // Ended on 'close', which every response emits: onResponse and onRequestAbort both miss a
      // client that hangs up while its call is running, and the span would never end.
      const res = reply.raw;
      res.once('close', () => {
        const span = (request.traceSpan ??= start());
        if (res.writableFinished) span.end(res.statusCode);
        else span.abort();
      });
    }
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const start = startSpan.get(request);
    if (start) request.traceSpan = start();
    done();
  });
  // Spans still buffered go out; a collector that does not answer costs the shutdown 3 s at most.
  app.addHook('onClose', async () => tracing.shutdown(3000));
  app.log.info({ endpoint: new URL(settings.url).origin, sampler: settings.sampler }, 'OpenTelemetry traces on');
}

export default fp(tracingPlugin, { name: 'tracing', dependencies: ['config'] });
