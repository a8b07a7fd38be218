import { BULK_FIELDS, newUrn, ok, openTicket, team } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let srv: TestServer;
let admin: SignedUp;
let agent: SignedUp;
let editor: SignedUp;
let billing: string;
beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, agent, editor } = await team(srv));
  const topic = await ok<{ createTopic: { topic: { id: string } } }>(
    srv,
    `mutation { createTopic(input: { name: "Billing" }) { topic { id } } }`,
    {},
    admin.token,
  );
  billing = topic.createTopic.topic.id;
});
afterAll(async () => {
  await srv?.close();
});

interface BulkTicket {
  id: string;
  status: string;
  version: number;
  lastActivityAt: string;
  closedAt: string | null;
  assignee: { id: string } | null;
  topic: { id: string };
}
interface Bulk {
  tickets: BulkTicket[];
  failures: Array<{ ticketId: string; code: string; message: string; conflictingTicket: { id: string } | null }>;
  userErrors: Array<{ code: string; field: string[] }>;
}

const mutation = (name: string, inputType: string) => `mutation($i: ${inputType}!) { ${name}(input: $i) { ${BULK_FIELDS} } }`;
const ASSIGN = mutation("assignTickets", "AssignTicketsInput");
const TOPIC = mutation("changeTicketTopic", "ChangeTicketTopicInput");
const CLOSE = mutation("closeTickets", "CloseTicketsInput");
const REOPEN = mutation("reopenTickets", "ReopenTicketsInput");
const NOTE = mutation("addTicketNote", "AddTicketNoteInput");

async function run(query: string, input: Record<string, unknown>, token = admin.token): Promise<Bulk> {
  const data = await ok<Record<string, Bulk>>(srv, query, { i: input }, token);
  return Object.values(data)[0];
}

async function events(ticketId: string): Promise<Array<Record<string, unknown>>> {
  const data = await ok<{ node: { events: { nodes: Array<Record<string, unknown>> } } }>(
    srv,
    `query($id: ID!) { node(id: $id) { ... on Ticket { events(first: 100) { nodes { type ticketVersion actor { id } assignee { id } previousAssignee { id } topic { id } previousTopic { id } note } } } } }`,
    { id: ticketId },
    admin.token,
  );
  return data.node.events.nodes;
}

describe("assign", () => {
  it("assigns and unassigns, with an ASSIGNED event each, without moving lastActivityAt; a no-op is ALREADY_ASSIGNED", async () => {
    const t = await openTicket(srv, admin.token);
    const assigned = await run(ASSIGN, { ticketIds: [t.id], assigneeId: agent.userId }, agent.token);
    expect(assigned.tickets[0]).toMatchObject({ assignee: { id: agent.userId }, version: 2, lastActivityAt: t.lastActivityAt });
    const again = await run(ASSIGN, { ticketIds: [t.id], assigneeId: agent.userId });
    expect(again.failures).toEqual([{ ticketId: t.id, code: "ALREADY_ASSIGNED", message: expect.any(String), conflictingTicket: null }]);
    expect(again.tickets).toEqual([]);
    const unassigned = await run(ASSIGN, { ticketIds: [t.id], assigneeId: null });
    expect(unassigned.tickets[0]).toMatchObject({ assignee: null, version: 3 });
    const twice = await run(ASSIGN, { ticketIds: [t.id], assigneeId: null });
    expect(twice.failures[0].code).toBe("ALREADY_ASSIGNED");
    expect((await events(t.id)).slice(1)).toEqual([
      {
        type: "ASSIGNED",
        ticketVersion: 2,
        actor: { id: agent.userId },
        assignee: { id: agent.userId },
        previousAssignee: null,
        topic: null,
        previousTopic: null,
        note: null,
      },
      {
        type: "ASSIGNED",
        ticketVersion: 3,
        actor: { id: admin.userId },
        assignee: null,
        previousAssignee: { id: agent.userId },
        topic: null,
        previousTopic: null,
        note: null,
      },
    ]);
  });

  it("the assignee must be a current member", async () => {
    const t = await openTicket(srv, admin.token);
    const stranger = await srv.signUp();
    const res = await run(ASSIGN, { ticketIds: [t.id], assigneeId: stranger.userId });
    expect(res.userErrors).toEqual([{ code: "NOT_A_MEMBER", field: ["assigneeId"] }]);
    expect(res.tickets).toEqual([]);
  });
});

