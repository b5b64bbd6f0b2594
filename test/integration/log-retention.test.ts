// Issue 12: call logs do not grow without end. Rows older than LATCHKEY_LOG_RETENTION_DAYS go in
// the background (here: one pass run on demand); newer rows, and every row when retention is 0, stay.
// Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
import t, { type Test } from 'tap';
import { startGateway } from '../helpers/gateway.js';

const DAY = 24 * 60 * 60 * 1000;

async function seeded(t: Test, retentionDays: string) {
  const gw = await startGateway(t, { env: { LATCHKEY_LOG_RETENTION_DAYS: retentionDays } });
  const ws = (await gw.api('POST', '/api/workspaces', { name: 'Retention' })).body;
  const now = Date.now();
  const row = (tool: string, at: number) => ({ workspaceId: ws.id, at, tool, ok: true, durationMs: 3, environment: 'live', caller: 'url' });
  // 1,200 rows 40 days old (more than one pruning step's worth is not needed to show the rule,
  // but a few batches' worth shows the steps add up), 5 from today.
  const old = Array.from({ length: 1200 }, (_, i) => row(`old_${i % 7}`, now - 40 * DAY - i * 1000));
  const recent = Array.from({ length: 5 }, (_, i) => row(`new_${i}`, now - i * 1000));
  t.equal(await gw.app.repos.callLogs.insertMany([...old, ...recent]), 0, 'seeded');
  return { gw, ws, now };
}

async function allTools(gw: Awaited<ReturnType<typeof startGateway>>, id: string): Promise<string[]> {
  const tools: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: { tool: string }[]; nextCursor: string | null } } = await gw.api(
      'GET',
      `/api/workspaces/${id}/logs?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    tools.push(...page.body.items.map((i) => i.tool));
    cursor = page.body.nextCursor;
  } while (cursor);
  return tools;
}

t.test('rows past the retention are pruned, newer ones stay', async (t) => {
  const { gw, ws } = await seeded(t, '30');
  t.equal((await allTools(gw, ws.id)).length, 1205, 'all there before the pass');
  const pass = await gw.app.housekeeping.runOnce();
  t.equal(pass.callLogs, 1200, 'the 1,200 rows older than 30 days went');
  t.same(await allTools(gw, ws.id), ['new_4', 'new_3', 'new_2', 'new_1', 'new_0'], "today's rows stay, last written first");
  t.equal((await gw.app.housekeeping.runOnce()).callLogs, 0, 'a second pass finds nothing');
  t.match(gw.logs(), /pruned old call-log rows/, 'the pass is logged');
});

t.test('LATCHKEY_LOG_RETENTION_DAYS=0 keeps every row', async (t) => {
  const { gw, ws } = await seeded(t, '0');
  t.equal((await gw.app.housekeeping.runOnce()).callLogs, 0);
  t.equal((await allTools(gw, ws.id)).length, 1205);
});

t.test('a bad retention setting stops the start with a clear message', async (t) => {
  const { loadConfig } = await import('../../server/config.js');
  t.throws(
    () => loadConfig({ LATCHKEY_LOG_RETENTION_DAYS: 'forever' }),
    /LATCHKEY_LOG_RETENTION_DAYS must be a whole number from 0 to 36500, got "forever"/,
  );
  t.equal(loadConfig({}).logRetentionDays, 30, 'default: 30 days');
});
