import { addMember, createTopic, ok, openTicket, removeMember, team, updateMember } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { subscribe } from "../support/subscriber";
import { mentionsIn } from "../../src/services/notifications/notify";

/**
 * Notifications: TICKET_OPENED (an unassigned ticket opened, to every member who sees its topic
 * but its opener), TICKET_ACTIVITY (someone else assigns a ticket to them, notes on their ticket,
 * or its contact writes in it) and MENTIONED (a note names them). One unseen per (member, kind,
 * ticket); written with the change; visibility applies at write and at read.
 */

const LIST = `query($unseen: Boolean) { notifications(first: 100, unseenOnly: $unseen) {
  nodes { id kind seen cursor createdAt updatedAt ticket { id } actor { id } }
  pageInfo { hasNextPage endCursor } } viewer { unseenNotificationCount } }`;
const MARK = `mutation($i: MarkNotificationsSeenInput!) { markNotificationsSeen(input: $i) { unseenNotificationCount userErrors { code field } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { failures { code } userErrors { code } } }`;
const ASSIGN = `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { failures { code } userErrors { code } } }`;
const RECEIVE = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id } userErrors { code } } }`;

interface Note {
  id: string;
  kind: string;
  seen: boolean;
  cursor: string;
  createdAt: string;
  updatedAt: string;
  ticket: { id: string } | null;
  actor: { id: string } | null;
}
interface Listed {
  notifications: { nodes: Note[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  viewer: { unseenNotificationCount: number };
}

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let agent: SignedUp;
/** An agent whose team has only the Billing topic. */
let billingAgent: SignedUp;
let billing: string;

beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor, agent } = await team(srv));
  billing = await createTopic(srv, admin.token, "Billing");
  const created = await ok<{ createTeam: { team: { id: string } } }>(
    srv,
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }`,
    { i: { name: "Billing desk", topicIds: [billing] } },
    admin.token,
  );
  billingAgent = await addMember(srv, admin.workspaceId, "AGENT", "bella");
  await srv.server.db.query(`UPDATE users SET name = 'Bella Billing' WHERE email = $1`, [billingAgent.email]);
  await updateMember(srv, admin.token, billingAgent.userId, { teamId: created.createTeam.team.id });
});
afterAll(() => srv.close());

const list = (who: SignedUp, unseen = false) => ok<Listed>(srv, LIST, { unseen }, who.token);
const about = async (who: SignedUp, ticketId: string) => (await list(who)).notifications.nodes.filter((n) => n.ticket?.id === ticketId);
const note = (by: SignedUp, ticketId: string, text: string) => ok(srv, NOTE, { i: { ticketIds: [ticketId], note: text } }, by.token);