describe("change topic, note, close, reopen", () => {
  it("moves lastActivityAt on topic change, note, close and reopen, one version and one event each", async () => {
    const t = await openTicket(srv, admin.token);
    let last = t.lastActivityAt;
    const steps: Array<[string, Record<string, unknown>, string]> = [
      [TOPIC, { topicId: billing }, "TOPIC_CHANGED"],
      [NOTE, { note: "  checked the invoice  " }, "NOTE_ADDED"],
      [CLOSE, {}, "CLOSED"],
      [REOPEN, {}, "REOPENED"],
    ];
    for (const [query, extra, type] of steps) {
      const res = await run(query, { ticketIds: [t.id], ...extra }, agent.token);
      expect(res.failures).toEqual([]);
      expect(Date.parse(res.tickets[0].lastActivityAt)).toBeGreaterThan(Date.parse(last) - 1);
      expect(res.tickets[0].lastActivityAt).not.toBe(last);
      last = res.tickets[0].lastActivityAt;
      const log = await events(t.id);
      expect(log[log.length - 1].type).toBe(type);
    }
    const log = await events(t.id);
    expect(log.map((e) => e.ticketVersion)).toEqual([1, 2, 3, 4, 5]);
    expect(log[1]).toMatchObject({ topic: { id: billing }, previousTopic: { id: expect.any(String) } });
    expect(log[2]).toMatchObject({ note: "checked the invoice" });
  });

  it("no-op changes fail: SAME_TOPIC, ALREADY_CLOSED, ALREADY_OPEN; a blank note is EMPTY_NOTE", async () => {
    const t = await openTicket(srv, admin.token, { topicId: billing });
    expect((await run(TOPIC, { ticketIds: [t.id], topicId: billing })).failures[0].code).toBe("SAME_TOPIC");
    expect((await run(REOPEN, { ticketIds: [t.id] })).failures[0]).toMatchObject({ code: "ALREADY_OPEN", conflictingTicket: null });
    await run(CLOSE, { ticketIds: [t.id] });
    expect((await run(CLOSE, { ticketIds: [t.id] })).failures[0].code).toBe("ALREADY_CLOSED");
    const blank = await run(NOTE, { ticketIds: [t.id], note: " \n\t " });
    expect(blank.userErrors).toEqual([{ code: "EMPTY_NOTE", field: ["note"] }]);
    expect((await events(t.id)).map((e) => e.type)).toEqual(["OPENED", "CLOSED"]);
  });

  it("assign, topic change and note also work on closed tickets", async () => {
    const t = await openTicket(srv, admin.token);
    await run(CLOSE, { ticketIds: [t.id] });
    expect((await run(ASSIGN, { ticketIds: [t.id], assigneeId: editor.userId })).tickets[0]).toMatchObject({
      status: "CLOSED",
      assignee: { id: editor.userId },
    });
    expect((await run(TOPIC, { ticketIds: [t.id], topicId: billing })).tickets[0]).toMatchObject({
      status: "CLOSED",
      topic: { id: billing },
    });
    expect((await run(NOTE, { ticketIds: [t.id], note: "for the record" })).tickets[0].status).toBe("CLOSED");
  });

  it("changing to an unknown or another workspace's topic changes nothing", async () => {
    const t = await openTicket(srv, admin.token);
    const stranger = await srv.signUp();
    const theirs = await ok<{ topics: Array<{ id: string }> }>(srv, `{ topics { id } }`, {}, stranger.token);
    const res = await run(TOPIC, { ticketIds: [t.id], topicId: theirs.topics[0].id });
    expect(res.userErrors).toEqual([{ code: "NOT_FOUND", field: ["topicId"] }]);
    expect(await events(t.id)).toHaveLength(1);
  });
});

describe("reopen keeps one open ticket per contact", () => {
  it("of two closed tickets of one contact only the newest reopens; the other names it", async () => {
    const urn = newUrn();
    const older = await openTicket(srv, admin.token, { contactUrn: urn });
    await run(CLOSE, { ticketIds: [older.id] });
    const newer = await openTicket(srv, admin.token, { contactUrn: urn });
    await run(CLOSE, { ticketIds: [newer.id] });
    const res = await run(REOPEN, { ticketIds: [older.id, newer.id] });
    expect(res.tickets.map((t) => t.id)).toEqual([newer.id]);
    expect(res.failures).toEqual([
      { ticketId: older.id, code: "ALREADY_OPEN", message: expect.any(String), conflictingTicket: { id: newer.id } },
    ]);
  });

  it("reopening while the contact has another open ticket fails with conflictingTicket", async () => {
    const urn = newUrn();
    const closed = await openTicket(srv, admin.token, { contactUrn: urn });
    await run(CLOSE, { ticketIds: [closed.id] });
    const open = await openTicket(srv, admin.token, { contactUrn: urn });
    const res = await run(REOPEN, { ticketIds: [closed.id] });
    expect(res.failures).toEqual([
      { ticketId: closed.id, code: "ALREADY_OPEN", message: expect.any(String), conflictingTicket: { id: open.id } },
    ]);
  });

  it("concurrent reopens of two tickets of one contact reopen exactly one", async () => {
    for (let round = 0; round < 5; round++) {
      const urn = newUrn();
      const a = await openTicket(srv, admin.token, { contactUrn: urn });
      await run(CLOSE, { ticketIds: [a.id] });
      const b = await openTicket(srv, admin.token, { contactUrn: urn });
      await run(CLOSE, { ticketIds: [b.id] });
      const [ra, rb] = await Promise.all([run(REOPEN, { ticketIds: [a.id] }), run(REOPEN, { ticketIds: [b.id] })]);
      expect(ra.tickets.length + rb.tickets.length).toBe(1);
      expect([...ra.failures, ...rb.failures].map((f) => f.code)).toEqual(["ALREADY_OPEN"]);
    }
  });
});

