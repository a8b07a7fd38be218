import pg from "pg";
import { addMember, ok, openTicket, team, uuid } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { untilBlockedBy } from "../support/database";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

interface FeedEvent {
  id: string;
  cursor: string;
  type: string;
  ticketVersion: number;
  note: string | null;
  ticket: { id: string };
}

interface FeedPage {
  edges: Array<{ cursor: string; node: FeedEvent }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const FEED = `query($after: String, $filter: TicketEventFilter, $first: Int) {
  ticketEvents(after: $after, filter: $filter, first: $first) {
    edges { cursor node { id cursor type ticketVersion note ticket { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id version } failures { ticketId code } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id version } failures { ticketId code } } }`;
const REOPEN = `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { tickets { id version } failures { ticketId code } } }`;
const ASSIGN = `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { tickets { id version } failures { ticketId code } } }`;
const TOPIC = `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id version } failures { ticketId code } } }`;

type Changed = Array<{ id: string; version: number }>;

/** Runs a bulk ticket mutation, fails the test on any failure, and returns the changed tickets. */
async function bulk(mutation: string, input: Record<string, unknown>, token: string): Promise<Changed> {
  const data = await ok<Record<string, { tickets: Changed; failures: unknown[] }>>(srv, mutation, { i: input }, token);
  const payload = Object.values(data)[0];
  expect(payload.failures).toEqual([]);
  return payload.tickets;
}

async function createTopic(token: string, name: string): Promise<string> {
  const data = await ok<{ createTopic: { topic: { id: string } } }>(
    srv,
    `mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } } }`,
    { i: { name } },
    token,
  );
  return data.createTopic.topic.id;
}

async function feed(token: string, args: { after?: string | null; filter?: Record<string, unknown>; first?: number }): Promise<FeedPage> {
  const data = await ok<{ ticketEvents: FeedPage }>(srv, FEED, args, token);
  return data.ticketEvents;
}

/** An event cursor "txId.seq" as a comparable pair. */
function cursorKey(cursor: string): [bigint, bigint] {
  const match = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!match) throw new Error(`not an event cursor: ${cursor}`);
  return [BigInt(match[1]), BigInt(match[2])];
}

function compareCursors(a: string, b: string): number {
  const [x, y] = [cursorKey(a), cursorKey(b)];
  return x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1;
}

