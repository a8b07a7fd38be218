import type { FeedName } from "../db/sql-scope";
import { type ParsedCursor, parseEventCursor } from "../services/tickets/event-log";

/** A row of a feed: anything with a cursor "txId.seq". */
export interface FeedRow {
  cursor: string;
}

/** Reads a feed's rows of one workspace after a cursor, oldest first, below the horizon. */
export interface FeedSource<T extends FeedRow> {
  read(workspaceId: string, after: ParsedCursor | undefined, limit: number): Promise<{ rows: T[]; horizon: string }>;
  /**
   * Of these workspaces, the ones with rows after the given cursor below the horizon, found in
   * one statement: what a sweep has to read. Without it, a sweep reads every feed.
   */
  changed?(tails: ReadonlyArray<{ workspaceId: string; after: ParsedCursor }>): Promise<Set<string>>;
}

type Position = readonly [bigint, bigint];

export function position(cursor: string): Position {
  const parsed = parseEventCursor(cursor);
  if (!parsed) throw new Error(`not a feed cursor: ${cursor}`);
  return [BigInt(parsed.txId), BigInt(parsed.seq)];
}

/** A row's position, parsed once for all the subscribers it is offered to. */
const rowPositions = new WeakMap<FeedRow, Position>();
function positionOf(row: FeedRow): Position {
  let at = rowPositions.get(row);
  if (!at) {
    at = position(row.cursor);
    rowPositions.set(row, at);
  }
  return at;
}

function after(a: Position, b: Position): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

const toParsed = (p: Position): ParsedCursor => ({ txId: p[0].toString(), seq: p[1].toString() });

/** Why a subscription ended on the server's side. */
export class FeedClosed extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
  }
}

export interface SubscriberLimits {
  maxQueued: number;
  maxQueuedBytes: number;
}

/**
 * One subscription's view of a feed: what it has seen, what waits to be delivered, and which
 * rows it wants (its authorization and filter, applied to every row at delivery).
 */
export class Subscriber<T extends FeedRow> {
  seen: Position;
  private queue: T[] = [];
  private queuedBytes = 0;
  private pending: T[] | undefined = [];
  private waiting: (() => void) | undefined;
  private failure: FeedClosed | undefined;

  constructor(
    start: Position,
    private readonly accepts: (row: T) => boolean,
    private readonly limits: SubscriberLimits,
    private readonly size: (row: T) => number,
    private readonly onFail?: (error: FeedClosed) => void,
  ) {
    this.seen = start;
  }

  /**
   * A row read by the shared feed. Held back while this subscriber replays its history. Once the
   * subscriber has failed it takes nothing more: a client that stopped reading holds no more
   * than the limits until its socket is gone.
   */
  offer(row: T): void {
    if (this.failure) return;
    if (!this.pending) return this.take(row);
    this.pending.push(row);
    if (this.pending.length > this.limits.maxQueued) {
      this.fail(new FeedClosed(1013, "Subscriber too far behind: resume from your last cursor"));
    }
  }

  /** A row of this subscriber's own replay, in order: whether to deliver it now. */
  admit(row: T): boolean {
    const at = positionOf(row);
    if (!after(at, this.seen)) return false;
    this.seen = at;
    return this.accepts(row);
  }

  /** The replay has caught up: rows the feed offered meanwhile follow, without duplicates. */
  live(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const row of pending) this.take(row);
  }

  /**
   * Ends the subscription. `onFail` runs at once (it closes the socket), since a subscriber whose
   * consumer is stuck on a full socket would not notice the failure in `next()` until it reads.
   */
  fail(error: FeedClosed): void {
    if (this.failure) return;
    this.failure = error;
    this.onFail?.(error);
    this.waiting?.();
  }

  private cancelled = false;

  /** The client went away: a wait for rows ends at once, with none. */
  cancel(): void {
    this.cancelled = true;
    this.waiting?.();
  }

  /** The next rows to deliver, waiting for some when there are none; none once cancelled. */
  async next(): Promise<T[]> {
    while (this.queue.length === 0 && !this.failure && !this.cancelled) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
    if (this.failure) throw this.failure;
    if (this.cancelled) return [];
    const rows = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return rows;
  }

  private take(row: T): void {
    if (this.failure) return;
    const at = positionOf(row);
    if (!after(at, this.seen)) return;
    this.seen = at;
    if (!this.accepts(row)) return;
    this.queue.push(row);
    this.queuedBytes += this.size(row);
    // One read hands over up to READ_BATCH rows at once, before the consumer can take any: a
    // subscriber is too slow for its bytes only once it holds more than that.
    const tooManyBytes = this.queue.length > READ_BATCH && this.queuedBytes > this.limits.maxQueuedBytes;
    if (this.queue.length > this.limits.maxQueued || tooManyBytes) {
      this.fail(new FeedClosed(1013, "Subscriber too slow: resume from your last cursor"));
      return;
    }
    this.waiting?.();
  }
}

