// OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set: a span per
// MCP request, opened when the request arrives and ended when its answer is sent; the route names
// it and hands it to the tool calls, which open the upstream spans (modules/telemetry/tracing.ts).
// Off, nothing is added to any request.
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
  const tracing = settings ? createTracing({ ...settings, serviceVersion: SERVER_INFO.version }) : undefined;
  app.decorate('tracing', tracing);
  app.decorateRequest('traceSpan', undefined);
  if (!tracing) return;
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/mcp/')) return;
    // The route template, never the URL: the path holds the workspace's URL token.
    request.traceSpan = tracing.startRequest('mcp', request.headers, {
      'http.request.method': request.method,
      'http.route': request.routeOptions.url ?? '/mcp',
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    request.traceSpan?.end(reply.statusCode);
  });
  // Spans still buffered go out; a collector that does not answer costs the shutdown 3 s at most.
  app.addHook('onClose', async () => tracing.shutdown(3000));
  app.log.info({ endpoint: new URL(settings!.url).origin, sampler: settings!.sampler }, 'OpenTelemetry traces on');
}

export default fp(tracingPlugin, { name: 'tracing', dependencies: ['config'] });
