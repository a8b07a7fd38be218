import { addMember, BULK_FIELDS, createTopic, newUrn, ok, openTicket, team } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { connection } from "../support/subscriber";

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let sales: string;
let support: string;
let billing: string;
let teamAgent: SignedUp;
let salesTeam: string;

const CREATE_TEAM = `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id name allTopics topics { id name } } userErrors { code field } } }`;
const UPDATE_MEMBER = `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id role team { id } } userErrors { code field } } }`;

async function memberId(token: string): Promise<string> {
  const res = await ok<{ members: Array<{ id: string; user: { id: string } }>; viewer: { user: { id: string } } }>(
    srv,
    `{ members { id user { id } } viewer { user { id } } }`,
    {},
    token,
  );
  return res.members.find((m) => m.user.id === res.viewer.user.id)!.id;
}

const topic = (name: string): Promise<string> => createTopic(srv, admin.token, name);

beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor } = await team(srv));
  sales = await topic("Sales");
  support = await topic("Support");
  billing = await topic("Billing");
  const created = await ok<{ createTeam: { team: { id: string } } }>(
    srv,
    CREATE_TEAM,
    { i: { name: "Sales desk", topicIds: [sales, billing] } },
    admin.token,
  );
  salesTeam = created.createTeam.team.id;
  teamAgent = await addMember(srv, admin.workspaceId, "AGENT", "seller");
  const res = await ok<{ updateMember: { member: { team: { id: string } } } }>(
    srv,
    UPDATE_MEMBER,
    { i: { id: await memberId(teamAgent.token), teamId: salesTeam } },
    admin.token,
  );
  expect(res.updateMember.member.team.id).toBe(salesTeam);
});
afterAll(async () => {
  await srv?.close();
});