function expectIncreasing(events: FeedEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    if (compareCursors(events[i - 1].cursor, events[i].cursor) >= 0) {
      throw new Error(`cursor ${events[i].cursor} at ${i} does not follow ${events[i - 1].cursor}`);
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the feed from `after`, following endCursor, until `done` holds for what was collected and
 * the feed has no next page. Events become readable once every older transaction (of the whole
 * PostgreSQL cluster) has ended, so a poll may come back empty for a moment.
 */
async function readUntil(
  token: string,
  opts: { after?: string | null; filter?: Record<string, unknown>; first?: number },
  done: (events: FeedEvent[]) => boolean,
): Promise<{ events: FeedEvent[]; endCursor: string | null }> {
  const events: FeedEvent[] = [];
  let after = opts.after ?? null;
  for (;;) {
    const page = await feed(token, { after, filter: opts.filter, first: opts.first ?? 100 });
    expect(page.edges.map((e) => e.cursor)).toEqual(page.edges.map((e) => e.node.cursor));
    events.push(...page.edges.map((e) => e.node));
    after = page.pageInfo.endCursor;
    if (page.pageInfo.hasNextPage) continue;
    if (done(events)) return { events, endCursor: after };
    if (page.edges.length === 0) await pause(5);
  }
}

const count = (n: number) => (events: FeedEvent[]) => events.length >= n;
const summary = (events: FeedEvent[]) => events.map((e) => `${e.ticket.id}:${e.ticketVersion}:${e.type}`);

describe("ticketEvents", () => {
  let admin: SignedUp;
  let agent: SignedUp;
  let sales: string;
  let t1: string;
  let t2: string;
  let t3: string;
  /** What happened, in order; the events of one call as one group. */
  const groups: Array<Array<{ ticket: string; type: string; version: number }>> = [];
  const expectedFlat = () => groups.flat();
  let all: FeedEvent[];

  beforeAll(async () => {
    ({ admin, agent } = await team(srv));
    sales = await createTopic(admin.token, "Sales");
    t1 = (await openTicket(srv, admin.token, { note: "first" })).id;
    groups.push([{ ticket: t1, type: "OPENED", version: 1 }]);
    t2 = (await openTicket(srv, admin.token)).id;
    groups.push([{ ticket: t2, type: "OPENED", version: 1 }]);
    t3 = (await openTicket(srv, admin.token, { topicId: sales })).id;
    groups.push([{ ticket: t3, type: "OPENED", version: 1 }]);
    await bulk(NOTE, { ticketIds: [t1], note: "a note" }, agent.token);
    groups.push([{ ticket: t1, type: "NOTE_ADDED", version: 2 }]);
    await bulk(ASSIGN, { ticketIds: [t2], assigneeId: agent.userId }, admin.token);
    groups.push([{ ticket: t2, type: "ASSIGNED", version: 2 }]);
    await bulk(CLOSE, { ticketIds: [t3] }, agent.token);
    groups.push([{ ticket: t3, type: "CLOSED", version: 2 }]);
    await bulk(NOTE, { ticketIds: [t1, t2], note: "to both" }, admin.token);
    groups.push([
      { ticket: t1, type: "NOTE_ADDED", version: 3 },
      { ticket: t2, type: "NOTE_ADDED", version: 3 },
    ]);
    await bulk(TOPIC, { ticketIds: [t2], topicId: sales }, agent.token);
    groups.push([{ ticket: t2, type: "TOPIC_CHANGED", version: 4 }]);
    await bulk(REOPEN, { ticketIds: [t3] }, admin.token);
    groups.push([{ ticket: t3, type: "REOPENED", version: 3 }]);
    await bulk(NOTE, { ticketIds: [t2], note: "in sales now" }, admin.token);
    groups.push([{ ticket: t2, type: "NOTE_ADDED", version: 5 }]);
    all = (await readUntil(admin.token, { first: 3 }, count(expectedFlat().length))).events;
  });

  it("lists events oldest first, in the order they were committed, each cursor above the one before", async () => {
    expectIncreasing(all);
    expect(all).toHaveLength(expectedFlat().length);
    let at = 0;
    for (const group of groups) {
      const got = all.slice(at, at + group.length).map((e) => ({ ticket: e.ticket.id, type: e.type, version: e.ticketVersion }));
      expect(got.sort((a, b) => (a.ticket < b.ticket ? -1 : 1))).toEqual([...group].sort((a, b) => (a.ticket < b.ticket ? -1 : 1)));
      at += group.length;
    }
    expect(all[0].note).toBe("first");
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it("pages with first and resumes from pageInfo.endCursor or any event's cursor", async () => {
    const p1 = await feed(admin.token, { first: 4 });
    expect(p1.edges.map((e) => e.node.id)).toEqual(all.slice(0, 4).map((e) => e.id));
    expect(p1.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: all[0].cursor, endCursor: all[3].cursor });
    const p2 = await feed(admin.token, { first: 100, after: p1.pageInfo.endCursor });
    expect(p2.edges.map((e) => e.node.id)).toEqual(all.slice(4).map((e) => e.id));
    expect(p2.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: all[4].cursor,
      endCursor: all.at(-1)!.cursor,
    });
    for (let i = 0; i < all.length; i++) {
      const rest = await feed(admin.token, { after: all[i].cursor });
      expect(rest.edges.map((e) => e.node.id)).toEqual(all.slice(i + 1).map((e) => e.id));
    }
    // At the end: nothing, and the cursor stays where it was.
    const end = await feed(admin.token, { after: all.at(-1)!.cursor });
    expect(end).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: all.at(-1)!.cursor },
    });
    const exact = await feed(admin.token, { first: all.length });
    expect(exact.pageInfo.hasNextPage).toBe(false);
  });

  it("filters by ticket, by topic (the event's topic or previous topic) and by type", async () => {
    const generalTopic = (
      await ok<{ topics: Array<{ id: string; isSystem: boolean }> }>(srv, `{ topics { id isSystem } }`, {}, admin.token)
    ).topics.find((t) => t.isSystem)!.id;
    const ids = async (filter: Record<string, unknown>, first = 2) =>
      summary((await readUntil(agent.token, { filter, first }, () => true)).events);
    const expectFrom = (keep: (e: FeedEvent) => boolean) => summary(all.filter(keep));

    expect(await ids({ ticketId: t2 })).toEqual(expectFrom((e) => e.ticket.id === t2));
    expect(await ids({ types: ["CLOSED", "REOPENED"] })).toEqual(expectFrom((e) => e.type === "CLOSED" || e.type === "REOPENED"));
    expect(await ids({ ticketId: t1, types: ["NOTE_ADDED"] })).toEqual(expectFrom((e) => e.ticket.id === t1 && e.type === "NOTE_ADDED"));
    // t2 moved from General to Sales: its TOPIC_CHANGED is in both.
    const t2Moved = all.findIndex((e) => e.ticket.id === t2 && e.type === "TOPIC_CHANGED");
    const inGeneral = (e: FeedEvent, i: number) => e.ticket.id === t1 || (e.ticket.id === t2 && i <= t2Moved);
    const inSales = (e: FeedEvent, i: number) => e.ticket.id === t3 || (e.ticket.id === t2 && i >= t2Moved);
    expect(await ids({ topicIds: [generalTopic] })).toEqual(summary(all.filter(inGeneral)));
    expect(await ids({ topicIds: [sales] })).toEqual(summary(all.filter(inSales)));
    expect(await ids({ topicIds: [sales, generalTopic] })).toEqual(summary(all));
    expect(await ids({ topicIds: [sales], types: ["TOPIC_CHANGED"] })).toEqual([`${t2}:4:TOPIC_CHANGED`]);
    expect(await ids({ topicIds: [] })).toEqual([]);
    expect(await ids({ types: [] })).toEqual([]);
    // Filters combine with a cursor.
    const after = all[4].cursor;
    const rest = await readUntil(agent.token, { after, filter: { ticketId: t2 } }, () => true);
    expect(summary(rest.events)).toEqual(summary(all.slice(5).filter((e) => e.ticket.id === t2)));

    const bad = await srv.gql(FEED, { filter: { ticketId: "garbage" } }, agent.token);
    expect(bad.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const wrongType = await srv.gql(FEED, { filter: { ticketId: sales } }, agent.token);
    expect(wrongType.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("never shows another workspace's events, whatever the filter", async () => {
    const stranger = await srv.signUp();
    const foreign = await openTicket(srv, stranger.token, { note: "theirs" });
    await bulk(NOTE, { ticketIds: [foreign.id], note: "still theirs" }, stranger.token);
    const theirs = await readUntil(stranger.token, {}, count(2));
    expect(summary(theirs.events)).toEqual([`${foreign.id}:1:OPENED`, `${foreign.id}:2:NOTE_ADDED`]);

    const mine = await readUntil(admin.token, { first: 2 }, count(all.length));
    expect(summary(mine.events)).toEqual(summary(all));
    const byForeignTicket = await srv.gql<{ ticketEvents: FeedPage }>(FEED, { filter: { ticketId: foreign.id } }, admin.token);
    if (byForeignTicket.errors) expect(byForeignTicket.errors[0].extensions?.code).toBe("NOT_FOUND");
    else expect(byForeignTicket.data?.ticketEvents.edges).toEqual([]);
    const foreignTopic = (await ok<{ topics: Array<{ id: string }> }>(srv, `{ topics { id } }`, {}, stranger.token)).topics[0].id;
    const byForeignTopic = await srv.gql<{ ticketEvents: FeedPage }>(FEED, { filter: { topicIds: [foreignTopic] } }, admin.token);
    if (byForeignTopic.errors) expect(byForeignTopic.errors[0].extensions?.code).toBe("NOT_FOUND");
    else expect(byForeignTopic.data?.ticketEvents.edges).toEqual([]);
    // Their event's id is NOT_FOUND here.
    const node = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: theirs.events[0].id }, admin.token);
    expect(node.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const own = await ok<{ node: { id: string } }>(srv, `query($id: ID!) { node(id: $id) { id } }`, { id: all[0].id }, agent.token);
    expect(own.node.id).toBe(all[0].id);
  });

  it("a cursor the feed did not give out is BAD_USER_INPUT naming after; first is 1..100", async () => {
    const garbage = [
      "garbage",
      "1",
      "1.",
      ".1",
      "1.2.3",
      "-1.2",
      "1.-2",
      "a.b",
      " 1.2",
      "99999999999999999999.1",
      "9999999999999999999.1",
      "1.9999999999999999999",
      all[0].id,
    ];
    const answers: Array<{ after: string; ext: unknown }> = [];
    for (const after of garbage) answers.push({ after, ext: (await srv.gql(FEED, { after }, agent.token)).errors?.[0].extensions });
    expect(answers).toEqual(garbage.map((after) => ({ after, ext: { code: "BAD_USER_INPUT", field: "after", fieldPath: ["after"] } })));
    for (const first of [0, -1, 101]) {
      const res = await srv.gql(FEED, { first }, agent.token);
      expect({ first, ext: res.errors?.[0].extensions }).toEqual({ first, ext: { code: "BAD_USER_INPUT", field: "first", fieldPath: ["first"] } });
    }
    // The start of the log is a cursor like any other.
    const start = await feed(agent.token, { after: "0.0", first: 100 });
    expect(start.edges.map((e) => e.node.id)).toEqual(all.map((e) => e.id));
  });
});

describe("cursor order is commit order", () => {
  /** A raw connection to the server's database, writing events as the server does. */
  async function rawClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: srv.databaseUrl });
    await client.connect();
    return client;
  }

  const insertEvent = (client: pg.Client, ticketId: string, version: number, note: string) =>
    client.query(
      `INSERT INTO ticket_events (id, workspace_id, ticket_id, ticket_version, type, topic_id, note)
       SELECT gen_random_uuid(), t.workspace_id, t.id, $2, 'NOTE_ADDED', t.topic_id, $3 FROM tickets t WHERE t.id = $1`,
      [uuid(ticketId), version, note],
    );

  const xid = async (client: pg.Client) => BigInt((await client.query<{ x: string }>(`SELECT pg_current_xact_id()::text AS x`)).rows[0].x);

  it("holds back an event committed first until an older transaction's event is committed, then gives both in order", async () => {
    const { admin } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const start = await readUntil(admin.token, {}, count(1));
    expect(summary(start.events)).toEqual([`${ticket.id}:1:OPENED`]);
    const cursor = start.endCursor!;

    const [a, b, c, observer] = await Promise.all([rawClient(), rawClient(), rawClient(), rawClient()]);
    try {
      await a.query("BEGIN");
      await insertEvent(a, ticket.id, 1001, "A");
      await b.query("BEGIN");
      await insertEvent(b, ticket.id, 1002, "B");
      await c.query("BEGIN");
      await insertEvent(c, ticket.id, 1003, "C, rolled back");
      // A wrote first: the lower cursor.
      expect(await xid(a)).toBeLessThan(await xid(b));
      await b.query("COMMIT");
      await c.query("ROLLBACK");
      // B is committed and visible to any SQL reader...
      const committed = await observer.query(`SELECT note FROM ticket_events WHERE ticket_id = $1 AND ticket_version > 1000`, [
        uuid(ticket.id),
      ]);
      expect(committed.rows).toEqual([{ note: "B" }]);
      // ...but the feed holds it back while A, which holds a lower cursor, may still commit.
      for (let poll = 0; poll < 5; poll++) {
        const held = await feed(admin.token, { after: cursor });
        expect(held).toEqual({
          edges: [],
          pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: cursor },
        });
        await pause(5);
      }
      await a.query("COMMIT");
    } finally {
      // An open transaction would hold back every reader of this cluster.
      await Promise.all([a, b, c, observer].map((client) => client.end()));
    }
    const after = await readUntil(admin.token, { after: cursor, first: 1 }, count(2));
    expect(after.events.map((e) => e.note)).toEqual(["A", "B"]);
    expectIncreasing(after.events);
    expect(after.events.map((e) => e.ticketVersion)).toEqual([1001, 1002]);
    // And nothing else (C rolled back).
    const rest = await feed(admin.token, { after: after.endCursor });
    expect(rest.edges).toEqual([]);
  });

  it("gives a ticket's events in version order when a change waited for a lock after its transaction began writing", async () => {
    const { admin, editor } = await team(srv);
    // Contacts are locked in id order: P's contact before Q's.
    const p = await openTicket(srv, admin.token);
    const q = await openTicket(srv, admin.token);
    await bulk(CLOSE, { ticketIds: [p.id, q.id] }, admin.token);
    const [holder, observer] = await Promise.all([rawClient(), rawClient()]);
    let reopened: Promise<Changed>;
    try {
      // Another transaction holds Q's contact.
      await holder.query("BEGIN");
      await holder.query(`SELECT id FROM contacts WHERE id = $1 FOR UPDATE`, [uuid(q.contact.id)]);
      // Reopening P and Q locks P's contact (its transaction now has an id), then waits for Q's.
      reopened = bulk(REOPEN, { ticketIds: [p.id, q.id] }, admin.token);
      await untilBlockedBy(holder, observer);
      // Meanwhile a note on Q commits: version 3.
      const noted = await bulk(NOTE, { ticketIds: [q.id], note: "while the reopen waits" }, editor.token);
      expect(noted).toEqual([{ id: q.id, version: 3 }]);
      await holder.query("COMMIT");
    } finally {
      await Promise.all([holder.end(), observer.end()]);
    }
    // The reopen commits after the note, as version 4.
    expect((await reopened).find((t) => t.id === q.id)?.version).toBe(4);
    const { events } = await readUntil(admin.token, { filter: { ticketId: q.id } }, count(4));
    expect(summary(events)).toEqual([`${q.id}:1:OPENED`, `${q.id}:2:CLOSED`, `${q.id}:3:NOTE_ADDED`, `${q.id}:4:REOPENED`]);
  });

  it("a reader polling while many writers add notes collects every event once, in cursor order, with no gap", async () => {
    const { admin, editor, agent } = await team(srv);
    const more = await Promise.all([addMember(srv, admin.workspaceId, "EDITOR", "e2"), addMember(srv, admin.workspaceId, "AGENT", "a2")]);
    const writers = [admin, editor, agent, ...more];
    const tickets: string[] = [];
    for (let i = 0; i < 12; i++) tickets.push((await openTicket(srv, admin.token)).id);

    /** Where the reader may stop: the last event of the final read, once the writers are done. */
    const stop: { at?: string } = {};
    const collected: FeedEvent[] = [];
    let polls = 0;
    const reader = (async () => {
      let after: string | null = null;
      while (stop.at === undefined || after === null || compareCursors(after, stop.at) < 0) {
        const page = await feed(admin.token, { after, first: 7 });
        polls += 1;
        collected.push(...page.edges.map((e) => e.node));
        after = page.pageInfo.endCursor;
        if (page.edges.length === 0) await pause(2);
      }
    })();

    let written = tickets.length;
    let seed = 1;
    const pick = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 50; i++) {
          const ids = [...new Set([tickets[pick() % tickets.length], tickets[pick() % tickets.length]].slice(0, 1 + (i % 2)))];
          const changed = await bulk(NOTE, { ticketIds: ids, note: `writer ${w} note ${i}` }, writer.token);
          written += changed.length;
        }
      }),
    );
    expect(written).toBeGreaterThan(300);

    const final = await readUntil(admin.token, {}, count(written));
    expect(final.events).toHaveLength(written);
    stop.at = final.events.at(-1)!.cursor;
    await reader;

    expectIncreasing(final.events);
    expectIncreasing(collected);
    expect(new Set(collected.map((e) => e.id)).size).toBe(collected.length);
    expect(collected.map((e) => e.id)).toEqual(final.events.map((e) => e.id));
    // Every ticket's versions are all there, in order.
    for (const ticket of tickets) {
      const versions = collected.filter((e) => e.ticket.id === ticket).map((e) => e.ticketVersion);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    expect(polls).toBeGreaterThan(1);
  });
});

