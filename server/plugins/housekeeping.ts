// Background pruning, off every request's path: call-log rows past LATCHKEY_LOG_RETENTION_DAYS,
// OAuth flows that were never finished, rate-limit counts of past minutes. Every node runs it; deleting what another node already
// deleted costs nothing, so no coordination is needed.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    housekeeping: {
      /** One full pass now; answers how many call-log rows went. (Also runs on its own, hourly.) */
      runOnce(now?: number): Promise<{ callLogs: number }>;
    };
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST_RUN_MS = 60_000;
const EVERY_MS = 60 * 60 * 1000;
/** Rows deleted a statement: small steps keep each one short beside the call-log writer. */
const BATCH = 5000;

async function housekeepingPlugin(app: FastifyInstance) {
  const { repos, config } = app;
  let running: Promise<{ callLogs: number }> | undefined;
  let closing = false;

  async function pass(now: number): Promise<{ callLogs: number }> {
    let callLogs = 0;
    if (config.logRetentionDays > 0) {
      const before = new Date(now - config.logRetentionDays * DAY_MS).toISOString();
      for (;;) {
        const gone = await repos.callLogs.pruneOlderThan(before, BATCH);
        callLogs += gone;
        if (gone < BATCH || closing) break;
        // Let requests in between the steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await repos.oauthPending.purgeExpired(new Date(now).toISOString());
    // Shared rate limits read this minute's count and the one before: older windows are done.
    await repos.rateWindows.pruneBefore(now - (now % 60_000) - 60_000);
    if (callLogs > 0) app.log.info({ callLogs, retentionDays: config.logRetentionDays }, 'pruned old call-log rows');
    return { callLogs };
  }

  function runOnce(now = Date.now()) {
    // One pass at a time: an hourly tick during a long first pass waits for it.
    running ??= pass(now).finally(() => {
      running = undefined;
    });
    return running;
  }

  const tick = () => {
    runOnce().catch((err) => app.log.warn({ err }, 'housekeeping failed; it runs again within the hour'));
  };
  const first = setTimeout(tick, FIRST_RUN_MS).unref();
  const hourly = setInterval(tick, EVERY_MS).unref();

  app.decorate('housekeeping', { runOnce });
  app.addHook('onClose', async () => {
    closing = true;
    clearTimeout(first);
    clearInterval(hourly);
    await running?.catch(() => {});
  });
}

export default fp(housekeepingPlugin, { name: 'housekeeping', dependencies: ['config', 'db'] });