describe("teams", () => {
  it("have exactly one of allTopics and 1 to 10 topics; names are unique; only administrators write them", async () => {
    const all = await ok<{ createTeam: { team: { allTopics: boolean; topics: unknown[] } } }>(
      srv,
      CREATE_TEAM,
      { i: { name: "Everyone", allTopics: true } },
      admin.token,
    );
    expect(all.createTeam.team).toMatchObject({ allTopics: true, topics: [] });
    for (const input of [
      { name: "Neither" },
      { name: "Both", allTopics: true, topicIds: [sales] },
      { name: "Empty", topicIds: [] },
      { name: "Many", topicIds: Array(11).fill(sales) },
    ]) {
      const res = await srv.gql(CREATE_TEAM, { i: input }, admin.token);
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "topicIds", fieldPath: ["topicIds"] });
    }
    const taken = await ok<{ createTeam: { userErrors: Array<{ code: string }> } }>(
      srv,
      CREATE_TEAM,
      { i: { name: "sales DESK", allTopics: true } },
      admin.token,
    );
    expect(taken.createTeam.userErrors[0].code).toBe("NAME_TAKEN");
    for (const token of [editor.token, teamAgent.token]) {
      const res = await srv.gql(CREATE_TEAM, { i: { name: "Nope", allTopics: true } }, token);
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const list = await ok<{ teams: Array<{ name: string; topics: Array<{ name: string }> }> }>(
      srv,
      `{ teams { name topics { name } } }`,
      {},
      teamAgent.token,
    );
    expect(list.teams).toEqual([
      { name: "Everyone", topics: [] },
      { name: "Sales desk", topics: [{ name: "Billing" }, { name: "Sales" }] },
    ]);
  });

  it("only agents have teams; promoting an agent clears it; a team in use cannot be deleted", async () => {
    const agent = await addMember(srv, admin.workspaceId, "AGENT");
    const id = await memberId(agent.token);
    const editorId = await memberId(editor.token);
    const notForRole = await ok<{ updateMember: { userErrors: Array<{ code: string }> } }>(
      srv,
      UPDATE_MEMBER,
      { i: { id: editorId, teamId: salesTeam } },
      admin.token,
    );
    expect(notForRole.updateMember.userErrors).toEqual([{ code: "TEAM_NOT_FOR_ROLE", field: ["teamId"] }]);
    await ok(srv, UPDATE_MEMBER, { i: { id, teamId: salesTeam } }, admin.token);
    const inUse = await ok<{ deleteTeam: { userErrors: Array<{ code: string }> } }>(
      srv,
      `mutation($i: DeleteTeamInput!) { deleteTeam(input: $i) { deletedId userErrors { code } } }`,
      { i: { id: salesTeam } },
      admin.token,
    );
    expect(inUse.deleteTeam.userErrors).toEqual([{ code: "TEAM_IN_USE" }]);
    const promoted = await ok<{ updateMember: { member: { role: string; team: null } } }>(
      srv,
      UPDATE_MEMBER,
      { i: { id, role: "EDITOR" } },
      admin.token,
    );
    expect(promoted.updateMember.member).toMatchObject({ role: "EDITOR", team: null });
  });

  it("a topic that is the only topic of a team cannot be deleted", async () => {
    const lonely = await topic("Lonely");
    await ok(srv, CREATE_TEAM, { i: { name: "Lonely desk", topicIds: [lonely] } }, admin.token);
    const res = await ok<{ deleteTopic: { userErrors: Array<{ code: string }> } }>(
      srv,
      `mutation($id: ID!) { deleteTopic(input: { id: $id }) { userErrors { code } } }`,
      { id: lonely },
      admin.token,
    );
    expect(res.deleteTopic.userErrors).toEqual([{ code: "TOPIC_IN_TEAM" }]);
  });

  it("of a team's two topics deleted at the same moment, one is deleted and the other refused: the team keeps a topic", async () => {
    const DELETE_TOPIC = `mutation($id: ID!) { deleteTopic(input: { id: $id }) { deletedId userErrors { code } } }`;
    for (let round = 0; round < 5; round++) {
      const [x, y] = await Promise.all([topic(`Twin X${round}`), topic(`Twin Y${round}`)]);
      const created = await ok<{ createTeam: { team: { id: string } } }>(
        srv,
        CREATE_TEAM,
        { i: { name: `Twins ${round}`, topicIds: [x, y] } },
        admin.token,
      );
      const answers = await Promise.all(
        [x, y].map((id) =>
          ok<{ deleteTopic: { deletedId: string | null; userErrors: Array<{ code: string }> } }>(srv, DELETE_TOPIC, { id }, admin.token),
        ),
      );
      const codes = answers.map((a) => (a.deleteTopic.deletedId ? "DELETED" : a.deleteTopic.userErrors[0]?.code)).sort();
      expect(codes).toEqual(["DELETED", "TOPIC_IN_TEAM"]);
      const { node } = await ok<{ node: { topics: unknown[] } }>(
        srv,
        `query($id: ID!) { node(id: $id) { ... on Team { topics { id } } } }`,
        { id: created.createTeam.team.id },
        admin.token,
      );
      expect(node.topics).toHaveLength(1);
    }
  });
});

