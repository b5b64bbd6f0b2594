// How an admin change reaches every gateway node's caches. This node's listeners hear it at once;
// other nodes hear it through PostgreSQL's LISTEN/NOTIFY (or, on SQLite, and on PostgreSQL while
// the listening connection is down, by polling a version counter once a second).
import type { Client } from 'pg';

/** `*`: anything may have changed (a missed notification, another process on the same file). */
export type ChangeListener = (workspaceId: string) => void;

export interface ChangeFeed {
  /** Tells every node that a workspace's configuration changed; called after the change is committed. */
  announce(workspaceId: string): Promise<void>;
  subscribe(listener: ChangeListener): void;
  /** Messages from one node to another, on PostgreSQL only: there is no other node on SQLite. */
  relay?: NodeRelay;
  close(): Promise<void>;
}

/**
 * A short message to one node, over the same LISTEN connection as the changes. Best effort: a
 * message sent while the receiver's connection is down is not delivered, so what it stands for
 * must be kept elsewhere (the legacy SSE relay keeps its messages in a table and polls too).
 */
export interface NodeRelay {
  /** This node's id, as other nodes address it. */
  nodeId: string;
  /** `payload` at most 7,000 bytes (NOTIFY's limit is 8,000). */
  send(nodeId: string, payload: string): Promise<void>;
  onMessage(listener: (payload: string) => void): void;
}

export interface VersionCounter {
  bump(): Promise<number>;
  read(): Promise<number>;
}

interface FeedHooks {
  onError(err: unknown, what: string): void;
}

function listeners() {
  const all: ChangeListener[] = [];
  return {
    add: (l: ChangeListener) => void all.push(l),
    emit(workspaceId: string) {
      for (const l of all) l(workspaceId);
    },
  };
}

/** Polls the counter once a second while `active()` says so; a change it sees is announced as `*`. */
function versionPoller(counter: VersionCounter, emit: (id: string) => void, hooks: FeedHooks, active: () => boolean) {
  let seen: number | undefined;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || !active()) return;
    busy = true;
    try {
      const version = await counter.read();
      if (seen !== undefined && version !== seen) emit('*');
      seen = version;
    } catch (err) {
      hooks.onError(err, 'reading the configuration version');
    } finally {
      busy = false;
    }
  }, 1000);
  timer.unref();
  return {
    /** Our own bump is not news. */
    saw: (version: number) => void (seen = version),
    /** Starts from the current version again (after a gap in which nothing was watched). */
    forget: () => void (seen = undefined),
    stop: () => clearInterval(timer),
  };
}

/** SQLite: other processes on the same file are seen by polling. */
export function pollingFeed(counter: VersionCounter, hooks: FeedHooks): ChangeFeed {
  const subscribers = listeners();
  const poller = versionPoller(counter, subscribers.emit, hooks, () => true);
  return {
    async announce(workspaceId) {
      subscribers.emit(workspaceId);
      poller.saw(await counter.bump());
    },
    subscribe: subscribers.add,
    async close() {
      poller.stop();
    },
  };
}

const CHANNEL = 'latchkey_changes';
const RELAY_CHANNEL = 'latchkey_relay';
export const MAX_RELAY_PAYLOAD = 7_000;

export interface NotifyFeedOptions extends FeedHooks {
  /** A fresh connection for LISTEN (not from the pool: it is held for good). */
  connect(): Promise<Client>;
  /** Sends a notification through any connection. */
  notify(channel: string, payload: string): Promise<void>;
  counter: VersionCounter;
  /** Tells this node's notifications from others'. */
  nodeId: string;
}

/**
 * PostgreSQL: NOTIFY carries `nodeId workspaceId` to every node's LISTEN connection within
 * milliseconds. When that connection drops, the node polls the counter until it is back, then
 * drops everything once (notifications sent meanwhile were missed).
 */
export function notifyFeed(opts: NotifyFeedOptions): ChangeFeed {
  const subscribers = listeners();
  const relayed: ((payload: string) => void)[] = [];
  let listening = false;
  let everListened = false;
  let closed = false;
  let client: Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const poller = versionPoller(opts.counter, subscribers.emit, opts, () => !listening);

  async function listen(delayMs: number): Promise<void> {
    if (closed) return;
    try {
      const next = await opts.connect();
      next.on('notification', (msg) => {
        if (!msg.payload) return;
        const space = msg.payload.indexOf(' ');
        const node = msg.payload.slice(0, space);
        const rest = msg.payload.slice(space + 1);
        // Changes name the node they come from (its own are not news); relay messages the node they go to.
        if (msg.channel === CHANNEL && node !== opts.nodeId) subscribers.emit(rest);
        if (msg.channel === RELAY_CHANNEL && node === opts.nodeId) for (const l of relayed) l(rest);
      });
      next.on('error', (err) => lost(next, err));
      next.on('end', () => lost(next, new Error('the connection ended')));
      await next.query(`LISTEN ${CHANNEL}; LISTEN ${RELAY_CHANNEL}`);
      if (closed) return void (await next.end().catch(() => {}));
      const wasDown = everListened;
      everListened = true;
      client = next;
      listening = true;
      poller.forget();
      if (wasDown) subscribers.emit('*');
    } catch (err) {
      opts.onError(err, 'listening for configuration changes');
      schedule(Math.min(Math.max(delayMs * 2, 250), 5000));
    }
  }

  function lost(which: Client, err: unknown) {
    if (which !== client || closed) return;
    listening = false;
    client = undefined;
    opts.onError(err, 'the configuration-change connection');
    which.end().catch(() => {});
    schedule(250);
  }

  function schedule(delayMs: number) {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void listen(delayMs);
    }, delayMs);
    retry.unref();
  }

  const started = listen(0);

  return {
    async announce(workspaceId) {
      subscribers.emit(workspaceId);
      // The counter is for nodes that are polling because their LISTEN connection is down.
      poller.saw(await opts.counter.bump());
      await opts.notify(CHANNEL, `${opts.nodeId} ${workspaceId}`);
    },
    subscribe: subscribers.add,
    relay: {
      nodeId: opts.nodeId,
      async send(nodeId, payload) {
        if (Buffer.byteLength(payload) > MAX_RELAY_PAYLOAD)
          throw new RangeError(`a relay message holds at most ${MAX_RELAY_PAYLOAD} bytes`);
        await opts.notify(RELAY_CHANNEL, `${nodeId} ${payload}`);
      },
      onMessage: (listener) => void relayed.push(listener),
    },
    async close() {
      closed = true;
      poller.stop();
      if (retry) clearTimeout(retry);
      await started;
      const open = client;
      client = undefined;
      listening = false;
      await open?.end().catch(() => {});
    },
  };
}