describe("TicketConnection.eventCursor", () => {
  const LIST = `{ tickets(filter: { status: null }, first: 5) { eventCursor edges { node { id version } } } }`;

  it("a client that loads a page and reads ticketEvents after its eventCursor misses no later change", async () => {
    const { admin, agent } = await team(srv);
    const opened = [];
    for (let i = 0; i < 4; i++) opened.push(await openTicket(srv, admin.token));
    const [t1, t2, t3] = opened.map((t) => t.id);

    const { tickets } = await ok<{ tickets: { eventCursor: string; edges: Array<{ node: { id: string } }> } }>(srv, LIST, {}, agent.token);
    expect(tickets.eventCursor).toMatch(/^\d+\.\d+$/);
    expect(tickets.edges).toHaveLength(4);

    const changes: string[] = [];
    for (const t of await bulk(NOTE, { ticketIds: [t1], note: "after the list" }, agent.token)) changes.push(`${t.id}:${t.version}`);
    for (const t of await bulk(CLOSE, { ticketIds: [t2] }, agent.token)) changes.push(`${t.id}:${t.version}`);
    for (const t of await bulk(ASSIGN, { ticketIds: [t3], assigneeId: agent.userId }, admin.token)) changes.push(`${t.id}:${t.version}`);
    const t5 = await openTicket(srv, admin.token);
    changes.push(`${t5.id}:1`);

    const read = await readUntil(agent.token, { after: tickets.eventCursor }, (events) => {
      const seen = new Set(events.map((e) => `${e.ticket.id}:${e.ticketVersion}`));
      return changes.every((c) => seen.has(c));
    });
    const later = read.events.map((e) => `${e.ticket.id}:${e.ticketVersion}`).filter((k) => changes.includes(k));
    expect(later).toEqual(changes);
    expectIncreasing(read.events);
  });

  it("includes a change whose transaction was still running when the page was read", async () => {
    const { admin } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const writer = new pg.Client({ connectionString: srv.databaseUrl });
    await writer.connect();
    let eventCursor: string;
    try {
      await writer.query("BEGIN");
      await writer.query(
        `INSERT INTO ticket_events (id, workspace_id, ticket_id, ticket_version, type, topic_id, note)
         SELECT gen_random_uuid(), t.workspace_id, t.id, 1001, 'NOTE_ADDED', t.topic_id, 'in flight' FROM tickets t WHERE t.id = $1`,
        [uuid(ticket.id)],
      );
      const list = await ok<{ tickets: { eventCursor: string } }>(srv, LIST, {}, admin.token);
      eventCursor = list.tickets.eventCursor;
      await writer.query("COMMIT");
    } finally {
      await writer.end();
    }
    const read = await readUntil(admin.token, { after: eventCursor }, (events) => events.some((e) => e.note === "in flight"));
    expect(read.events.filter((e) => e.note === "in flight")).toHaveLength(1);
  });
});