describe("for an agent with a team, topics outside it do not exist", () => {
  let inTeam: string;
  let outside: string;
  let outsideContact: string;
  beforeAll(async () => {
    inTeam = (await openTicket(srv, admin.token, { topicId: sales })).id;
    const other = await openTicket(srv, admin.token, { topicId: support, note: "secret support note" });
    outside = other.id;
    outsideContact = other.contact.id;
    await ok(
      srv,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`,
      { i: { ticketId: outside, text: "support reply" } },
      admin.token,
    );
    // The event feed shows a transaction's events once every older transaction on the database
    // server has ended; wait until the administrator sees these.
    for (;;) {
      const feed = await ok<{ ticketEvents: { nodes: Array<{ ticket: { id: string } }> } }>(
        srv,
        `{ ticketEvents(first: 100) { nodes { ticket { id } } } }`,
        {},
        admin.token,
      );
      if (feed.ticketEvents.nodes.filter((n) => n.ticket.id === outside).length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  const READS: Array<[string, string, (ids: { outside: string; contact: string }) => Record<string, unknown>]> = [
    ["topics", `{ topics { name } }`, () => ({})],
    ["the inbox", `{ tickets(filter: { status: null }) { totalCount nodes { id topic { name } } } }`, () => ({})],
    ["a topic's folder", `query($t: ID!) { tickets(filter: { topicId: $t }) { totalCount nodes { id } } }`, () => ({ t: support })],
    ["search", `{ tickets(filter: { search: "support reply" }) { nodes { id } } }`, () => ({})],
    ["ticketCounts", `{ ticketCounts { folders { folder open closed } topics { name openCount } } }`, () => ({})],
    ["node", `query($id: ID!) { node(id: $id) { id } }`, (x) => ({ id: x.outside })],
    ["nodes", `query($id: ID!) { nodes(ids: [$id]) { id } }`, (x) => ({ id: x.outside })],
    [
      "the contact's open ticket and tickets",
      `query($c: ID!) { node(id: $c) { ... on Contact { openTicket { id } tickets { nodes { id } } messages { nodes { text } } } } }`,
      (x) => ({ c: x.contact }),
    ],
    ["the Open Tickets group", `{ contactGroups { count contacts { nodes { id } } } }`, () => ({})],
    ["ticketEvents", `{ ticketEvents { nodes { ticket { id } note } } }`, () => ({})],
  ];

  it.each(READS)("%s", async (_what, query, vars) => {
    const res = await srv.gql(query, vars({ outside, contact: outsideContact }), teamAgent.token);
    const text = JSON.stringify(res.data);
    expect(text).not.toContain(outside);
    expect(text).not.toMatch(/Support|secret support note|support reply/);
    if (query.includes("contactGroups")) expect(text).not.toContain(outsideContact);
    // The same read shows them to an administrator: the test reads what it should.
    const adminView = JSON.stringify((await srv.gql(query, vars({ outside, contact: outsideContact }), admin.token)).data);
    expect([outside, outsideContact, "Support", "support"].some((s) => adminView.includes(s))).toBe(true);
  });

  it("counts only their topics", async () => {
    const counts = await ok<{
      ticketCounts: { folders: Array<{ folder: string; open: number }> };
      contactGroups: Array<{ count: number }>;
    }>(srv, `{ ticketCounts { folders { folder open } } contactGroups { count } }`, {}, teamAgent.token);
    const [{ n }] = await srv.server.db.query(
      `SELECT count(*)::int AS n FROM tickets t JOIN topics p ON p.id = t.topic_id WHERE t.status = 'OPEN' AND p.name IN ('Sales', 'Billing') AND t.workspace_id = (SELECT workspace_id FROM topics WHERE name = 'Sales' LIMIT 1)`,
    );
    expect(counts.ticketCounts.folders.find((f) => f.folder === "ALL")?.open).toBe(n);
    expect(counts.contactGroups[0].count).toBe(n);
  });

  it("bulk changes see only their tickets; moving a ticket outside the team is TOPIC_NOT_ALLOWED", async () => {
    const close = await ok<{ closeTickets: { failures: Array<{ code: string }> } }>(
      srv,
      `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { ${BULK_FIELDS} } }`,
      { i: { ticketIds: [outside] } },
      teamAgent.token,
    );
    expect(close.closeTickets.failures.map((f) => f.code)).toEqual(["NOT_FOUND"]);
    const move = await ok<{ changeTicketTopic: { userErrors: Array<{ code: string }>; tickets: unknown[] } }>(
      srv,
      `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { ${BULK_FIELDS} } }`,
      { i: { ticketIds: [inTeam], topicId: support } },
      teamAgent.token,
    );
    expect(move.changeTicketTopic.userErrors).toEqual([{ code: "TOPIC_NOT_ALLOWED", field: ["topicId"] }]);
    const within = await ok<{ changeTicketTopic: { tickets: unknown[] } }>(
      srv,
      `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { ${BULK_FIELDS} } }`,
      { i: { ticketIds: [inTeam], topicId: billing } },
      teamAgent.token,
    );
    expect(within.changeTicketTopic.tickets).toHaveLength(1);
    const reply = await ok<{ sendMessage: { userErrors: Array<{ code: string }> } }>(
      srv,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { userErrors { code } } }`,
      { i: { ticketId: outside, text: "hi" } },
      teamAgent.token,
    );
    expect(reply.sendMessage.userErrors).toEqual([{ code: "NOT_FOUND" }]);
  });

  it("assigning a ticket to an agent who cannot see its topic is ASSIGNEE_CANNOT_SEE; openTicket opens it unassigned with a warning", async () => {
    const res = await ok<{ assignTickets: { failures: Array<{ code: string }> } }>(
      srv,
      `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { ${BULK_FIELDS} } }`,
      { i: { ticketIds: [outside], assigneeId: teamAgent.userId } },
      admin.token,
    );
    expect(res.assignTickets.failures.map((f) => f.code)).toEqual(["ASSIGNEE_CANNOT_SEE"]);
    const opened = await ok<{ openTicket: { ticket: { assignee: null }; warnings: string[] } }>(
      srv,
      `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { assignee { id } } warnings } }`,
      { i: { contactUrn: newUrn(), topicId: support, assigneeId: teamAgent.userId } },
      admin.token,
    );
    expect(opened.openTicket.ticket.assignee).toBeNull();
    expect(opened.openTicket.warnings).toEqual(["the assignee's team cannot see this topic; the ticket was opened unassigned"]);
  });

  it("an agent with no team sees every topic", async () => {
    const free = await addMember(srv, admin.workspaceId, "AGENT");
    const res = await ok<{ topics: Array<{ name: string }> }>(srv, `{ topics { name } }`, {}, free.token);
    expect(res.topics.map((t) => t.name)).toEqual(expect.arrayContaining(["Sales", "Support", "Billing"]));
  });
});

