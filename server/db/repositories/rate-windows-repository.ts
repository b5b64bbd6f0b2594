import { lt, sql } from 'drizzle-orm';
import type { Store } from '../client.js';

/** As modules/mcp/shared-rate-limiter.ts asks (structurally the same; the module never imports the database). */
export interface RateLeaseRequest {
  key: string;
  /** The minute, as epoch ms at its start. */
  windowStart: number;
  tokens: number;
  limit: number;
  /** How much of the previous minute is still inside the last 60 s, in ms. */
  overlapMs: number;
}

export interface RateLeaseAnswer {
  granted: boolean;
  used: number;
  previous: number;
}

/**
 * Calls counted per rate-limit key and minute by every node on one PostgreSQL database (see
 * modules/mcp/shared-rate-limiter.ts). A single SQLite node counts in memory and never leases.
 */
export function createRateWindowsRepository({ db, t, dialect }: Store) {
  const { rateWindows } = t;
  return {
    /**
     * Grants `tokens` calls in one statement, all or none, if the sliding count leaves room for
     * them: this minute's count + ceil(previous minute's × overlapMs / 60 s) must stay within the
     * limit. All or none so that the answer says exactly what was granted: a partial grant would be
     * `new count − old count`, and PostgreSQL's RETURNING shows only the new row. A refusal changes
     * nothing (an absent row is created at 0), so the count is what was leased, never what was asked.
     */
    async lease(req: RateLeaseRequest): Promise<RateLeaseAnswer> {
      if (dialect !== 'postgres') throw new Error('Leasing rate-limit tokens needs PostgreSQL; a single SQLite node counts in memory.');
      // Integer arithmetic on both sides: the node computes the same cap from the same counts.
      const result = await db.execute<{ granted_used: number | null; seen: number | null; previous: number | null }>(sql`
        with prev as (
          select used from rate_windows where key = ${req.key} and window_start = ${req.windowStart}::bigint - ${60_000}::bigint
        ), cap as (
          select ${req.limit}::bigint - (coalesce((select used from prev), 0)::bigint * ${req.overlapMs}::bigint + 59999) / 60000 as cap
        ), seen as (
          select used from rate_windows where key = ${req.key} and window_start = ${req.windowStart}::bigint
        ), granted as (
          insert into rate_windows as w (key, window_start, used)
          values (${req.key}, ${req.windowStart}::bigint, case when ${req.tokens}::int <= (select cap from cap) then ${req.tokens}::int else 0 end)
          on conflict (key, window_start) do update set used = w.used + excluded.used
            where excluded.used > 0 and w.used + excluded.used <= (select cap from cap)
          returning w.used
        )
        select (select used from granted) as granted_used, (select used from seen) as seen, (select used from prev) as previous`);
      const row = result.rows[0];
      // Nothing returned, or a new row created at 0: refused. `seen` is the count as of the
      // statement's snapshot, a lower bound of the count now.
      const granted = row.granted_used !== null && Number(row.granted_used) > 0;
      return {
        granted,
        used: Number(granted ? row.granted_used : (row.seen ?? 0)),
        previous: Number(row.previous ?? 0),
      };
    },

    /** Forgets minutes that started before `windowStart` (the background job keeps the last two). */
    async pruneBefore(windowStart: number): Promise<void> {
      await db.delete(rateWindows).where(lt(rateWindows.windowStart, windowStart));
    },
  };
}

export type RateWindowsRepository = ReturnType<typeof createRateWindowsRepository>;
