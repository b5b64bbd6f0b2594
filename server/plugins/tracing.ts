// OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set: a span per
// MCP request, opened when the request arrives and ended when its answer is sent (or the client
// hangs up); the route names it and hands it to the tool calls, which open the upstream spans
// (modules/telemetry/tracing.ts). Off, no hook is added and nothing is built.
import fp from 'fastify-plugin';
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

async function tracingPlugin(app: FastifyInstance) {
  const settings = app.config.tracing;
  app.decorateRequest('traceSpan', undefined);
  if (!settings) {
    app.decorate('tracing', undefined);
    return;
  }
  const tracing = createTracing({ ...settings, serviceVersion: SERVER_INFO.version });
  app.decorate('tracing', tracing);
  // A callback hook, not an async one: no promise per request for a line of work.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/mcp/')) {
      // The route template, never the URL: the path holds the workspace's URL token.
      const span = tracing.startRequest('mcp', request.headers, {
        'http.request.method': request.method,
        'http.route': request.routeOptions.url ?? '/mcp',
      });
      request.traceSpan = span;
      // Ended on 'close', which every response emits: onResponse and onRequestAbort both miss a
      // client that hangs up while its call is running, and the span would never end.
      const res = reply.raw;
      res.once('close', () => (res.writableFinished ? span.end(res.statusCode) : span.abort()));
    }
    done();
  });
  // Spans still buffered go out; a collector that does not answer costs the shutdown 3 s at most.
  app.addHook('onClose', async () => tracing.shutdown(3000));
  app.log.info({ endpoint: new URL(settings.url).origin, sampler: settings.sampler }, 'OpenTelemetry traces on');
}

export default fp(tracingPlugin, { name: 'tracing', dependencies: ['config'] });