describe("members", () => {
  it("the last administrator cannot be demoted or removed", async () => {
    const boss = await srv.signUp();
    const id = await memberId(boss.token);
    const demote = await ok<{ updateMember: { userErrors: Array<{ code: string }> } }>(
      srv,
      UPDATE_MEMBER,
      { i: { id, role: "EDITOR" } },
      boss.token,
    );
    expect(demote.updateMember.userErrors).toEqual([{ code: "LAST_ADMINISTRATOR", field: ["role"] }]);
    const remove = await ok<{ removeMember: { userErrors: Array<{ code: string }> } }>(
      srv,
      `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { deletedId userErrors { code } } }`,
      { i: { id } },
      boss.token,
    );
    expect(remove.removeMember.userErrors).toEqual([{ code: "LAST_ADMINISTRATOR" }]);
    // Two administrators demoting each other at once: one stays.
    const second = await addMember(srv, boss.workspaceId, "ADMINISTRATOR");
    const secondId = await memberId(second.token);
    await Promise.all([
      srv.gql(UPDATE_MEMBER, { i: { id, role: "AGENT" } }, second.token),
      srv.gql(UPDATE_MEMBER, { i: { id: secondId, role: "AGENT" } }, boss.token),
    ]);
    const [{ n }] = await srv.server.db.query(
      `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.role = 'ADMINISTRATOR' AND u.email IN ($1, $2)`,
      [boss.email, second.email],
    );
    expect(n).toBe(1);
  });

  it("removing a member revokes their tokens, unassigns their open tickets with ASSIGNED events, and closes their sockets", async () => {
    const leaving = await addMember(srv, admin.workspaceId, "AGENT");
    const api = await ok<{ createApiToken: { token: string } }>(
      srv,
      `mutation { createApiToken(input: { name: "x" }) { token } }`,
      {},
      leaving.token,
    );
    const mine = await openTicket(srv, admin.token, { assigneeId: leaving.userId });
    const socket = connection(srv.wsUrl, leaving.token);
    const closedCode = socket.closed();
    await new Promise((r) => setTimeout(r, 200));
    const removed = await ok<{ removeMember: { deletedId: string } }>(
      srv,
      `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { deletedId userErrors { code } } }`,
      { i: { id: await memberId(leaving.token) } },
      admin.token,
    );
    expect(removed.removeMember.deletedId).toBeTruthy();
    for (const token of [leaving.token, api.createApiToken.token]) {
      expect((await srv.gql(`{ viewer { role } }`, {}, token)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
    const ticket = await ok<{ node: { assignee: null; events: { nodes: Array<{ type: string; previousAssignee: { id: string } }> } } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Ticket { assignee { id } events(last: 1) { nodes { type previousAssignee { id } } } } } }`,
      { id: mine.id },
      admin.token,
    );
    expect(ticket.node.assignee).toBeNull();
    expect(ticket.node.events.nodes).toEqual([{ type: "ASSIGNED", previousAssignee: { id: leaving.userId } }]);
    expect(await closedCode).toBe(4403);
    await socket.stop();
  });
});
