import { and, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Store } from '../client.js';

export interface RemoteStream {
  tokenHash: string;
  nodeId: string;
  session: string | null;
}

/**
 * Legacy HTTP+SSE streams by node, and the answers relayed to them (routes/mcp/sse-relay.ts):
 * used only on PostgreSQL, where a stream's POSTs may reach any node.
 */
export function createSseRelayRepository({ db, t }: Store) {
  const { sseStreams, sseMessages } = t;
  return {
    async register(id: string, tokenHash: string, nodeId: string, now: number): Promise<void> {
      await db.insert(sseStreams).values({ id, tokenHash, nodeId, session: null, seenAt: now });
    },

    async drop(id: string): Promise<void> {
      await db.delete(sseStreams).where(eq(sseStreams.id, id));
      await db.delete(sseMessages).where(eq(sseMessages.streamId, id));
    },

    /** The stream, if a node said it was open at `aliveSince` or later. */
    async find(id: string, aliveSince: number): Promise<RemoteStream | undefined> {
      const [row] = await db
        .select({ tokenHash: sseStreams.tokenHash, nodeId: sseStreams.nodeId, session: sseStreams.session })
        .from(sseStreams)
        .where(and(eq(sseStreams.id, id), gte(sseStreams.seenAt, aliveSince)));
      return row;
    },

    async setSession(id: string, session: string): Promise<void> {
      await db.update(sseStreams).set({ session }).where(eq(sseStreams.id, id));
    },

    /** Keeps this node's streams alive, and forgets what nodes that stopped saying so left behind. */
    async heartbeat(nodeId: string, now: number, forgetBefore: number): Promise<void> {
      await db.update(sseStreams).set({ seenAt: now }).where(eq(sseStreams.nodeId, nodeId));
      await db.delete(sseStreams).where(lt(sseStreams.seenAt, forgetBefore));
      await db.delete(sseMessages).where(lt(sseMessages.createdAt, forgetBefore));
    },

    async post(streamId: string, body: string, now: number): Promise<number> {
      const [row] = await db.insert(sseMessages).values({ streamId, body, createdAt: now }).returning({ id: sseMessages.id });
      return row.id;
    },

    /** Removes and answers one message (undefined: another take had it, or it expired). */
    async take(id: number): Promise<{ streamId: string; body: string } | undefined> {
      const [row] = await db
        .delete(sseMessages)
        .where(eq(sseMessages.id, id))
        .returning({ streamId: sseMessages.streamId, body: sseMessages.body });
      return row;
    },

    /** Removes and answers every message waiting for these streams, oldest first. */
    async takeFor(streamIds: string[]): Promise<{ streamId: string; body: string; id: number }[]> {
      if (streamIds.length === 0) return [];
      const rows = await db
        .delete(sseMessages)
        .where(inArray(sseMessages.streamId, streamIds))
        .returning({ id: sseMessages.id, streamId: sseMessages.streamId, body: sseMessages.body });
      return rows.sort((a, b) => a.id - b.id);
    },
  };
}

export type SseRelayRepository = ReturnType<typeof createSseRelayRepository>;
