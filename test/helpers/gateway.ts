// Starts a real gateway on a real socket (port 0) with a temporary data dir, capturing its log
// output so tests can search it for secrets.
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp, loggerOptions } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { testDatabaseUrl } from './postgres.js';

export interface TestGateway {
  app: FastifyInstance;
  url: string;
  adminToken: string;
  dataDir: string;
  config: Config;
  /** Everything the gateway logged so far. */
  logs(): string;
  /** Calls the admin API with the admin token; answers status and parsed JSON body. */
  api<T = any>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T; text: string }>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  /** The gateway's clock for expiries (see test/helpers/clock.ts); the real one by default. */
  now?: () => number;
}

export async function startGateway(t: Test, opts: StartOptions = {}): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'latchkey-test-'));
  if (!opts.dataDir) t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  // Tests fetch specs from, and call, servers on 127.0.0.1: private networks are allowed unless a
  // test's env says otherwise.
  // The PostgreSQL pass of scripts/run-tests.mjs: one database per data dir, unless the test names its own.
  const database =
    process.env.LATCHKEY_TEST_DATABASE === 'postgres' && opts.env?.DATABASE_URL === undefined
      ? { DATABASE_URL: await testDatabaseUrl(dataDir) }
      : {};
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LATCHKEY_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'info',
    LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true',
    ...opts.env,
    ...database,
  });
  let captured = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      captured += chunk.toString();
      cb();
    },
  });
  const app = await buildApp({ config, loggerInstance: pino(loggerOptions(config), stream), now: opts.now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const url = app.publicUrl();

  async function api(method: string, urlPath: string, body?: unknown) {
    const res = await fetch(url + urlPath, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as any, text };
  }

  return { app, url, adminToken, dataDir, config, logs: () => captured, api };
}
