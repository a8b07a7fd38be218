import Redis from "ioredis";
import pg from "pg";
import type { Logger } from "pino";
import { type FeedName, onCommittedWrites } from "../db/sql-scope";
import { FEED_CHANNEL } from "../services/event-log";
import type { FeedRelay } from "./feed";

/** A way commits reach the feeds: this process's own, and other processes'. */
export interface Waker {
  close(): Promise<void>;
}

const FEEDS = new Set<string>(["events", "flowStarts"]);

/** Parses "feed workspaceId cursor", the notification payload: never the rows themselves. */
function parsePayload(payload: string): { feed: FeedName; workspaceId: string; cursor: string } | undefined {
  const [feed, workspaceId, cursor] = payload.split(" ");
  return FEEDS.has(feed) && workspaceId && cursor ? { feed: feed as FeedName, workspaceId, cursor } : undefined;
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
export function pgListener(url: string, relay: FeedRelay, log: Logger): Waker {
  let client: pg.Client | undefined;
  let closed = false;
  let delay = 100;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: "handover-listener" });
    next.on("notification", (message) => {
      const parsed = message.payload ? parsePayload(message.payload) : undefined;
      if (parsed) relay.wake(parsed.feed, parsed.workspaceId, parsed.cursor);
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
      relay.sweep();
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
export function redisWaker(url: string, relay: FeedRelay, log: Logger): { waker: Waker; publish: (payload: string) => void } {
  const publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url, { lazyConnect: false });
  for (const conn of [publisher, subscriber]) conn.on("error", (error) => log.warn({ err: error }, "redis connection problem"));
  subscriber.subscribe(FEED_CHANNEL).catch((error: unknown) => log.warn({ err: error }, "redis subscribe failed"));
  subscriber.on("message", (_channel, payload: string) => {
    const parsed = parsePayload(payload);
    if (parsed) relay.wake(parsed.feed, parsed.workspaceId, parsed.cursor);
  });
  // After a reconnect the subscription is restored by ioredis; read everything again for the gap.
  subscriber.on("ready", () => relay.sweep());
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