describe("notifications", () => {
  it("TICKET_OPENED: an unassigned ticket opened goes to every member who sees its topic, not to its opener", async () => {
    const ticket = await openTicket(srv, editor.token);
    for (const member of [admin, agent]) {
      expect(await about(member, ticket.id)).toEqual([
        expect.objectContaining({ kind: "TICKET_OPENED", seen: false, actor: { id: editor.userId }, ticket: { id: ticket.id } }),
      ]);
    }
    expect(await about(editor, ticket.id)).toEqual([]);
    expect(await about(billingAgent, ticket.id)).toEqual([]);
    const inBilling = await openTicket(srv, editor.token, { topicId: billing });
    expect((await about(billingAgent, inBilling.id)).map((n) => n.kind)).toEqual(["TICKET_OPENED"]);
    // Opened assigned: only the assignee hears of it, as activity.
    const assigned = await openTicket(srv, editor.token, { assigneeId: agent.userId });
    expect((await about(agent, assigned.id)).map((n) => n.kind)).toEqual(["TICKET_ACTIVITY"]);
    expect(await about(admin, assigned.id)).toEqual([]);
  });

  it("TICKET_ACTIVITY: assigned by someone else, a note on their ticket, the contact writing; never their own doing", async () => {
    const ticket = await openTicket(srv, editor.token);
    await ok(srv, ASSIGN, { i: { ticketIds: [ticket.id], assigneeId: agent.userId } }, editor.token);
    let mine = (await about(agent, ticket.id)).filter((n) => n.kind === "TICKET_ACTIVITY");
    expect(mine).toEqual([expect.objectContaining({ actor: { id: editor.userId }, seen: false })]);
    const first = mine[0];
    // Another while unseen updates it: still one, later, by the latest actor, at a later position.
    await note(admin, ticket.id, "Customer called back.");
    mine = (await about(agent, ticket.id)).filter((n) => n.kind === "TICKET_ACTIVITY");
    expect(mine).toEqual([expect.objectContaining({ id: first.id, actor: { id: admin.userId }, createdAt: first.createdAt })]);
    expect(new Date(mine[0].updatedAt).getTime()).toBeGreaterThan(new Date(first.updatedAt).getTime());
    expect(mine[0].cursor).not.toBe(first.cursor);
    // Their own note notifies no one about their own ticket; the contact writing in does (no actor).
    await note(agent, ticket.id, "Looking into it.");
    expect((await about(agent, ticket.id)).filter((n) => n.kind === "TICKET_ACTIVITY")).toHaveLength(1);
    await ok(srv, MARK, { i: { all: true } }, agent.token);
    await ok(srv, RECEIVE, { i: { urn: ticket.contact.urns[0], text: "Any news?" } }, admin.token);
    const after = (await about(agent, ticket.id)).filter((n) => n.kind === "TICKET_ACTIVITY" && !n.seen);
    expect(after).toEqual([expect.objectContaining({ actor: null })]);
    // Taking a ticket oneself is no news.
    const other = await openTicket(srv, editor.token);
    await ok(srv, ASSIGN, { i: { ticketIds: [other.id], assigneeId: agent.userId } }, agent.token);
    expect((await about(agent, other.id)).map((n) => n.kind)).toEqual(["TICKET_OPENED"]);
  });

  it('MENTIONED: a note naming a member by @email or @"Name" reaches them if they see the ticket, never its author', async () => {
    const ticket = await openTicket(srv, editor.token);
    const text = `Can @${agent.email} or @"Bella Billing" check this? cc @${editor.email}, @"Nobody Here"`;
    await note(editor, ticket.id, text);
    expect((await about(agent, ticket.id)).map((n) => n.kind).sort()).toEqual(["MENTIONED", "TICKET_OPENED"]);
    // Bella's team does not see the topic: no notification about a ticket she cannot see.
    expect(await about(billingAgent, ticket.id)).toEqual([]);
    expect(await about(editor, ticket.id)).toEqual([]);
    const inBilling = await openTicket(srv, admin.token, { topicId: billing });
    await note(admin, inBilling.id, 'Over to you, @"bella billing".');
    expect((await about(billingAgent, inBilling.id)).map((n) => n.kind).sort()).toEqual(["MENTIONED", "TICKET_OPENED"]);
  });

  it("reads mentions beside punctuation, in any case, and a note of any shape in time proportional to its length", async () => {
    expect(mentionsIn('Hi @BRUNO@demo.example.com, see (@x@y.com) and @x@z.com: or @q@w.org; @"Ann Lee". @no@dot @"İlker"').sort()).toEqual(
      ["Ann Lee", "BRUNO@demo.example.com", "q@w.org", "x@y.com", "x@z.com", "İlker"].sort(),
    );
    // Shapes that made a backtracking pattern take minutes on a 10,000-character note; a
    // regression would hold the whole server, and fail here on the test's timeout.
    for (const note of ["@a@b" + ".".repeat(9990) + "c,", "@a@b." + "!.".repeat(4990) + ",", "@a".repeat(5000), '@"'.repeat(5000)]) {
      expect(mentionsIn(note).length).toBeLessThanOrEqual(1);
    }
    // Through the API, a name that PostgreSQL and JavaScript lower-case differently still matches.
    const ilker = await addMember(srv, admin.workspaceId, "EDITOR", "ilker");
    await srv.server.db.query(`UPDATE users SET name = 'İlker' WHERE email = $1`, [ilker.email]);
    const ticket = await openTicket(srv, admin.token, { assigneeId: admin.userId });
    await note(admin, ticket.id, `Over to @"İLKER", and cc @${ilker.email.toUpperCase()}, please.`);
    expect((await about(ilker, ticket.id)).map((n) => n.kind)).toEqual(["MENTIONED"]);
  });

  it("reads a templated note's mentions as written: a flow's or a contact's value mentions no one", async () => {
    const ticket = await openTicket(srv, editor.token, {
      note: `Asked by @contact.name: @results.reason; cc @"Bella Billing"`,
      results: { reason: { value: `@${agent.email} please call me` } },
      topicId: billing,
    });
    expect(ticket.notes[0].note).toContain(`@${agent.email}`);
    expect((await about(agent, ticket.id)).map((n) => n.kind)).toEqual(["TICKET_OPENED"]);
    expect((await about(billingAgent, ticket.id)).map((n) => n.kind).sort()).toEqual(["MENTIONED", "TICKET_OPENED"]);
  });

  it("counts the unseen, lists them alone on request, and marks them seen by id or all at once", async () => {
    const member = await addMember(srv, admin.workspaceId, "EDITOR", "counter");
    const tickets = [await openTicket(srv, admin.token), await openTicket(srv, admin.token), await openTicket(srv, admin.token)];
    const before = await list(member);
    expect(before.viewer.unseenNotificationCount).toBe(3);
    expect(before.notifications.nodes.map((n) => n.ticket?.id)).toEqual(tickets.map((t) => t.id).reverse());
    const marked = await ok<{ markNotificationsSeen: unknown }>(
      srv,
      MARK,
      { i: { ids: [before.notifications.nodes[0].id] } },
      member.token,
    );
    expect(marked.markNotificationsSeen).toEqual({ unseenNotificationCount: 2, userErrors: [] });
    expect((await list(member, true)).notifications.nodes.map((n) => n.ticket?.id)).toEqual([tickets[1].id, tickets[0].id]);
    // Someone else's notification is NOT_FOUND, and nothing is marked.
    const others = (await list(admin)).notifications.nodes[0].id;
    const refused = await ok<{ markNotificationsSeen: unknown }>(
      srv,
      MARK,
      { i: { ids: [before.notifications.nodes[1].id, others] } },
      member.token,
    );
    expect(refused.markNotificationsSeen).toEqual({ unseenNotificationCount: 2, userErrors: [{ code: "NOT_FOUND", field: ["ids", "1"] }] });
    const all = await ok<{ markNotificationsSeen: unknown }>(srv, MARK, { i: { all: true } }, member.token);
    expect(all.markNotificationsSeen).toEqual({ unseenNotificationCount: 0, userErrors: [] });
    for (const input of [{ ids: [others], all: true }, {}, { ids: [] }]) {
      const res = await srv.gql(MARK, { i: input }, member.token);
      expect(res.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    }
    // A cursor this list did not give out.
    const forged = await srv.gql(`{ notifications(after: "nope") { nodes { id } } }`, {}, member.token);
    expect(forged.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("counts the unseen of the viewer a logIn answers, who is not the caller", async () => {
    const member = await addMember(srv, admin.workspaceId, "EDITOR", "returning");
    await openTicket(srv, admin.token);
    const LOGIN = `mutation($i: LogInInput!) { logIn(input: $i) { viewer { unseenNotificationCount } } }`;
    for (const caller of [undefined, agent.token]) {
      const res = await srv.gql<{ logIn: { viewer: { unseenNotificationCount: number } } }>(
        LOGIN,
        { i: { email: member.email, password: member.password } },
        caller,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.logIn.viewer.unseenNotificationCount).toBe(1);
    }
  });

  it("pages newest first", async () => {
    const member = await addMember(srv, admin.workspaceId, "EDITOR", "pager");
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await openTicket(srv, admin.token));
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { notifications: Listed["notifications"] } = await ok(
        srv,
        `query($after: String) { notifications(first: 2, after: $after) { nodes { ticket { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
        member.token,
      );
      ids.push(...page.notifications.nodes.map((n) => n.ticket!.id));
      if (!page.notifications.pageInfo.hasNextPage) break;
      after = page.notifications.pageInfo.endCursor;
    }
    expect(ids).toEqual(tickets.map((t) => t.id).reverse());
  });

  it("apply visibility at read: a member moved out of a topic no longer sees its notifications; a removed member gets none", async () => {
    const mover = await addMember(srv, admin.workspaceId, "AGENT", "mover");
    const ticket = await openTicket(srv, admin.token);
    expect((await about(mover, ticket.id)).map((n) => n.kind)).toEqual(["TICKET_OPENED"]);
    const count = (await list(mover)).viewer.unseenNotificationCount;
    const billingOnly = await ok<{ createTeam: { team: { id: string } } }>(
      srv,
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }`,
      { i: { name: "Billing only", topicIds: [billing] } },
      admin.token,
    );
    await updateMember(srv, admin.token, mover.userId, { teamId: billingOnly.createTeam.team.id });
    const now = await list(mover);
    expect(now.notifications.nodes.filter((n) => n.ticket?.id === ticket.id)).toEqual([]);
    expect(now.viewer.unseenNotificationCount).toBeLessThan(count);
    const gone = await addMember(srv, admin.workspaceId, "EDITOR", "gone");
    await removeMember(srv, admin.token, gone.userId);
    await openTicket(srv, admin.token);
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM notifications WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
      [gone.email],
    );
    expect(n).toBe(0);
  });

  it("are not reachable by node(id:) for anyone else, in this workspace or another", async () => {
    const mine = (await list(agent)).notifications.nodes[0];
    const query = `query($id: ID!) { node(id: $id) { id ... on Notification { kind } } }`;
    expect((await ok<{ node: { id: string } }>(srv, query, { id: mine.id }, agent.token)).node.id).toBe(mine.id);
    const stranger = await srv.signUp();
    for (const token of [admin.token, stranger.token]) {
      const res = await srv.gql<{ node: unknown }>(query, { id: mine.id }, token);
      expect(res.data?.node).toBeNull();
      expect(res.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    }
  });

  it("stream live to their member only, and resume after a cursor without a gap or a repeat", async () => {
    const listener = await addMember(srv, admin.workspaceId, "EDITOR", "listener");
    const SUB = `subscription($after: String) { notifications(after: $after) { id kind cursor ticket { id } } }`;
    type Live = { id: string; kind: string; cursor: string; ticket: { id: string } };
    const live = subscribe<{ notifications: Live }>(srv.wsUrl, listener.token, SUB);
    expect(await live.connected()).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const first = await openTicket(srv, admin.token);
    await live.waitFor(1, 10_000);
    expect(live.events).toEqual([expect.objectContaining({ kind: "TICKET_OPENED", ticket: { id: first.id } })]);
    await live.stop();
    const second = await openTicket(srv, admin.token);
    const third = await openTicket(srv, admin.token, { assigneeId: editor.userId });
    const resumed = subscribe<{ notifications: Live }>(srv.wsUrl, listener.token, SUB, { variables: { after: live.events[0].cursor } });
    await resumed.waitFor(1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    // Only the listener's: the third was assigned, so it concerns the editor alone.
    expect(resumed.events.map((e) => e.ticket.id)).toEqual([second.id]);
    expect(third.id).toBeDefined();
    await resumed.stop();
  });
});