const READ_BATCH = 500;

/**
 * The tail of one feed of one workspace, shared by every subscriber of it in this process: a
 * wake-up reads the new rows once and offers them to each subscriber.
 */
class WorkspaceFeed<T extends FeedRow> {
  readonly subscribers = new Set<Subscriber<T>>();
  private tail: Position | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** The newest cursor a commit announced that no read has reached yet. */
  private wanted: Position | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly workspaceId: string,
    private readonly source: FeedSource<T>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Where the feed stands; read once, at the horizon, when the feed starts. */
  async start(): Promise<Position> {
    if (!this.tail) {
      const { horizon } = await this.source.read(this.workspaceId, { txId: "0", seq: "0" }, 0);
      this.tail ??= position(horizon);
    }
    return this.tail;
  }

  /**
   * Reads what is new, unless a read is running (then it runs once more after it). A target (a
   * cursor a commit announced) is kept until a read reaches it, even when it arrives mid-read.
   */
  wake(target?: Position): void {
    // An announcement of rows already read (this process's own commit, heard again from the
    // database or Redis) needs no read.
    if (target && this.tail && !after(target, this.tail)) return;
    if (target && (!this.wanted || after(target, this.wanted))) this.wanted = target;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      const from = await this.start();
      let tail = from;
      for (;;) {
        const { rows } = await this.source.read(this.workspaceId, toParsed(tail), READ_BATCH);
        for (const row of rows) for (const sub of this.subscribers) sub.offer(row);
        if (rows.length > 0) tail = positionOf(rows[rows.length - 1]);
        this.tail = tail;
        if (rows.length < READ_BATCH) break;
      }
      // A commit announced rows that an older, still running transaction keeps below the
      // horizon: look again shortly, until they show.
      const target = this.wanted;
      if (target && !after(tail, target) && !(tail[0] === target[0] && tail[1] === target[1])) {
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.wake(), 20);
        this.retry.unref();
      } else {
        this.wanted = undefined;
      }
    } catch (error) {
      this.onError(error);
    }
  }

  /** Where the feed has read up to, once it has started and when no read is running. */
  idleTail(): ParsedCursor | undefined {
    return this.tail && !this.running ? toParsed(this.tail) : undefined;
  }

  stop(): void {
    clearTimeout(this.retry);
  }
}

/** Feeds a sweep asks about per statement. */
const SWEEP_BATCH = 1000;

/**
 * Every feed tail of this process, by feed and workspace. Subscriptions attach here; wake-ups
 * (commits in this process, notifications from others, the periodic sweep) arrive here.
 */
export class FeedRelay {
  private readonly feeds = new Map<string, WorkspaceFeed<FeedRow>>();

  constructor(
    private readonly sources: Record<FeedName, FeedSource<FeedRow>>,
    private readonly limits: SubscriberLimits,
    private readonly onError: (error: unknown) => void,
  ) {}

  private readonly observers: Array<(feed: FeedName, workspaceId: string) => void> = [];

  /** Calls `observer` on every wake-up of a workspace's feed (a commit here or elsewhere), subscribed to or not. */
  observe(observer: (feed: FeedName, workspaceId: string) => void): void {
    this.observers.push(observer);
  }

  wake(feed: FeedName, workspaceId: string, cursor?: string): void {
    for (const observer of this.observers) observer(feed, workspaceId);
    const tail = this.feeds.get(`${feed}:${workspaceId}`);
    if (!tail) return;
    let target: Position | undefined;
    try {
      target = cursor ? position(cursor) : undefined;
    } catch {
      target = undefined;
    }
    tail.wake(target);
  }

