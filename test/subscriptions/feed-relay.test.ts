import type { FeedName } from "../../src/db/sql-scope";
import type { ParsedCursor } from "../../src/services/tickets/event-log";
import { Cancellation, FeedClosed, FeedRelay, type FeedRow, type FeedSource, position, Subscriber } from "../../src/subscriptions/feed";
import { until } from "../support/server-process";

/**
 * The feed relay against a scripted source, for what a real database makes hard to time: a
 * commit announced while a read is running, and rows a running transaction keeps invisible.
 */

interface Row extends FeedRow {
  visible: boolean;
}

const key = (cursor: string) => position(cursor);
const isAfter = (cursor: string, from: ParsedCursor | undefined) => {
  if (!from) return true;
  const [a, b] = key(cursor);
  const [x, y] = [BigInt(from.txId), BigInt(from.seq)];
  return a > x || (a === x && b > y);
};

/** A feed of rows, each readable once `visible`; `hold()` makes the next read wait for `release()`. */
function scriptedSource() {
  const rows: Row[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let reads = 0;
  const source: FeedSource<Row> = {
    async read(_workspaceId, after, limit) {
      reads++;
      if (gate) await gate;
      if (limit === 0) return { rows: [], horizon: "10.0" };
      return { rows: rows.filter((r) => r.visible && isAfter(r.cursor, after)).slice(0, limit), horizon: "10.0" };
    },
  };
  return {
    source,
    rows,
    reads: () => reads,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
}

describe("FeedRelay", () => {
  it("keeps looking for an announced row that is not visible yet, also when the announcement came during a read", async () => {
    const script = scriptedSource();
    const relay = new FeedRelay(
      { events: script.source, flowStarts: script.source, notifications: script.source } as Record<FeedName, FeedSource<FeedRow>>,
      { maxQueued: 1000, maxQueuedBytes: 1 << 20 },
      (error) => {
        throw error;
      },
    );
    const received: string[] = [];
    const feed = relay.subscribe<Row>(
      "events",
      "w1",
      undefined,
      () => true,
      () => 1,
    );
    const reading = (async () => {
      for await (const row of feed) {
        received.push(row.cursor);
        if (received.length === 2) return;
      }
    })();
    // The subscription is live once its first read has run.
    await until(() => script.reads() >= 2, "the subscription's first read", 300);
    script.rows.push({ cursor: "11.1", visible: true });
    relay.wake("events", "w1", "11.1");
    await until(() => received.length === 1, "the first row", 300);

    // A read is running (a sweep, say) when a commit announces 12.1, which an older transaction
    // still keeps invisible; the read, and the one after it, find nothing.
    script.hold();
    relay.wake("events", "w1");
    const before = script.reads();
    await until(() => script.reads() > before, "the running read", 300);
    script.rows.push({ cursor: "12.1", visible: false });
    relay.wake("events", "w1", "12.1");
    script.release();
    const afterRelease = script.reads();
    await until(() => script.reads() >= afterRelease + 1, "the read after the announcement", 300);
    // The older transaction ends: the row shows, and the relay, still looking for it, reads it.
    script.rows[1].visible = true;
    await until(() => received.length === 2, "the announced row", 300);
    expect(received).toEqual(["11.1", "12.1"]);
    await reading;
  });
});

describe("a subscription the client leaves", () => {
  it("ends while it waits for rows and leaves its feed, instead of waiting for the next row", async () => {
    const script = scriptedSource();
    const relay = new FeedRelay(
      { events: script.source, flowStarts: script.source, notifications: script.source } as Record<FeedName, FeedSource<FeedRow>>,
      { maxQueued: 1000, maxQueuedBytes: 1 << 20 },
      (error) => {
        throw error;
      },
    );
    const cancellation = new Cancellation();
    const iterator = cancellation.wrap(
      relay.subscribe<Row>(
        "events",
        "w",
        undefined,
        () => true,
        () => 1,
        undefined,
        cancellation,
      ),
    );
    const pending = iterator.next();
    await until(() => script.reads() > 0, "the subscription to start", 300);
    await new Promise((r) => setTimeout(r, 20));
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    // Its feed is gone: a row written now is read by nobody.
    const readsBefore = script.reads();
    script.rows.push({ cursor: "11.1", visible: true });
    relay.wake("events", "w", "11.1");
    relay.sweep();
    await new Promise((r) => setTimeout(r, 50));
    expect(script.reads()).toBe(readsBefore);
  });
});

describe("Subscriber", () => {
  it("is not too slow for the bytes of what one read hands it at once, only for more", async () => {
    const failures: number[] = [];
    const sub = new Subscriber<FeedRow>(
      key("1.0"),
      () => true,
      { maxQueued: 1000, maxQueuedBytes: 1000 },
      () => 100,
      (error) => failures.push(error.code),
    );
    sub.live();
    // A read of 200 large rows (20,000 bytes) reaches a subscriber that reads as fast as it can.
    for (let i = 1; i <= 200; i++) sub.offer({ cursor: `2.${i}` });
    expect(failures).toEqual([]);
    expect(await sub.next()).toHaveLength(200);
    // One that has not taken 501 large rows is too slow.
    for (let i = 1; i <= 501; i++) sub.offer({ cursor: `3.${i}` });
    expect(failures).toEqual([1013]);
  });

  it.each([
    ["live", true],
    ["replaying", false],
  ])("past a limit while %s: fails once, tells its owner at once, and takes nothing more", async (_label, live) => {
    const sized: string[] = [];
    const failures: number[] = [];
    const sub = new Subscriber<FeedRow>(
      key("1.0"),
      () => true,
      { maxQueued: 3, maxQueuedBytes: 1 << 20 },
      (row) => (sized.push(row.cursor), 1),
      (error) => failures.push(error.code),
    );
    if (live) sub.live();
    for (let i = 1; i <= 10; i++) sub.offer({ cursor: `2.${i}` });
    // The owner closes the socket from this callback: a consumer stuck on a full socket would
    // never call next() to find out.
    expect(failures).toEqual([1013]);
    if (live) expect(sized).toEqual(["2.1", "2.2", "2.3", "2.4"]);
    if (!live) {
      sub.live();
      expect(sized).toEqual([]);
    }
    await expect(sub.next()).rejects.toBeInstanceOf(FeedClosed);
    sub.fail(new FeedClosed(1012, "shutting down"));
    expect(failures).toEqual([1013]);
  });
});
