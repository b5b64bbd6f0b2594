// Prometheus metrics: the registry every plugin and route reports to, and, with
// LATCHKEY_METRICS_PORT, a listener of its own that serves only /metrics (no token: it is meant
// for a port the network keeps private). The main port's /metrics is in routes/metrics.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics, type Metrics } from '../modules/metrics/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics & {
      /** The metrics port's address once it listens (LATCHKEY_METRICS_PORT=0 picks one). */
      portUrl(): string | undefined;
    };
  }
}

async function metricsPlugin(app: FastifyInstance) {
  const metrics = createMetrics();
  let server: http.Server | undefined;
  const { metricsPort, host } = app.config;
  if (metricsPort !== undefined) {
    server = http.createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served on this port.\n');
        return;
      }
      metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: unknown) => {
          app.log.error({ err }, 'rendering metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Rendering the metrics failed; the gateway log has the details.\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(metricsPort, host, () => resolve());
    });
    app.addHook('onClose', () => new Promise<void>((resolve) => server!.close(() => resolve())));
  }
  app.decorate(
    'metrics',
    Object.assign(metrics, {
      portUrl: () => {
        const address = server?.address() as AddressInfo | null | undefined;
        return address ? `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}` : undefined;
      },
    }),
  );
}

export default fp(metricsPlugin, { name: 'metrics', dependencies: ['config'] });
