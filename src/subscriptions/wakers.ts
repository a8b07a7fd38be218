import Redis from "ioredis";
import pg from "pg";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { type FeedName, onCommittedWrites } from "../db/sql-scope";
import { FEED_CHANNEL } from "../services/event-log";
import type { SessionEvents } from "../services/session-events";
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

const FEEDS = new Set<string>(["events", "flowStarts"]);

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

/**
 * Other processes' commits, through PostgreSQL LISTEN/NOTIFY: a transaction that writes feed
 * rows notifies their cursor, delivered at commit. A lost connection is re-established, and
 * every feed reads again then, filling the gap from the log.
 */
export function pgListener(url: string, to: Hearers, log: Logger): Waker {
  let client: pg.Client | undefined;
  let closed = false;
  let delay = 100;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: "handover-listener" });
    next.on("notification", (message) => message.payload && hear(message.payload, to));
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
    } catch (error) {
      log.warn({ err: error }, "feed listener could not connect; retrying");
      next.end().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (closed) return;
    client = undefined;
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

/** Session changes to the other processes on PostgreSQL: a NOTIFY on the feed channel, after commit. */
export function pgSessionOutlet(db: DataSource, origin: string, log: Logger): (workspaceId: string) => void {
  return (workspaceId) =>
    void db
      .query(`SELECT pg_notify($1, $2)`, [FEED_CHANNEL, sessionPayload(origin, workspaceId)])
      .catch((error: unknown) => log.warn({ err: error }, "announcing a session change failed; the periodic check will apply it"));
}
