import type { Socket } from "node:net";
import WebSocket from "ws";
import { ok, openTicket } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";
import { subscribe } from "../support/subscriber";

/**
 * A subscriber that stops reading is closed with 1013 ("try again later") once it falls too far
 * behind, and resumes from the last cursor it got; meanwhile the other subscribers of the same
 * workspace get every event, because the shared feed never waits for a slow one.
 */
let srv: TestServer;
let admin: SignedUp;
beforeAll(async () => {
  srv = await startTestServer({ FEED_SWEEP_INTERVAL_MS: "500", WS_KEEP_ALIVE_MS: "1000" });
  admin = await srv.signUp();
});
afterAll(async () => {
  await srv?.close();
});

interface Received {
  cursor: string;
  note: string | null;
}

const SUBSCRIBE = `subscription($after: String, $filter: TicketEventFilter) {
  ticketEvents(after: $after, filter: $filter) { cursor note }
}`;
const NOTES_ONLY = { types: ["NOTE_ADDED"] };

/**
 * A client speaking graphql-transport-ws by hand over `ws`, so that the test can stop reading
 * from its TCP socket (the stock client has no way to).
 */
function rawSubscriber(token: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws");
  const events: Received[] = [];
  const other: unknown[] = [];
  let acknowledged = false;
  let close: { code: number; reason: string } | undefined;
  socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } })));
  socket.on("message", (data: WebSocket.RawData) => {
    const message = JSON.parse(data.toString()) as {
      type: string;
      payload?: { data?: { ticketEvents: Received } };
    };
    if (message.type === "connection_ack") {
      acknowledged = true;
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: SUBSCRIBE, variables } }));
    } else if (message.type === "next" && message.payload?.data) {
      events.push(message.payload.data.ticketEvents);
    } else if (message.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else {
      other.push(message);
    }
  });
  socket.on("close", (code, reason) => (close = { code, reason: reason.toString() }));
  // The TCP socket under the WebSocket: pausing it stops reading, so the server's writes back up.
  const tcp = () => (socket as unknown as { _socket: Socket })._socket;
  return {
    events,
    other,
    acknowledged: () => acknowledged,
    close: () => close,
    pause: () => tcp().pause(),
    resume: () => tcp().resume(),
    terminate: () => socket.terminate(),
  };
}

/** A subscriber with the stock client, reading as fast as it can. */
const stockSubscriber = (token: string, variables: Record<string, unknown>) =>
  subscribe<{ ticketEvents: Received }>(srv.wsUrl, token, SUBSCRIBE, { variables });

/** Every NOTE_ADDED event of the log after a cursor, as ticketEvents pages it. */
async function notesAfter(after: string, atLeast: number): Promise<Received[]> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const all: Received[] = [];
    let cursor: string | null = after;
    for (;;) {
      const page: { ticketEvents: { nodes: Received[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await ok(
        srv,
        `query($after: String, $filter: TicketEventFilter) {
          ticketEvents(after: $after, filter: $filter, first: 100) { nodes { cursor note } pageInfo { hasNextPage endCursor } } }`,
        { after: cursor, filter: NOTES_ONLY },
        admin.token,
      );
      all.push(...page.ticketEvents.nodes);
      cursor = page.ticketEvents.pageInfo.endCursor ?? cursor;
      if (!page.ticketEvents.pageInfo.hasNextPage) break;
    }
    if (all.length >= atLeast) return all;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the log never held ${atLeast} notes`);
}

const cursors = (events: Received[]) => events.map((e) => e.cursor);

it("closes a subscriber that stops reading with 1013; it resumes from its last cursor; the others get every event meanwhile", async () => {
  const tickets = [];
  for (let i = 0; i < 5; i++) tickets.push(...(await Promise.all(Array.from({ length: 20 }, () => openTicket(srv, admin.token)))));
  const ticketIds = tickets.map((t) => t.id);
  const start = (await ok<{ tickets: { eventCursor: string } }>(srv, `{ tickets(first: 1) { eventCursor } }`, {}, admin.token)).tickets
    .eventCursor;

  const slow = rawSubscriber(admin.token, { after: start, filter: NOTES_ONLY });
  const normal = stockSubscriber(admin.token, { after: start, filter: NOTES_ONLY });
  await until(() => slow.acknowledged(), "the slow subscriber's connection");
  // One event while everyone reads: both are subscribed and live.
  await ok(
    srv,
    `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [ticketIds[0]], note: "warm-up" } },
    admin.token,
  );
  await until(() => slow.events.length === 1 && normal.events.length === 1, "the warm-up event on both");

  slow.pause();
  // 100 events of about 10 kB per call: far more than the socket buffers and the 1 MiB limit hold.
  const big = "x".repeat(9_990);
  const rounds = 20;
  for (let round = 0; round < rounds; round++) {
    await ok(
      srv,
      `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
      { i: { ticketIds, note: `${String(round).padStart(4, "0")} ${big}` } },
      admin.token,
    );
  }
  const total = 1 + rounds * ticketIds.length;
  const expected = await notesAfter(start, total);
  expect(expected).toHaveLength(total);

  // The normal subscriber got every event, in order, while the slow one read nothing.
  await until(() => normal.events.length >= total || normal.closes.length > 0, "every event on the normal subscriber");
  expect(normal.closes).toEqual([]);
  expect(cursors(normal.events)).toEqual(cursors(expected));
  const stalledAt = slow.events.length;
  expect(stalledAt).toBeLessThan(total);
  expect(slow.close()).toBeUndefined();

  // Reading again, after longer than a refused peer is given to answer a close (3 s), and after
  // several unanswered pings (every second here): what was already on the way arrives, then the
  // close with its code (not a cut, 1006).
  await new Promise((r) => setTimeout(r, 5000));
  slow.resume();
  await until(() => slow.close() !== undefined, "the slow subscriber's close");
  expect(slow.close()?.code).toBe(1013);
  expect(slow.events.length).toBeLessThan(total);
  expect(cursors(slow.events)).toEqual(cursors(expected.slice(0, slow.events.length)));

  // A new subscription from the last cursor it got receives exactly the rest.
  const last = slow.events[slow.events.length - 1].cursor;
  const resumed = stockSubscriber(admin.token, { after: last, filter: NOTES_ONLY });
  await until(() => resumed.events.length >= total - slow.events.length, "the rest after resuming");
  expect(cursors([...slow.events, ...resumed.events])).toEqual(cursors(expected));
  expect(resumed.errors).toEqual([]);

  await Promise.all([normal.stop(), resumed.stop()]);
  slow.terminate();
}, 90_000);

it("cuts a peer that stops answering pings, and keeps one that answers", async () => {
  const open = (autoPong: boolean) => {
    const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws", { autoPong });
    let closed: number | undefined;
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${admin.token}` } })));
    socket.on("close", (code) => (closed = code));
    return { socket, closed: () => closed };
  };
  const silent = open(false);
  const answering = open(true);
  // Pinged every second here: the silent one misses a ping and is cut (no close frame: 1006).
  await until(() => silent.closed() !== undefined, "the silent peer's cut", 1000);
  expect(silent.closed()).toBe(1006);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(answering.closed()).toBeUndefined();
  answering.socket.close();
}, 30_000);
