import { addMember, createTopic, ok, openTicket, removeMember, team, updateMember, uuid } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";
import { subscribe } from "../support/subscriber";

let srv: TestServer;
let admin: SignedUp;
beforeAll(async () => {
  srv = await startTestServer({ FEED_SWEEP_INTERVAL_MS: "500", SESSION_RECHECK_INTERVAL_MS: "300" });
  ({ admin } = await team(srv));
});
afterAll(async () => {
  await srv?.close();
});

interface Received {
  cursor: string;
  type: string;
  ticketVersion: number;
  ticket: { id: string };
  note: string | null;
}

const SUBSCRIBE = `subscription($after: String, $filter: TicketEventFilter) {
  ticketEvents(after: $after, filter: $filter) { cursor type ticketVersion ticket { id } note }
}`;

/** A subscriber of ticketEvents with the stock client: its events, errors and close code. */
const subscriber = (token: string, variables: Record<string, unknown> = {}) =>
  subscribe<{ ticketEvents: Received }>(srv.wsUrl, token, SUBSCRIBE, { variables });

const note = (ticketId: string, text: string, token = admin.token) =>
  ok(
    srv,
    `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [ticketId], note: text } },
    token,
  );

const topic = (name: string): Promise<string> => createTopic(srv, admin.token, name);

/** Every event of the log after a cursor, as ticketEvents polls it. */
async function logAfter(token: string, after: string | null): Promise<Received[]> {
  const all: Received[] = [];
  let cursor = after;
  for (;;) {
    const page = await ok<{ ticketEvents: { nodes: Received[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
      srv,
      `query($after: String) { ticketEvents(after: $after, first: 100) { nodes { cursor type ticketVersion ticket { id } note } pageInfo { hasNextPage endCursor } } }`,
      { after: cursor },
      token,
    );
    all.push(...page.ticketEvents.nodes);
    cursor = page.ticketEvents.pageInfo.endCursor;
    if (!page.ticketEvents.pageInfo.hasNextPage) return all;
  }
}

describe("ticketEvents subscription", () => {
  it("delivers a committed event to its workspace's subscribers, never to another workspace's", async () => {
    const ticket = await openTicket(srv, admin.token);
    const stranger = await srv.signUp();
    const mine = subscriber(admin.token);
    const theirs = subscriber(stranger.token);
    await new Promise((r) => setTimeout(r, 300));
    await note(ticket.id, "hello live");
    await until(() => mine.events.some((e) => e.note === "hello live"), "the live event", 2000);
    await note((await openTicket(srv, stranger.token)).id, "their own", stranger.token);
    await until(() => theirs.events.some((e) => e.note === "their own"), "their event", 2000);
    expect(theirs.events.map((e) => e.note)).not.toContain("hello live");
    expect(mine.events.map((e) => e.note)).not.toContain("their own");
    await Promise.all([mine.stop(), theirs.stop()]);
  });

  it("an agent of a team never receives events of other topics; a topic change reaches both sides", async () => {
    const inside = await topic("Inside");
    const outside = await topic("Outside");
    const t = await ok<{ createTeam: { team: { id: string } } }>(
      srv,
      `mutation($t: ID!) { createTeam(input: { name: "Insiders", topicIds: [$t] }) { team { id } } }`,
      { t: inside },
      admin.token,
    );
    const agent = await addMember(srv, admin.workspaceId, "AGENT");
    await updateMember(srv, admin.token, agent.userId, { teamId: t.createTeam.team.id });
    const relogin = await ok<{ logIn: { token: string } }>(
      srv,
      `mutation($i: LogInInput!) { logIn(input: $i) { token } }`,
      { i: { email: agent.email, password: agent.password } },
      "",
    );
    const sub = subscriber(relogin.logIn.token);
    await new Promise((r) => setTimeout(r, 300));
    const secret = await openTicket(srv, admin.token, { topicId: outside });
    await note(secret.id, "outside note");
    const visible = await openTicket(srv, admin.token, { topicId: inside });
    await note(visible.id, "inside note");
    await ok(
      srv,
      `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } } }`,
      { i: { ticketIds: [secret.id], topicId: inside } },
      admin.token,
    );
    await until(() => sub.events.some((e) => e.type === "TOPIC_CHANGED"), "the topic change", 2000);
    expect(sub.events.map((e) => e.note)).not.toContain("outside note");
    expect(sub.events.some((e) => e.note === "inside note")).toBe(true);
    await sub.stop();
  });

  it("delivers nothing for a rolled-back change", async () => {
    const ticket = await openTicket(srv, admin.token);
    // NOTE_ADDED only: a subscription without `after` starts at the horizon, which a writing
    // transaction elsewhere on the server (another test file's) can hold below this ticket's OPENED.
    const sub = subscriber(admin.token, { filter: { ticketId: ticket.id, types: ["NOTE_ADDED"] } });
    await new Promise((r) => setTimeout(r, 300));
    await srv.server.db.query(`
      CREATE OR REPLACE FUNCTION refuse_note() RETURNS trigger AS $$
      BEGIN IF NEW.note = 'doomed' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await srv.server.db.query(`CREATE TRIGGER refuse_note AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION refuse_note()`);
    try {
      const failed = await srv.gql(
        `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
        { i: { ticketIds: [ticket.id], note: "doomed" } },
        admin.token,
      );
      expect(failed.errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await srv.server.db.query(`DROP TRIGGER refuse_note ON ticket_events`);
    }
    await note(ticket.id, "after the failure");
    await until(() => sub.events.some((e) => e.note === "after the failure"), "the next event", 2000);
    expect(sub.events.map((e) => e.note)).toEqual(["after the failure"]);
    await sub.stop();
  });

  it("resumes: every missed event once, in order, then live ones", async () => {
    const ticket = await openTicket(srv, admin.token);
    const first = subscriber(admin.token, { filter: { ticketId: ticket.id, types: ["NOTE_ADDED"] } });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) await note(ticket.id, `before ${i}`);
    await until(() => first.events.length === 3, "three events", 2000);
    const last = first.events[2].cursor;
    await first.stop();
    for (let i = 0; i < 100; i++) await note(ticket.id, `missed ${i}`);
    const second = subscriber(admin.token, { after: last, filter: { ticketId: ticket.id } });
    await until(() => second.events.length >= 100, "the missed events", 2000);
    await note(ticket.id, "live again");
    await until(() => second.events.length === 101, "the live event", 2000);
    expect(second.events.map((e) => e.note)).toEqual([...Array.from({ length: 100 }, (_, i) => `missed ${i}`), "live again"]);
    expect(second.events.map((e) => e.ticketVersion)).toEqual(Array.from({ length: 101 }, (_, i) => 5 + i));
    await second.stop();
  });

  it("replay racing live writes gives a gapless, duplicate-free sequence", async () => {
    const tickets = await Promise.all([1, 2, 3].map(() => openTicket(srv, admin.token)));
    const start = (await logAfter(admin.token, null)).pop()!.cursor;
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await Promise.all(tickets.map((t) => note(t.id, `w${written++}`)));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const sub = subscriber(admin.token, { after: start });
    await new Promise((r) => setTimeout(r, 700));
    writing = false;
    await writer;
    let expected = await logAfter(admin.token, start);
    await until(() => sub.events.length >= expected.length, "every event", 2000);
    // The log lists what lies below the oldest transaction still running on the database server;
    // one of another test's can hold it back while the subscription has delivered more since:
    // read it again until it has caught up.
    for (let i = 0; i < 100 && expected.length < sub.events.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      expected = await logAfter(admin.token, start);
    }
    expect(sub.events.map((e) => e.cursor)).toEqual(expected.map((e) => e.cursor));
    expect(new Set(sub.events.map((e) => e.cursor)).size).toBe(sub.events.length);
    expect(written).toBeGreaterThan(10);
    await sub.stop();
  });

  it("closes with 4403 and the reason UNAUTHENTICATED when its token is revoked", async () => {
    const me = await addMember(srv, admin.workspaceId, "EDITOR");
    const sub = subscriber(me.token);
    await new Promise((r) => setTimeout(r, 300));
    await ok(srv, `mutation { logOut }`, {}, me.token);
    await until(() => sub.closeCode() !== undefined, "the close", 2000);
    expect([sub.closeCode(), sub.closeReason()]).toEqual([4403, "UNAUTHENTICATED"]);
    await sub.stop();
  });

  it("closes with 4403 and the reason MEMBER_REMOVED when its member is removed", async () => {
    const me = await addMember(srv, admin.workspaceId, "AGENT");
    const sub = subscriber(me.token);
    await new Promise((r) => setTimeout(r, 300));
    await removeMember(srv, admin.token, me.userId);
    await until(() => sub.closeCode() !== undefined, "the close", 2000);
    expect([sub.closeCode(), sub.closeReason()]).toEqual([4403, "MEMBER_REMOVED"]);
    await sub.stop();
  });

  it("a live subscription follows its member's team and role, without reconnecting", async () => {
    const [first, second] = [await topic("Follow first"), await topic("Follow second")];
    const created = await ok<{ createTeam: { team: { id: string } } }>(
      srv,
      `mutation($t: ID!) { createTeam(input: { name: "Followers", topicIds: [$t] }) { team { id } } }`,
      { t: first },
      admin.token,
    );
    const teamId = created.createTeam.team.id;
    const agent = await addMember(srv, admin.workspaceId, "AGENT");
    const changeMember = (input: { role?: "EDITOR"; teamId?: string }) => updateMember(srv, admin.token, agent.userId, input);
    await changeMember({ teamId });
    const inFirst = await openTicket(srv, admin.token, { topicId: first });
    const inSecond = await openTicket(srv, admin.token, { topicId: second });
    const sub = subscriber(agent.token, { filter: { types: ["NOTE_ADDED"] } });
    await new Promise((r) => setTimeout(r, 300));
    /** Notes both tickets, then waits for the one on the first topic, which the agent always sees. */
    const round = async (label: string) => {
      await note(inSecond.id, `${label} second`);
      await note(inFirst.id, `${label} first`);
      await until(() => sub.events.some((e) => e.note === `${label} first`), `the ${label} note`, 3000);
      return sub.events.map((e) => e.note);
    };
    expect(await round("before")).not.toContain("before second");

    // The team gains the second topic: its notes arrive on the same socket.
    await ok(
      srv,
      `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { id } } }`,
      { i: { id: teamId, topicIds: [first, second] } },
      admin.token,
    );
    for (let i = 0; i < 30 && !sub.events.some((e) => e.note === "probe"); i++) {
      await note(inSecond.id, "probe");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await round("widened")).toContain("widened second");

    // The team loses it again; then the agent becomes an editor, who sees every topic.
    await ok(
      srv,
      `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { id } } }`,
      { i: { id: teamId, topicIds: [first] } },
      admin.token,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await round("narrowed")).not.toContain("narrowed second");
    await changeMember({ role: "EDITOR" });
    await new Promise((r) => setTimeout(r, 200));
    expect(await round("editor")).toContain("editor second");
    expect(sub.closeCode()).toBeUndefined();
    await sub.stop();
  });

  it("a token revoked without announcement (say, by hand in the database) is closed by the periodic check", async () => {
    const me = await addMember(srv, admin.workspaceId, "EDITOR");
    const sub = subscriber(me.token);
    await new Promise((r) => setTimeout(r, 700));
    expect(sub.closeCode()).toBeUndefined();
    await srv.server.db.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1`, [uuid(me.userId)]);
    await until(() => sub.closeCode() !== undefined, "the close", 3000);
    expect(sub.closeCode()).toBe(4403);
    await sub.stop();
  });

  it("a bad cursor is a BAD_USER_INPUT subscription error; agents cannot subscribe to flow starts", async () => {
    const sub = subscriber(admin.token, { after: "not-a-cursor" });
    await until(() => sub.errors.length > 0, "the error", 2000);
    expect(JSON.stringify(sub.errors)).toContain("BAD_USER_INPUT");
    await sub.stop();
    const agent = await addMember(srv, admin.workspaceId, "AGENT");
    const starts = subscribe(srv.wsUrl, agent.token, `subscription { flowStarts { cursor } }`);
    await starts.finished();
    const { errors } = starts;
    expect(JSON.stringify(errors)).toContain("FORBIDDEN");
    await starts.stop();
  });

  it("an editor demoted to agent has their flowStarts subscription completed at once, without one FORBIDDEN per start", async () => {
    const editor = await addMember(srv, admin.workspaceId, "EDITOR");
    await ok(srv, `mutation { registerFlow(input: { name: "Survey", externalId: "demotion-survey" }) { flow { id } } }`, {}, admin.token);
    const { triggers } = await ok<{ triggers: Array<{ id: string }> }>(srv, `{ triggers { id } }`, {}, admin.token);
    for (const t of triggers)
      await ok(srv, `mutation($i: DeleteTriggerInput!) { deleteTrigger(input: $i) { id } }`, { i: { id: t.id } }, admin.token);
    await ok(
      srv,
      `mutation { createTrigger(input: { type: TICKET_CLOSED, flowExternalId: "demotion-survey" }) { trigger { id } } }`,
      {},
      admin.token,
    );
    const starts = subscribe(srv.wsUrl, editor.token, `subscription { flowStarts { cursor } }`);
    // What it received: every result, and the error it would end with.
    const received = () => [...starts.payloads, ...starts.errors];
    const close = (id: string) =>
      ok(srv, `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`, { i: { ticketIds: [id] } }, admin.token);
    await close((await openTicket(srv, admin.token)).id);
    await until(() => received().length === 1, "the first start", 3000);
    await updateMember(srv, admin.token, editor.userId, { role: "AGENT" });
    await until(() => starts.completed(), "the subscription to complete", 3000);
    await close((await openTicket(srv, admin.token)).id);
    await new Promise((r) => setTimeout(r, 300));
    expect(received()).toEqual([{ data: { flowStarts: { cursor: expect.any(String) } } }]);
    await starts.stop();
  });

  it("TicketConnection.eventCursor: subscribing from it misses nothing after the list", async () => {
    const page = await ok<{ tickets: { eventCursor: string } }>(srv, `{ tickets(first: 1) { eventCursor } }`, {}, admin.token);
    const ticket = await openTicket(srv, admin.token);
    await note(ticket.id, "after the list");
    const sub = subscriber(admin.token, { after: page.tickets.eventCursor, filter: { ticketId: ticket.id } });
    await until(() => sub.events.length === 2, "both events", 2000);
    expect(sub.events.map((e) => e.type)).toEqual(["OPENED", "NOTE_ADDED"]);
    expect(uuid(sub.events[0].ticket.id)).toBe(uuid(ticket.id));
    await sub.stop();
  });
});
