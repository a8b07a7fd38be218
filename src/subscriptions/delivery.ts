/**
 * How one subscriber takes a shared feed: the rows after its cursor, then live, filtered and
 * seen as its visibility allows, with back-pressure (a subscriber too slow is closed with 1013
 * and resumes from its last cursor) and an end when its role no longer allows the subscription.
 */
import type { AuthedContext } from "../context";
import type { FeedName } from "../db/sql-scope";
import type { parseEventCursor } from "../services/tickets/event-log";
import { Cancellation, FeedClosed, type FeedRow } from "./feed";

/** Past this many bytes waiting in a socket's send buffer, its subscriber is too slow (1013). */
const MAX_SOCKET_BUFFER = 1024 * 1024;

/** A row's size as queued, measured once for all the subscribers it is offered to. */
const rowSizes = new WeakMap<FeedRow, number>();
function sizeOf(row: FeedRow): number {
  let size = rowSizes.get(row);
  if (size === undefined) {
    size = JSON.stringify(row).length;
    rowSizes.set(row, size);
  }
  return size;
}

/** How one subscriber takes a feed. */
export interface Delivery<T extends FeedRow, S> {
  feed: FeedName;
  after: ReturnType<typeof parseEventCursor>;
  /** The rows this subscriber asked for (their filter), checked in the feed for every row. */
  accepts: (row: T) => boolean;
  /** The row as this subscriber may see it (the visibility policy), or null: not sent. */
  see: (row: T) => S | null;
  /**
   * Whether the subscriber's role still allows the subscription; asked at every row and whenever
   * their role or team changes. Once it does not, the subscription completes.
   */
  allowed?: () => boolean;
}

/**
 * Streams a feed to one subscriber, closing the socket with the feed's code when it ends it
 * (1013 too slow, 1012 shutdown) so that the client resumes from its last cursor.
 */
export function deliver<T extends FeedRow, S>(ctx: AuthedContext, delivery: Delivery<T, S>): AsyncIterableIterator<S> {
  const cancellation = new Cancellation();
  return cancellation.wrap(stream(ctx, delivery, cancellation));
}

async function* stream<T extends FeedRow, S>(
  ctx: AuthedContext,
  { feed, after, accepts, see: seen, allowed = () => true }: Delivery<T, S>,
  cancellation: Cancellation,
): AsyncGenerator<S> {
  // The feed fails a subscriber that falls behind while its consumer may be stuck writing to a
  // full socket: close that socket right away rather than when the client reads again.
  const closeOnFail = (error: FeedClosed) => ctx.connection?.close(error.code, error.message);
  // A member demoted while subscribed: the subscription ends at once rather than at its next row.
  const stopWatching = ctx.connection?.onActorChange(() => {
    if (!allowed()) cancellation.cancel();
  });
  try {
    for await (const row of ctx.feeds.subscribe<T>(feed, ctx.actor.workspaceId, after, accepts, sizeOf, closeOnFail, cancellation)) {
      if (!allowed()) return;
      if ((ctx.connection?.bufferedAmount() ?? 0) > MAX_SOCKET_BUFFER)
        throw new FeedClosed(1013, "Subscriber too slow: resume from your last cursor");
      const visible = seen(row);
      if (visible) yield visible;
    }
  } catch (error) {
    if (error instanceof FeedClosed) {
      ctx.connection?.close(error.code, error.message);
      return;
    }
    throw error;
  } finally {
    stopWatching?.();
  }
}
