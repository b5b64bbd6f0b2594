// Process entry: configuration, logger, listen, banner, graceful close. Everything else is app.ts.
import { buildApp, loggerOptions } from './app.js';
import type { AddressInfo } from 'node:net';
import { ConfigError, defaultPublicUrl, loadConfig } from './config.js';

function fail(message: string): never {
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
}

const HELP = `Latchkey: a self-hosted MCP gateway. OpenAPI specs become MCP tools; API secrets stay sealed here.

Usage: npm start [-- --help]          (or: node dist/server/server.js)

Starts the gateway and its console. Everything is set from the environment:
  PORT (8080), HOST (127.0.0.1), DATA_DIR (./data), PUBLIC_URL (http://HOST:PORT)
  DATABASE_URL               postgres://… to share one database between several nodes (default: SQLite in DATA_DIR)
  LATCHKEY_ADMIN_TOKEN       the admin token (default: generated on first start and printed once)
  LATCHKEY_MASTER_KEY        base64 of 32 bytes that seals every secret (default: generated into DATA_DIR/master.key)
  LOG_LEVEL (info)           and the rest, each with its default: README.md, "Settings"

A bad setting stops start-up with a one-line explanation. Nothing is created by --help.
`;

async function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const unknown = process.argv.slice(2);
  if (unknown.length > 0)
    fail(`unknown argument "${unknown[0]}": settings come from the environment (e.g. PORT=9000 npm start); see --help.`);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  let app;
  try {
    app = await buildApp({ config, logger: loggerOptions(config) });
    await app.ready();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    fail(`could not start: ${(err as Error).message}`);
  }

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await app.close();
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use; set PORT to another one.`);
    if (code === 'EACCES') fail(`not allowed to listen on ${config.host}:${config.port}; use a port above 1023.`);
    fail(`could not listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }

  // Behind a load balancer PUBLIC_URL is the balancer's address: the node's own is shown first,
  // since that is where a health check or an operator reaches this process.
  const local = defaultPublicUrl(config.host, (app.server.address() as AddressInfo).port);
  const publicNote = app.publicUrl() === local ? '' : `, public URL ${app.publicUrl()}`;
  const lines = [`Latchkey is listening on ${local}  (data: ${app.store.description}${publicNote})`];
  if (app.adminAuth.generatedToken) {
    lines.push(`Admin token: ${app.adminAuth.generatedToken}`);
    lines.push('  (shown once and stored only as a hash: keep it, or set LATCHKEY_ADMIN_TOKEN)');
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  // A graceful close: no new connections, calls in flight finish (up to the grace period, which by
  // default covers the upstream timeout), then the call log is flushed. A call still waiting on its
  // upstream when the grace runs out is answered with a clear error and logged, not dropped.
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'closing: finishing the calls in flight');
    const cutOff = setTimeout(() => {
      app.log.warn('the shutdown grace period ran out: calls still waiting on their upstream are answered with an error');
      app.gateway.stopCalls();
    }, config.shutdownGraceMs).unref();
    const timer = setTimeout(
      () => fail(`did not close within ${config.shutdownGraceMs + 10_000} ms; exiting.`),
      config.shutdownGraceMs + 10_000,
    ).unref();
    // A keep-alive connection whose call finishes during the close stays open, idle, until the
    // client or keepAliveTimeout (72 s) ends it: each is closed once its answer has gone out.
    const idle = setInterval(() => app.server.closeIdleConnections(), 100).unref();
    await app.close();
    clearInterval(idle);
    clearTimeout(cutOff);
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));
}

void main();
