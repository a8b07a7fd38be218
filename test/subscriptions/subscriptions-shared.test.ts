import type { FeedName } from "../../src/db/sql-scope";
import type { ParsedCursor } from "../../src/services/tickets/event-log";
import { FeedRelay, type FeedRow, type FeedSource } from "../../src/subscriptions/feed";
import { sharedResultStats } from "../../src/subscriptions/shared-results";
import { addMember, createTopic, ok, openTicket, team, updateMember, uuid } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";
import { subscribe } from "../support/subscriber";

/**
 * An event is resolved once for all the subscribers that would resolve it alike (same selection,
 * same values of whatever the resolvers read of the subscriber), and each subscriber still gets
 * what it may see.
 */

let srv: TestServer;
let admin: SignedUp;
let otherAdmin: SignedUp;
let agent: SignedUp;
let salesAgent: SignedUp;
let sales: string;
let support: string;

const INBOX = `subscription { ticketEvents { cursor type note ticket { id status topic { name } assignee { name }
  contact { fields { field { key } value editable } openTicket { id } } } } }`;
const SMALL = `subscription { ticketEvents { cursor note ticket { id } } }`;
const FIELDS = `subscription { ticketEvents { note ticket { contact { fields { field { key } editable } } } } }`;

type Payload = { data?: { ticketEvents: { note: string | null; type: string } & Record<string, unknown> } | null; errors?: unknown[] };

/** A subscriber with the stock client, keeping every payload it receives. */
function subscriber(token: string, query: string, variables: Record<string, unknown> = {}) {
  const sub = subscribe<NonNullable<Payload["data"]>>(srv.wsUrl, token, query, { variables });
  return {
    ...sub,
    /** The payload of the event whose note is this, if received. */
    of: (note: string) => sub.payloads.find((p) => p.data?.ticketEvents.note === note || JSON.stringify(p).includes(note)),
  };
}
type Subscriber = ReturnType<typeof subscriber>;

