import Redis from "ioredis";
import pg from "pg";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { FEED_NAMES, type FeedName, onCommittedWrites } from "../db/sql-scope";
import { FEED_CHANNEL } from "../services/tickets/event-log";
import type { SessionEvents } from "../services/identity/session-events";
import type { FeedRelay } from "./feed";

/** A way commits reach the feeds: this process's own, and other processes'. */
export interface Waker {
  close(): Promise<void>;
}

/** What another process's notifications reach here. */
export interface Hearers {
  feeds: FeedRelay;
  sessions: SessionEvents;
  /** This process's id: its own session notifications, already heard locally, are ignored. */
  origin: string;
}

const FEEDS = new Set<string>(FEED_NAMES);

/** "session origin workspaceId": a workspace's tokens, members or teams changed. */
export function sessionPayload(origin: string, workspaceId: string): string {
  return `session ${origin} ${workspaceId}`;
}

/**
 * Acts on a notification: "feed workspaceId cursor" wakes a feed (never the rows themselves,
 * which are read from the log), "session origin workspaceId" checks live connections again.
 */
function hear(payload: string, to: Hearers): void {
  const [kind, first, second] = payload.split(" ");
  if (!first || !second) return;
  if (FEEDS.has(kind)) to.feeds.wake(kind as FeedName, first, second);
  else if (kind === "session" && first !== to.origin) to.sessions.received(second);
}

/** Everything may have been missed (a reconnect): read every feed and check every connection. */
function heardNothingFor(to: Hearers): void {
  to.feeds.sweep();
  to.sessions.received(undefined);
}

/** Commits of this process wake its subscribers directly, whatever the database. */
export function localWaker(relay: FeedRelay, publish?: (payload: string) => void): Waker {
  const stop = onCommittedWrites((writes) => {
    for (const w of writes) {
      relay.wake(w.feed, w.workspaceId, w.cursor);
      publish?.(`${w.feed} ${w.workspaceId} ${w.cursor}`);
    }
  });
  return { close: async () => void stop() };
}

/** How long the listener waits for the test notification it sends itself on connecting. */
const PROBE_TIMEOUT_MS = 5000;

export interface PgListenerOptions {
  /**
   * Sends a notification the way writers do (through the pool): the listener sends itself one
   * each time it connects and warns when it does not hear it, as happens when its connection goes
   * through a pooler in transaction mode (PgBouncer), where LISTEN hears nothing.
   */
  notify?: (payload: string) => Promise<unknown>;
  /** The variable the listener's URL came from, for that warning. */
  urlName?: string;
}

/**
 * Other processes' commits, through PostgreSQL LISTEN/NOTIFY: a transaction that writes feed
 * rows notifies their cursor, delivered at commit. A lost connection is re-established, and
 * every feed reads again then, filling the gap from the log. LISTEN needs a session: `url` must
 * reach PostgreSQL directly or through a pooler in session mode.
 */
export function pgListener(url: string, to: Hearers, log: Logger, options: PgListenerOptions = {}): Waker {
  let client: pg.Client | undefined;
  let closed = false;
  let delay = 100;
  let timer: NodeJS.Timeout | undefined;
  let probes = 0;
  let probe: { payload: string; timer: NodeJS.Timeout } | undefined;

  const endProbe = () => {
    if (probe) clearTimeout(probe.timer);
    probe = undefined;
  };
  const sendProbe = (notify: (payload: string) => Promise<unknown>) => {
    endProbe();
    const payload = `probe ${to.origin} ${++probes}`;
    const unheard = setTimeout(() => {
      if (probe?.payload !== payload) return;
      probe = undefined;
      log.warn(
        { listener: options.urlName ?? "DATABASE_URL" },
        `the feed listener did not hear a test notification within ${PROBE_TIMEOUT_MS / 1000} s: other processes' commits ` +
          "reach this process's subscribers only at the periodic sweep (FEED_SWEEP_INTERVAL_MS), and session changes at the " +
          `periodic check. Does ${options.urlName ?? "DATABASE_URL"} go through a pooler in transaction mode (PgBouncer), ` +
          "where LISTEN hears nothing, or reach another database? Set DATABASE_DIRECT_URL to a direct connection, or REDIS_URL",
      );
    }, PROBE_TIMEOUT_MS);
    unheard.unref();
    probe = { payload, timer: unheard };
    // A database that cannot be reached is logged by its users; the next connection probes again.
    void notify(payload).catch(() => {
      if (probe?.payload === payload) endProbe();
    });
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: "handover-listener" });
    next.on("notification", (message) => {
      if (!message.payload) return;
      if (message.payload === probe?.payload) endProbe();
      else hear(message.payload, to);
    });
    next.on("error", (error) => {
      log.warn({ err: error }, "feed listener lost its connection");
      next.end().catch(() => undefined);
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${FEED_CHANNEL}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      delay = 100;
      heardNothingFor(to);
      if (options.notify) sendProbe(options.notify);
    } catch (error) {
      log.warn({ err: error }, "feed listener could not connect; retrying");
      next.end().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (closed) return;
    client = undefined;
    endProbe();
    clearTimeout(timer);
    timer = setTimeout(() => void connect(), delay);
    timer.unref();
    delay = Math.min(delay * 2, 5000);
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      endProbe();
      await client?.end().catch(() => undefined);
    },
  };
}

/** Fan-out through Redis pub/sub (REDIS_URL): commits are published, every process subscribes. */
export function redisWaker(url: string, to: Hearers, log: Logger): { waker: Waker; publish: (payload: string) => void } {
  const publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url, { lazyConnect: false });
  for (const conn of [publisher, subscriber]) conn.on("error", (error) => log.warn({ err: error }, "redis connection problem"));
  subscriber.subscribe(FEED_CHANNEL).catch((error: unknown) => log.warn({ err: error }, "redis subscribe failed"));
  subscriber.on("message", (_channel, payload: string) => hear(payload, to));
  // After a reconnect the subscription is restored by ioredis; read everything again for the gap.
  subscriber.on("ready", () => heardNothingFor(to));
  return {
    publish: (payload) => void publisher.publish(FEED_CHANNEL, payload).catch(() => undefined),
    waker: {
      async close() {
        publisher.disconnect();
        subscriber.disconnect();
      },
    },
  };
}

/** Sends a notification on the feed channel through the pool, as writers' transactions do. */
export function pgNotifier(db: DataSource): (payload: string) => Promise<unknown> {
  return (payload) => db.query(`SELECT pg_notify($1, $2)`, [FEED_CHANNEL, payload]);
}

/** Session changes to the other processes on PostgreSQL: a NOTIFY on the feed channel, after commit. */
export function pgSessionOutlet(db: DataSource, origin: string, log: Logger): (workspaceId: string) => void {
  const notify = pgNotifier(db);
  return (workspaceId) =>
    void notify(sessionPayload(origin, workspaceId)).catch((error: unknown) =>
      log.warn({ err: error }, "announcing a session change failed; the periodic check will apply it"),
    );
}
