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
  close(): Promise<void>;
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
        if (msg.channel !== CHANNEL || !msg.payload) return;
        const space = msg.payload.indexOf(' ');
        if (msg.payload.slice(0, space) !== opts.nodeId) subscribers.emit(msg.payload.slice(space + 1));
      });
      next.on('error', (err) => lost(next, err));
      next.on('end', () => lost(next, new Error('the connection ended')));
      await next.query(`LISTEN ${CHANNEL}`);
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