const note = (ticketId: string, text: string) =>
  ok(
    srv,
    `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [ticketId], note: text } },
    admin.token,
  );

/** Notes until `ready` holds: the subscribers it looks at are live then. */
async function notesUntil(ticketId: string, ready: (note: string) => boolean): Promise<void> {
  for (let i = 0; ; i++) {
    const text = `warm-up ${Math.random()}`;
    await note(ticketId, text);
    try {
      await until(() => ready(text), "the subscribers to be live", 100);
      return;
    } catch (error) {
      if (i > 20) throw error;
    }
  }
}

/** Notes until every subscriber has received one. */
const live = (ticketId: string, subs: Subscriber[]) => notesUntil(ticketId, (text) => subs.every((s) => s.of(text)));

const topic = (name: string): Promise<string> => createTopic(srv, admin.token, name);

beforeAll(async () => {
  srv = await startTestServer({ FEED_SWEEP_INTERVAL_MS: "300" });
  ({ admin, agent } = await team(srv));
  otherAdmin = await addMember(srv, admin.workspaceId, "ADMINISTRATOR", "second-admin");
  sales = await topic("Sales");
  support = await topic("Support");
  const created = await ok<{ createTeam: { team: { id: string } } }>(
    srv,
    `mutation($t: ID!) { createTeam(input: { name: "Sales desk", topicIds: [$t] }) { team { id } } }`,
    { t: sales },
    admin.token,
  );
  salesAgent = await addMember(srv, admin.workspaceId, "AGENT", "seller");
  await updateMember(srv, admin.token, salesAgent.userId, { teamId: created.createTeam.team.id });
  for (const [name, agentAccess] of [
    ["Secret", "NONE"],
    ["Plan", "VIEW"],
  ])
    await ok(
      srv,
      `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { id } } }`,
      { i: { name, agentAccess, type: "TEXT" } },
      admin.token,
    );
});
afterAll(async () => {
  await srv?.close();
});

describe("subscribers of one event", () => {
  it("with the same selection and visibility get the same result, resolved once", async () => {
    const ticket = await openTicket(srv, admin.token, { topicId: sales });
    const subs = [subscriber(admin.token, INBOX), subscriber(otherAdmin.token, INBOX)];
    try {
      await live(ticket.id, subs);
      const before = { ...sharedResultStats };
      await note(ticket.id, "shared");
      await until(() => subs.every((s) => s.of("shared")), "both deliveries", 2000);
      const [first, second] = subs.map((s) => s.of("shared")!);
      expect(first.errors).toBeUndefined();
      expect(second).toEqual(first);
      expect(first.data!.ticketEvents.ticket).toMatchObject({
        id: ticket.id,
        topic: { name: "Sales" },
        contact: { fields: [expect.objectContaining({ field: { key: "plan" } }), expect.objectContaining({ field: { key: "secret" } })] },
      });
      expect(sharedResultStats.executions - before.executions).toBe(1);
      expect(sharedResultStats.reused - before.reused).toBe(1);
    } finally {
      await Promise.all(subs.map((s) => s.stop()));
    }
  });

  it("a selection that reads nothing of the role is resolved once for administrators and agents alike", async () => {
    const ticket = await openTicket(srv, admin.token, { topicId: sales });
    // ticketEvents is open to every role: checking it reads no role, so only visibility (topics) tells them apart.
    const subs = [subscriber(admin.token, SMALL), subscriber(agent.token, SMALL)];
    try {
      await live(ticket.id, subs);
      const before = { ...sharedResultStats };
      await note(ticket.id, "any role");
      await until(() => subs.every((s) => s.of("any role")), "both deliveries", 2000);
      expect(subs[1].of("any role")).toEqual(subs[0].of("any role"));
      expect(sharedResultStats.executions - before.executions).toBe(1);
      expect(sharedResultStats.reused - before.reused).toBe(1);
    } finally {
      await Promise.all(subs.map((s) => s.stop()));
    }
  });

  it("with another role, other topics or another selection get their own result", async () => {
    const ticket = await openTicket(srv, admin.token, { topicId: sales });
    const [adminSub, teamAgentSub, agentSub, smallSub, teamAgentFields, agentFields] = [
      subscriber(admin.token, INBOX),
      subscriber(salesAgent.token, INBOX),
      subscriber(agent.token, INBOX),
      subscriber(otherAdmin.token, SMALL),
      subscriber(salesAgent.token, FIELDS),
      subscriber(agent.token, FIELDS),
    ];
    const subs = [adminSub, teamAgentSub, agentSub, smallSub, teamAgentFields, agentFields];
    try {
      await live(ticket.id, subs);

      // The contact's fields depend on the role: agents do not see "Secret" and edit nothing.
      let before = { ...sharedResultStats };
      await note(ticket.id, "by role");
      await until(() => subs.every((s) => s.of("by role")), "every delivery", 2000);
      const keys = (s: Subscriber) =>
        (s.of("by role")!.data!.ticketEvents.ticket as { contact: { fields: Array<{ field: { key: string }; editable: boolean }> } })
          .contact.fields;
      expect(keys(adminSub)).toEqual([
        expect.objectContaining({ field: { key: "plan" }, editable: true }),
        expect.objectContaining({ field: { key: "secret" }, editable: true }),
      ]);
      expect(keys(teamAgentSub)).toEqual([expect.objectContaining({ field: { key: "plan" }, editable: false })]);
      expect(keys(agentSub)).toEqual(keys(teamAgentSub));
      expect(agentFields.of("by role")).toEqual({
        data: { ticketEvents: { note: "by role", ticket: { contact: { fields: [{ field: { key: "plan" }, editable: false }] } } } },
      });
      expect(teamAgentFields.of("by role")).toEqual(agentFields.of("by role"));
      expect(smallSub.of("by role")!.data!.ticketEvents).toEqual({
        cursor: expect.any(String),
        note: "by role",
        ticket: { id: ticket.id },
      });
      // The inbox selection reads the subscriber's role (fields) and topics (the contact's open
      // ticket): the administrator and each agent have their own execution, as has the other
      // selection. So does the fields selection: an event's ticket is seen through the viewer's
      // topics (as it is, or as it last was in them), so the two agents each have theirs.
      expect(sharedResultStats.executions - before.executions).toBe(6);
      expect(sharedResultStats.reused - before.reused).toBe(0);

      // Moved out of the team's topics: the team agent still gets the change, but may not see the
      // contact's open ticket any more; the agent without a team sees every topic, so it does.
      before = { ...sharedResultStats };
      await ok(
        srv,
        `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } } }`,
        { i: { ticketIds: [ticket.id], topicId: support } },
        admin.token,
      );
      const moved = (s: Subscriber) => s.payloads.find((p) => p.data?.ticketEvents.type === "TOPIC_CHANGED");
      const changed = (s: Subscriber) => s.payloads.some((p) => p.data?.ticketEvents.note === null);
      await until(
        () => [adminSub, teamAgentSub, agentSub].every(moved) && [smallSub, teamAgentFields, agentFields].every(changed),
        "the topic change",
        2000,
      );
      const openTicketOf = (s: Subscriber) =>
        (moved(s)!.data!.ticketEvents.ticket as { contact: { openTicket: { id: string } | null } }).contact.openTicket;
      expect(openTicketOf(adminSub)).toEqual({ id: ticket.id });
      expect(openTicketOf(agentSub)).toEqual({ id: ticket.id });
      expect(openTicketOf(teamAgentSub)).toBeNull();
      expect(sharedResultStats.executions - before.executions).toBe(6);
    } finally {
      await Promise.all(subs.map((s) => s.stop()));
    }
  });

  it("with the same selection but another filter never share, even when one of them fails", async () => {
    const ticket = await openTicket(srv, admin.token, { topicId: sales });
    const query = `subscription($f: TicketEventFilter) { ticketEvents(filter: $f) { note ticket { id } } }`;
    // More topics than a filter takes: each event's resolution reports it.
    const tooMany = Array.from({ length: 101 }, () => sales);
    const [fine, failing] = [
      subscriber(admin.token, query, { f: { topicIds: [sales] } }),
      subscriber(admin.token, query, { f: { topicIds: tooMany } }),
    ];
    try {
      await notesUntil(ticket.id, (text) => fine.of(text) !== undefined && failing.payloads.length > 0);
      const failed = failing.payloads.length;
      await note(ticket.id, "filtered");
      await until(() => fine.of("filtered") !== undefined && failing.payloads.length > failed, "both answers", 2000);
      expect(fine.of("filtered")).toEqual({ data: { ticketEvents: { note: "filtered", ticket: { id: ticket.id } } } });
      expect(failing.payloads.at(-1)).toEqual({
        data: null,
        errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }), path: ["ticketEvents"] })],
      });
      expect(failing.payloads.some((p) => p.data?.ticketEvents)).toBe(false);
    } finally {
      await Promise.all([fine.stop(), failing.stop()]);
    }
  });
});

describe("the sweep", () => {
  it("delivers a row nobody announced, found with the other feeds in one statement", async () => {
    const ticket = await openTicket(srv, admin.token, { topicId: sales });
    const sub = subscriber(admin.token, SMALL);
    try {
      await live(ticket.id, [sub]);
      // Written behind the server's back: no notification, no commit hook; only the sweep sees it.
      const [{ topic_id: topicId }] = await srv.server.db.query<Array<{ topic_id: string }>>(`SELECT topic_id FROM tickets WHERE id = $1`, [
        uuid(ticket.id),
      ]);
      await srv.server.db.query(
        `INSERT INTO ticket_events (id, workspace_id, ticket_id, ticket_version, type, topic_id, note)
         VALUES (gen_random_uuid(), $1, $2, 1000, 'NOTE_ADDED', $3, 'unannounced')`,
        [uuid(admin.workspaceId), uuid(ticket.id), topicId],
      );
      await until(() => sub.of("unannounced") !== undefined, "the unannounced row", 3000);
    } finally {
      await sub.stop();
    }
  });

  it("reads only the feeds with something new", async () => {
    const rows = new Map<string, FeedRow[]>([
      ["quiet", []],
      ["busy", []],
    ]);
    const reads: string[] = [];
    const asked: string[][] = [];
    const later = (cursor: string, after: ParsedCursor | undefined) => {
      const [tx, seq] = cursor.split(".").map(BigInt);
      return !after || tx > BigInt(after.txId) || (tx === BigInt(after.txId) && seq > BigInt(after.seq));
    };
    const source: FeedSource<FeedRow> = {
      async read(workspaceId, after, limit) {
        reads.push(workspaceId);
        return { rows: (rows.get(workspaceId) ?? []).filter((r) => later(r.cursor, after)).slice(0, limit), horizon: "10.0" };
      },
      async changed(tails) {
        asked.push(tails.map((t) => t.workspaceId).sort());
        return new Set(
          tails.filter((t) => (rows.get(t.workspaceId) ?? []).some((r) => later(r.cursor, t.after))).map((t) => t.workspaceId),
        );
      },
    };
    const relay = new FeedRelay(
      { events: source, flowStarts: source } as Record<FeedName, FeedSource<FeedRow>>,
      { maxQueued: 1000, maxQueuedBytes: 1 << 20 },
      (error) => {
        throw error;
      },
    );
    const received: string[] = [];
    const consume = async (workspaceId: string) => {
      for await (const row of relay.subscribe<FeedRow>(
        "events",
        workspaceId,
        undefined,
        () => true,
        () => 1,
      )) {
        received.push(`${workspaceId} ${row.cursor}`);
        return;
      }
    };
    const consumers = [consume("quiet"), consume("busy")];
    await until(
      () => reads.filter((w) => w === "busy").length >= 2 && reads.filter((w) => w === "quiet").length >= 2,
      "both feeds to start",
      300,
    );
    await new Promise((r) => setTimeout(r, 20));
    rows.get("busy")!.push({ cursor: "11.1" });
    const before = reads.length;
    relay.sweep();
    await until(() => received.length === 1, "the new row", 300);
    expect(asked).toEqual([["busy", "quiet"]]);
    expect(reads.slice(before)).toEqual(["busy"]);
    expect(received).toEqual(["busy 11.1"]);
    rows.get("quiet")!.push({ cursor: "12.1" });
    relay.sweep();
    await Promise.all(consumers);
    expect(received).toEqual(["busy 11.1", "quiet 12.1"]);
  });
});
