// Legacy HTTP+SSE across gateway nodes (PostgreSQL): a client's stream stays on the node that
// opened it, while its POSTs may reach any node behind a balancer. The node a POST reaches
// answers it (every node can: the endpoint is stateless) and hands the answer to the stream's
// node: the answer goes into sse_messages (answers can be megabytes; a NOTIFY carries 8 KB) and a
// NOTIFY with its id wakes that node, which takes the row and writes it down the stream. Each node
// says which streams it holds once per heartbeat; a node that stops saying so is taken for gone,
// and what it left behind is cleared. On SQLite there is one node, and no relay.
import type { FastifyInstance } from 'fastify';
import { hashUrlToken } from '../../modules/workspaces/url-token.js';

/** A stream its node has not confirmed for this long is taken for gone (three heartbeats missed). */
const ALIVE_MS = 75_000;
/** Rows older than this are cleared: streams of nodes that died, answers nobody took. */
const FORGET_MS = 120_000;

export interface RemoteStream {
  id: string;
  nodeId: string;
  /** The Mcp-Session-Id its initialize got (it names a schema profile). */
  session?: string;
}

export interface SseRelay {
  /** Registers a stream opened here, before its endpoint is announced. */
  opened(id: string, token: string): Promise<void>;
  closed(id: string): void;
  /** Records the session id a stream's initialize got, for POSTs that reach other nodes. */
  session(id: string, session: string): void;
  /** The stream, open on some node, for a POST on `token`'s URL; undefined when there is none. */
  find(id: string, token: string): Promise<RemoteStream | undefined>;
  /** Sends an answer to the stream's node. */
  deliver(stream: RemoteStream, body: string): Promise<void>;
  /** Stops the heartbeat and forgets this node's streams. */
  stop(localIds: string[]): Promise<void>;
}

export interface RelayOptions {
  heartbeatMs: number;
  /** Writes an answer to a stream of this node; false when it is not (or no longer) open here. */
  write(streamId: string, body: string): boolean;
  localIds(): string[];
}

export function createSseRelay(app: FastifyInstance, opts: RelayOptions): SseRelay | undefined {
  const relay = app.store.changes.relay;
  if (!relay) return undefined;
  const repo = app.repos.sseRelay;
  const report = (what: string) => (err: unknown) => app.log.warn({ err }, `legacy SSE relay: ${what} failed`);

  relay.onMessage((payload) => {
    const id = Number(payload);
    if (!Number.isSafeInteger(id)) return;
    repo
      .take(id)
      .then((message) => message && opts.write(message.streamId, message.body))
      .catch(report('taking a relayed answer'));
  });

  // Also picks up answers whose NOTIFY this node missed (its listening connection was down).
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    const now = app.now();
    repo
      .heartbeat(relay.nodeId, now, now - FORGET_MS)
      .then(() => repo.takeFor(opts.localIds()))
      .then((messages) => messages.forEach((m) => opts.write(m.streamId, m.body)))
      .catch(report('the heartbeat'))
      .finally(() => (beating = false));
  }, opts.heartbeatMs);
  heartbeat.unref();

  return {
    opened: (id, token) => repo.register(id, hashUrlToken(token), relay.nodeId, app.now()),
    closed: (id) => void repo.drop(id).catch(report('forgetting a closed stream')),
    session: (id, session) => void repo.setSession(id, session).catch(report('recording a session id')),
    async find(id, token) {
      const row = await repo.find(id, app.now() - ALIVE_MS);
      if (!row || row.tokenHash !== hashUrlToken(token)) return undefined;
      return { id, nodeId: row.nodeId, session: row.session ?? undefined };
    },
    async deliver(stream, body) {
      const messageId = await repo.post(stream.id, body, app.now());
      await relay.send(stream.nodeId, String(messageId));
    },
    async stop(localIds) {
      clearInterval(heartbeat);
      await Promise.all(localIds.map((id) => repo.drop(id).catch(report('forgetting a stream at shutdown'))));
    },
  };
}
