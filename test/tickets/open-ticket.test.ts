import { newUrn, OPEN, ok, openTicket, team, type OpenResult } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let agent: SignedUp;
let flowToken: string;
beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor, agent } = await team(srv));
  const created = await ok<{ createApiToken: { token: string } }>(
    srv,
    `mutation { createApiToken(input: { name: "flow engine" }) { token } }`,
    {},
    editor.token,
  );
  flowToken = created.createApiToken.token;
  await ok(srv, `mutation { registerFlow(input: { name: "Support bot", externalId: "flow-support" }) { flow { id } } }`, {}, flowToken);
});
afterAll(async () => {
  await srv?.close();
});

const open = (input: Record<string, unknown>, token = admin.token) => ok<OpenResult>(srv, OPEN, { i: input }, token);

describe("openTicket", () => {
  it("by hand: openedBy is the caller, the topic defaults to General, the OPENED event carries topic, assignee and note", async () => {
    const contact = await ok<{ createContact: { contact: { id: string } } }>(
      srv,
      `mutation { createContact(input: { name: "Ana", urns: ["tel:+250788111222"] }) { contact { id } } }`,
      {},
      admin.token,
    );
    const res = await open({ contactId: contact.createContact.contact.id, assigneeId: agent.userId, note: "Call back @contact.name" });
    const ticket = res.openTicket.ticket!;
    expect(res.openTicket.userErrors).toEqual([]);
    expect(ticket).toMatchObject({
      status: "OPEN",
      version: 1,
      topic: { name: "General" },
      assignee: { id: agent.userId },
      openedBy: { id: admin.userId },
      openedIn: null,
      notes: [{ note: "Call back Ana" }],
    });
    const events = await ok<{ node: { events: { nodes: Array<Record<string, unknown>> } } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Ticket { events { nodes { type ticketVersion actor { id } assignee { id } topic { name } note } } } } }`,
      { id: ticket.id },
      admin.token,
    );
    expect(events.node.events.nodes).toEqual([
      {
        type: "OPENED",
        ticketVersion: 1,
        actor: { id: admin.userId },
        assignee: { id: agent.userId },
        topic: { name: "General" },
        note: "Call back Ana",
      },
    ]);
  });

  it("by a flow through an API token: contact found or created by URN, openedBy null, openedIn the flow", async () => {
    const urn = newUrn();
    const res = await open({ contactUrn: urn, flowExternalId: "flow-support", note: "Escalated" }, flowToken);
    const ticket = res.openTicket.ticket!;
    expect(ticket.openedBy).toBeNull();
    expect(ticket.openedIn).toMatchObject({ externalId: "flow-support" });
    expect(ticket.contact.urns).toEqual([urn]);
    const events = await ok<{ node: { events: { nodes: Array<{ actor: unknown }> } } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Ticket { events { nodes { actor { id } } } } } }`,
      { id: ticket.id },
      admin.token,
    );
    expect(events.node.events.nodes).toEqual([{ actor: null }]);
    const unknownFlow = await open({ contactUrn: newUrn(), flowExternalId: "nope" }, flowToken);
    expect(unknownFlow.openTicket.userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND", field: ["flowExternalId"] })]);
  });

  it("ALREADY_OPEN returns the contact's open ticket as existingTicket", async () => {
    const urn = newUrn();
    const first = await open({ contactUrn: urn });
    const second = await open({ contactUrn: urn.replace("tel:+", "tel:00") });
    expect(second.openTicket.ticket).toBeNull();
    expect(second.openTicket.userErrors).toEqual([expect.objectContaining({ code: "ALREADY_OPEN", field: ["contactUrn"] })]);
    expect(second.openTicket.existingTicket).toEqual({ id: first.openTicket.ticket!.id });
  });

  it("two concurrent openTicket calls for one contact open one ticket", async () => {
    for (let round = 0; round < 5; round++) {
      const urn = newUrn();
      const results = await Promise.all(Array.from({ length: 6 }, () => open({ contactUrn: urn })));
      const opened = results.filter((r) => r.openTicket.ticket !== null);
      expect(opened).toHaveLength(1);
      for (const r of results.filter((x) => x.openTicket.ticket === null)) {
        expect(r.openTicket.userErrors[0].code).toBe("ALREADY_OPEN");
        expect(r.openTicket.existingTicket?.id).toBe(opened[0].openTicket.ticket!.id);
      }
      const [{ n }] = await srv.server.db.query(`SELECT count(*) AS n FROM contact_urns WHERE urn = $1`, [urn]);
      expect(Number(n)).toBe(1);
    }
  });

  it("an unknown assigneeEmail opens unassigned with a warning; a known one (any case) assigns", async () => {
    const unknown = await open({ contactUrn: newUrn(), assigneeEmail: "ghost@example.com" });
    expect(unknown.openTicket.ticket?.assignee).toBeNull();
    expect(unknown.openTicket.warnings).toEqual(["no member has the email ghost@example.com; the ticket was opened unassigned"]);
    const known = await open({ contactUrn: newUrn(), assigneeEmail: agent.email.toUpperCase() });
    expect(known.openTicket.ticket?.assignee).toEqual({ id: agent.userId });
    const stranger = await srv.signUp();
    const notMember = await open({ contactUrn: newUrn(), assigneeId: stranger.userId });
    expect(notMember.openTicket.userErrors).toEqual([expect.objectContaining({ code: "NOT_A_MEMBER", field: ["assigneeId"] })]);
  });

  it("shape errors: exactly one of contactId and contactUrn; a bad URN is INVALID_URN; nothing is created", async () => {
    const before = await srv.server.db.query(`SELECT count(*) AS n FROM tickets`);
    for (const input of [{}, { contactUrn: newUrn(), contactId: admin.workspaceId }]) {
      const res = await srv.gql(OPEN, { i: input }, admin.token);
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    }
    const badId = await srv.gql(OPEN, { i: { contactId: admin.userId } }, admin.token);
    expect(badId.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "contactId", fieldPath: ["contactId"] });
    const badUrn = await open({ contactUrn: "sms:123" });
    expect(badUrn.openTicket.userErrors).toEqual([expect.objectContaining({ code: "INVALID_URN", field: ["contactUrn"] })]);
    expect(await srv.server.db.query(`SELECT count(*) AS n FROM tickets`)).toEqual(before);
  });

  it("agents cannot open tickets, anonymous clients are UNAUTHENTICATED, another workspace's contact is NOT_FOUND", async () => {
    const denied = await srv.gql(OPEN, { i: { contactUrn: newUrn() } }, agent.token);
    expect(denied.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const anonymous = await srv.gql(OPEN, { i: { contactUrn: newUrn() } });
    expect(anonymous.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const mine = await openTicket(srv, admin.token);
    const stranger = await srv.signUp();
    const foreign = await ok<OpenResult>(srv, OPEN, { i: { contactId: mine.contact.id } }, stranger.token);
    expect(foreign.openTicket.userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND", field: ["contactId"] })]);
  });
});

describe("note templates", () => {
  const results = { name: { value: "Ana", category: "known" }, age: "32", score: { value: 7 } };

  it("renders each reference form; unknown references render empty with a warning; a blank note adds none", async () => {
    const contact = await ok<{ createContact: { contact: { id: string } } }>(
      srv,
      `mutation { createContact(input: { name: "Bea", urns: ["whatsapp:250788999000"] }) { contact { id } } }`,
      {},
      admin.token,
    );
    const cases: Array<[string, string | null, string[]]> = [
      ["Age: @results.age", "Age: 32", []],
      ["Hi @results.name.", "Hi Ana.", []],
      ["@results.name.category user", "known user", []],
      ["score @results.score", "score 7", []],
      ["For @contact.name", "For Bea", []],
      ["mail me @@ home", "mail me @ home", []],
      ["me@home @ 5 @contact.other", "me@home @ 5 @contact.other", []],
      ["x @results.missing y", "x  y", ["unknown reference @results.missing"]],
      ["@results.age.category", null, ["unknown reference @results.age.category"]],
      ["f=@fields.plan", "f=", ["unknown reference @fields.plan"]],
      ["   ", null, []],
    ];
    for (const [note, expected, warnings] of cases) {
      const res = await open({ contactId: contact.createContact.contact.id, note, results });
      const ticket = res.openTicket.ticket!;
      expect([note, ticket.notes, res.openTicket.warnings]).toEqual([note, expected === null ? [] : [{ note: expected }], warnings]);
      await ok(
        srv,
        `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`,
        { i: { ticketIds: [ticket.id] } },
        admin.token,
      );
    }
  });

  it("cuts a note longer than 10,000 characters, with a warning", async () => {
    const res = await open({ contactUrn: newUrn(), note: "a".repeat(10_050) });
    expect(res.openTicket.ticket!.notes[0].note).toHaveLength(10_000);
    expect(res.openTicket.warnings).toEqual(["note is longer than 10000 characters and was cut"]);
  });
});

describe("idempotency", () => {
  it("the same key twice opens one ticket and returns it, with its warnings, twice", async () => {
    const urn = newUrn();
    const input = { contactUrn: urn, idempotencyKey: "run-1", note: "@results.nope", flowExternalId: "flow-support" };
    const first = await open(input, flowToken);
    const second = await open(input, flowToken);
    expect(second.openTicket).toEqual(first.openTicket);
    expect(first.openTicket.warnings).toEqual(["unknown reference @results.nope"]);
    const [{ n }] = await srv.server.db.query(`SELECT count(*) AS n FROM tickets WHERE idempotency_key = 'run-1'`);
    expect(Number(n)).toBe(1);
  });

  it("concurrent retries with one key open one ticket", async () => {
    const urn = newUrn();
    const results = await Promise.all(Array.from({ length: 8 }, () => open({ contactUrn: urn, idempotencyKey: "burst" }, flowToken)));
    const ids = new Set(results.map((r) => r.openTicket.ticket?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeDefined();
  });

  it("the same key for another contact is IDEMPOTENCY_KEY_REUSED", async () => {
    await open({ contactUrn: newUrn(), idempotencyKey: "once" }, flowToken);
    const other = await open({ contactUrn: newUrn(), idempotencyKey: "once" }, flowToken);
    expect(other.openTicket.userErrors).toEqual([expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED", field: ["idempotencyKey"] })]);
  });

  it("keys are per workspace", async () => {
    const stranger = await srv.signUp();
    await open({ contactUrn: newUrn(), idempotencyKey: "shared-key" });
    const theirs = await ok<OpenResult>(srv, OPEN, { i: { contactUrn: newUrn(), idempotencyKey: "shared-key" } }, stranger.token);
    expect(theirs.openTicket.ticket).not.toBeNull();
  });
});