  /**
   * Reads every active feed that has something new: the safety net for a lost notification. A
   * source that can tell which of its workspaces have new rows is asked in one statement per
   * thousand feeds; the others are read.
   */
  sweep(): void {
    const asked = new Map<FeedName, Array<{ feed: WorkspaceFeed<FeedRow>; workspaceId: string; after: ParsedCursor }>>();
    for (const [key, feed] of this.feeds) {
      const [name, workspaceId] = key.split(":") as [FeedName, string];
      const after = feed.idleTail();
      if (!after || !this.sources[name].changed) {
        feed.wake();
        continue;
      }
      const list = asked.get(name) ?? [];
      list.push({ feed, workspaceId, after });
      asked.set(name, list);
    }
    for (const [name, list] of asked) {
      const source = this.sources[name];
      for (let i = 0; i < list.length; i += SWEEP_BATCH) {
        const batch = list.slice(i, i + SWEEP_BATCH);
        source.changed!(batch.map(({ workspaceId, after }) => ({ workspaceId, after }))).then(
          (changed) => {
            for (const { feed, workspaceId } of batch) if (changed.has(workspaceId)) feed.wake();
          },
          (error: unknown) => {
            this.onError(error);
            for (const { feed } of batch) feed.wake();
          },
        );
      }
    }
  }

  /** Ends every subscription with a close code (shutdown). */
  closeAll(error: FeedClosed): void {
    for (const feed of this.feeds.values()) for (const sub of feed.subscribers) sub.fail(error);
  }

  /**
   * Subscribes: replays rows after `from` (when given) from the log, then continues with the
   * shared tail, in cursor order, with no gap and no duplicate.
   */
  async *subscribe<T extends FeedRow>(
    feedName: FeedName,
    workspaceId: string,
    from: ParsedCursor | undefined,
    accepts: (row: T) => boolean,
    size: (row: T) => number,
    onFail?: (error: FeedClosed) => void,
    cancellation: Cancellation = new Cancellation(),
  ): AsyncGenerator<T> {
    const key = `${feedName}:${workspaceId}`;
    let feed = this.feeds.get(key) as WorkspaceFeed<T> | undefined;
    if (!feed) {
      feed = new WorkspaceFeed<T>(workspaceId, this.sources[feedName] as FeedSource<T>, this.onError);
      this.feeds.set(key, feed as unknown as WorkspaceFeed<FeedRow>);
    }
    const tail = await feed.start();
    const start: Position = from ? [BigInt(from.txId), BigInt(from.seq)] : tail;
    const sub = new Subscriber<T>(start, accepts, this.limits, size, onFail);
    feed.subscribers.add(sub);
    cancellation.onCancel(() => sub.cancel());
    try {
      if (from) {
        const source = this.sources[feedName] as FeedSource<T>;
        for (;;) {
          const { rows } = await source.read(workspaceId, toParsed(sub.seen), READ_BATCH);
          for (const row of rows) if (!cancellation.cancelled && sub.admit(row)) yield row;
          if (rows.length < READ_BATCH || cancellation.cancelled) break;
        }
      }
      sub.live();
      feed.wake();
      while (!cancellation.cancelled) for (const row of await sub.next()) yield row;
    } finally {
      feed.subscribers.delete(sub);
      if (feed.subscribers.size === 0) {
        feed.stop();
        this.feeds.delete(key);
      }
    }
  }
}

/**
 * Ends a subscription from outside its iterator. An async generator's `return()` waits until the
 * generator reaches a `yield`, which a subscriber waiting for rows may never do: cancelling wakes
 * that wait, so the subscriber leaves its feed as soon as the client goes away.
 */
export class Cancellation {
  cancelled = false;
  private readonly hooks: Array<() => void> = [];

  onCancel(hook: () => void): void {
    if (this.cancelled) hook();
    else this.hooks.push(hook);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const hook of this.hooks) hook();
  }

  /** The iterator handed to graphql-ws: its `return()` cancels first, then ends the generator. */
  wrap<T>(iterator: AsyncGenerator<T>): AsyncIterableIterator<T> {
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => iterator.next(),
      return: (value?: unknown) => {
        this.cancel();
        return iterator.return(value as T);
      },
      throw: (error?: unknown) => iterator.throw(error),
    };
  }
}