describe("bulk rules", () => {
  it("takes 1 to 100 ids, removes duplicates, answers in input order; unknown and foreign ids are NOT_FOUND failures", async () => {
    const tickets = await Promise.all([1, 2, 3].map(() => openTicket(srv, admin.token)));
    const stranger = await srv.signUp();
    const foreign = await openTicket(srv, stranger.token);
    const unknown = Buffer.from("Ticket:01900000-0000-7000-8000-000000000000").toString("base64");
    const ids = [tickets[2].id, foreign.id, tickets[0].id, tickets[2].id, unknown, tickets[1].id];
    const res = await run(CLOSE, { ticketIds: ids });
    expect(res.tickets.map((t) => t.id)).toEqual([tickets[2].id, tickets[0].id, tickets[1].id]);
    expect(res.failures.map((f) => [f.ticketId, f.code])).toEqual([
      [foreign.id, "NOT_FOUND"],
      [unknown, "NOT_FOUND"],
    ]);
    const after = await ok<{ node: { status: string } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Ticket { status } } }`,
      { id: foreign.id },
      stranger.token,
    );
    expect(after.node.status).toBe("OPEN");

    for (const ticketIds of [[], Array(101).fill(tickets[0].id)]) {
      const bad = await srv.gql(CLOSE, { i: { ticketIds } }, admin.token);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "ticketIds", fieldPath: ["ticketIds"] });
    }
    const malformed = await srv.gql(CLOSE, { i: { ticketIds: [tickets[0].id, "nope"] } }, admin.token);
    // The element that is not a ticket id is named, as docs/frontend.md shows.
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "ticketIds.1", fieldPath: ["ticketIds", "1"] });
  });

  it("a failure for one ticket leaves it alone and commits the others together", async () => {
    const [a, b] = await Promise.all([openTicket(srv, admin.token), openTicket(srv, admin.token)]);
    await run(CLOSE, { ticketIds: [a.id] });
    const res = await run(CLOSE, { ticketIds: [a.id, b.id] });
    expect(res.tickets.map((t) => t.id)).toEqual([b.id]);
    expect(res.failures.map((f) => f.code)).toEqual(["ALREADY_CLOSED"]);
    expect((await events(a.id)).map((e) => e.type)).toEqual(["OPENED", "CLOSED"]);
  });

  it("answers with the counts after the change, each folder under its own id, and the failed tickets as they are now", async () => {
    const [a, b] = await Promise.all([openTicket(srv, admin.token), openTicket(srv, admin.token)]);
    await run(CLOSE, { ticketIds: [a.id] });
    const COUNTS = `{ ticketCounts { folders { id folder open closed } } }`;
    const before = await ok<{ ticketCounts: { folders: Array<{ id: string; folder: string; open: number; closed: number }> } }>(
      srv,
      COUNTS,
      {},
      admin.token,
    );
    const res = await ok<{
      closeTickets: {
        failures: Array<{ ticketId: string; code: string; ticket: { id: string; status: string; version: number } }>;
        counts: { folders: Array<{ id: string; folder: string; open: number; closed: number }> };
      };
    }>(
      srv,
      `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) {
        failures { ticketId code ticket { id status version } } counts { folders { id folder open closed } } } }`,
      { i: { ticketIds: [a.id, b.id] } },
      admin.token,
    );
    // The failure carries the ticket as it is, for a cache that thought it open.
    expect(res.closeTickets.failures).toEqual([
      { ticketId: a.id, code: "ALREADY_CLOSED", ticket: { id: a.id, status: "CLOSED", version: 2 } },
    ]);
    const all = (folders: typeof res.closeTickets.counts.folders) => folders.find((f) => f.folder === "ALL")!;
    expect(all(res.closeTickets.counts.folders)).toEqual({
      ...all(before.ticketCounts.folders),
      open: all(before.ticketCounts.folders).open - 1,
      closed: all(before.ticketCounts.folders).closed + 1,
    });
    // Each folder has its own id, the same in the query and in the payload: a cache keeps one entry.
    expect(res.closeTickets.counts.folders.map((f) => f.id)).toEqual(before.ticketCounts.folders.map((f) => f.id));
    expect(new Set(before.ticketCounts.folders.map((f) => f.id)).size).toBe(3);
    const after = await ok<typeof before>(srv, COUNTS, {}, admin.token);
    expect(after.ticketCounts.folders).toEqual(res.closeTickets.counts.folders);
  });

  it("every operation is UNAUTHENTICATED without a token; agents may work tickets they can see", async () => {
    const t = await openTicket(srv, admin.token);
    for (const [query, extra] of [
      [ASSIGN, { assigneeId: null }],
      [TOPIC, { topicId: billing }],
      [CLOSE, {}],
      [REOPEN, {}],
      [NOTE, { note: "x" }],
    ] as const) {
      const res = await srv.gql(query, { i: { ticketIds: [t.id], ...extra } });
      expect(res.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
    expect((await run(NOTE, { ticketIds: [t.id], note: "agent note" }, agent.token)).tickets).toHaveLength(1);
  });
});
