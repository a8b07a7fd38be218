import { randomUUID } from "node:crypto";
import { toGlobalId } from "../../src/schema/global-id";
import { BULK_FIELDS, newUrn, ok, openTicket, team, uuid } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const MESSAGE_FIELDS = `id direction status urn text externalId createdAt author { id } contact { id name urns } ticket { id status version }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { ${MESSAGE_FIELDS} } userErrors { code field message } } }`;
const RECEIVE = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { ${MESSAGE_FIELDS} } userErrors { code field message } } }`;
const STATUS = `mutation($i: UpdateMessageStatusInput!) { updateMessageStatus(input: $i) { message { id status direction } userErrors { code field message } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { ${BULK_FIELDS} } }`;
const CREATE_CONTACT = `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id name urns } userErrors { code field } } }`;
const TICKET = `query($id: ID!) { node(id: $id) { ... on Ticket {
  id status version openedAt repliedAt lastActivityAt
  lastMessage { id text direction status }
  events(first: 100) { nodes { type ticketVersion actor { id } message { id } } }
} } }`;

interface Message {
  id: string;
  direction: "INCOMING" | "OUTGOING";
  status: string;
  urn: string;
  text: string;
  externalId: string | null;
  createdAt: string;
  author: { id: string } | null;
  contact: { id: string; name: string | null; urns: string[] };
  ticket: { id: string; status: string; version: number } | null;
}
interface UserError {
  code: string;
  field: string[] | null;
  message: string;
}
interface MessagePayload {
  message: Message | null;
  userErrors: UserError[];
}
interface TicketState {
  id: string;
  status: string;
  version: number;
  openedAt: string;
  repliedAt: string | null;
  lastActivityAt: string;
  lastMessage: { id: string; text: string; direction: string; status: string } | null;
  events: { nodes: Array<{ type: string; ticketVersion: number; actor: { id: string } | null; message: { id: string } | null }> };
}
type GqlErrors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;

async function send(token: string, ticketId: string, text: string): Promise<MessagePayload> {
  return (await ok<{ sendMessage: MessagePayload }>(srv, SEND, { i: { ticketId, text } }, token)).sendMessage;
}

async function receive(token: string, input: Record<string, unknown>): Promise<MessagePayload> {
  return (await ok<{ receiveMessage: MessagePayload }>(srv, RECEIVE, { i: { text: "hello", ...input } }, token)).receiveMessage;
}

/** A receiveMessage that must succeed. */
async function received(token: string, input: Record<string, unknown>): Promise<Message> {
  const payload = await receive(token, input);
  if (!payload.message) throw new Error(`receiveMessage failed: ${JSON.stringify(payload.userErrors)}`);
  return payload.message;
}

/** A sendMessage that must succeed. */
async function sent(token: string, ticketId: string, text: string): Promise<Message> {
  const payload = await send(token, ticketId, text);
  if (!payload.message) throw new Error(`sendMessage failed: ${JSON.stringify(payload.userErrors)}`);
  return payload.message;
}

async function setStatus(
  token: string,
  id: string,
  status: string,
): Promise<{ message: { id: string; status: string } | null; userErrors: UserError[] }> {
  return (
    await ok<{ updateMessageStatus: { message: { id: string; status: string } | null; userErrors: UserError[] } }>(
      srv,
      STATUS,
      { i: { id, status } },
      token,
    )
  ).updateMessageStatus;
}

async function ticketState(token: string, id: string): Promise<TicketState> {
  return (await ok<{ node: TicketState }>(srv, TICKET, { id }, token)).node;
}

async function messageStatus(token: string, id: string): Promise<string> {
  return (await ok<{ node: { status: string } }>(srv, `query($id: ID!) { node(id: $id) { ... on Message { status } } }`, { id }, token))
    .node.status;
}

async function createContact(token: string, input: Record<string, unknown>): Promise<{ id: string; urns: string[] }> {
  const res = await ok<{ createContact: { contact: { id: string; urns: string[] } | null; userErrors: unknown[] } }>(
    srv,
    CREATE_CONTACT,
    { i: input },
    token,
  );
  if (!res.createContact.contact) throw new Error(`createContact failed: ${JSON.stringify(res.createContact.userErrors)}`);
  return res.createContact.contact;
}

async function close(token: string, ticketId: string): Promise<void> {
  const res = await ok<{ closeTickets: { failures: unknown[] } }>(srv, CLOSE, { i: { ticketIds: [ticketId] } }, token);
  expect(res.closeTickets.failures).toEqual([]);
}

/** Rows of a table in a workspace, straight from the database. */
async function count(table: "messages" | "contacts" | "contact_urns" | "ticket_events", workspaceGlobalId: string): Promise<number> {
  const rows = await srv.server.db.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM ${table} WHERE workspace_id = $1`, [
    uuid(workspaceGlobalId),
  ]);
  return Number(rows[0].n);
}

/** Everything a rejected call must leave untouched. */
async function snapshot(workspaceGlobalId: string): Promise<Record<string, number>> {
  const [messages, contacts, urns, events] = await Promise.all([
    count("messages", workspaceGlobalId),
    count("contacts", workspaceGlobalId),
    count("contact_urns", workspaceGlobalId),
    count("ticket_events", workspaceGlobalId),
  ]);
  return { messages, contacts, urns, events };
}

function expectCode(errors: GqlErrors, code: string, field?: string): void {
  expect(errors).toHaveLength(1);
  expect(errors?.[0].extensions?.code).toBe(code);
  if (field !== undefined) expect(errors?.[0].extensions?.field).toBe(field);
  expect(JSON.stringify(errors)).not.toMatch(/stack|SELECT|INSERT|UPDATE |node_modules|\.ts:/);
}

const later = (a: string, b: string): boolean => new Date(a).getTime() > new Date(b).getTime();

describe("sendMessage", () => {
  it("queues a member's reply as OUTGOING, authored by the member, on the contact's first URN when they never wrote", async () => {
    const { admin, editor } = await team(srv);
    const first = newUrn();
    const second = newUrn();
    const contact = await createContact(admin.token, { name: "Ana", urns: [first, second] });
    const ticket = await openTicket(srv, admin.token, { contactUrn: undefined, contactId: contact.id });
    const before = await ticketState(admin.token, ticket.id);
    expect(before.repliedAt).toBeNull();

    const payload = await send(editor.token, ticket.id, "  Hello Ana, how can I help?  ");
    expect(payload.userErrors).toEqual([]);
    const message = payload.message!;
    expect(message).toMatchObject({
      direction: "OUTGOING",
      status: "QUEUED",
      urn: first,
      text: "Hello Ana, how can I help?",
      externalId: null,
      author: { id: editor.userId },
      contact: { id: contact.id },
      ticket: { id: ticket.id, status: "OPEN", version: before.version + 1 },
    });

    const after = await ticketState(admin.token, ticket.id);
    expect(after.version).toBe(before.version + 1);
    expect(after.repliedAt).not.toBeNull();
    expect(later(after.lastActivityAt, before.lastActivityAt)).toBe(true);
    expect(after.lastMessage).toEqual({ id: message.id, text: message.text, direction: "OUTGOING", status: "QUEUED" });
    const sentEvents = after.events.nodes.filter((e) => e.type === "MESSAGE_SENT");
    expect(sentEvents).toEqual([
      { type: "MESSAGE_SENT", ticketVersion: after.version, actor: { id: editor.userId }, message: { id: message.id } },
    ]);
    expect(after.events.nodes).toHaveLength(before.events.nodes.length + 1);
    expect(after.events.nodes[after.events.nodes.length - 1].type).toBe("MESSAGE_SENT");
    expect(await count("messages", admin.workspaceId)).toBe(1);
  });

  it("replies on the URN of the contact's last incoming message", async () => {
    const { admin, editor } = await team(srv);
    const first = newUrn();
    const second = newUrn();
    const contact = await createContact(admin.token, { urns: [first, second] });
    const ticket = await openTicket(srv, admin.token, { contactUrn: undefined, contactId: contact.id });

    // The contact writes from their second URN, spelled with separators: the reply goes there.
    const spelled = second.replace(/^tel:\+(\d{3})(\d{3})/, "tel:+$1 $2-");
    expect(spelled).not.toBe(second);
    const incoming = await received(admin.token, { urn: spelled, text: "from my second phone" });
    expect(incoming.urn).toBe(second);
    expect((await sent(editor.token, ticket.id, "answer 1")).urn).toBe(second);

    // Then from the first: the reply follows.
    await received(admin.token, { urn: first, text: "back on the first" });
    expect((await sent(editor.token, ticket.id, "answer 2")).urn).toBe(first);

    // Outgoing messages do not count as "last incoming".
    expect((await sent(admin.token, ticket.id, "answer 3")).urn).toBe(first);
    await received(admin.token, { urn: second, text: "second again" });
    expect((await sent(admin.token, ticket.id, "answer 4")).urn).toBe(second);
  });

  it("sets repliedAt once: a second reply keeps the first time but still moves lastActivityAt and the version", async () => {
    const { admin, editor } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const m1 = await sent(editor.token, ticket.id, "first reply");
    const afterFirst = await ticketState(admin.token, ticket.id);
    expect(afterFirst.repliedAt).not.toBeNull();
    expect(afterFirst.version).toBe(ticket.version + 1);

    const m2 = await sent(admin.token, ticket.id, "second reply");
    const afterSecond = await ticketState(admin.token, ticket.id);
    expect(afterSecond.repliedAt).toBe(afterFirst.repliedAt);
    expect(afterSecond.version).toBe(ticket.version + 2);
    expect(later(afterSecond.lastActivityAt, afterFirst.lastActivityAt)).toBe(true);
    expect(afterSecond.lastMessage?.id).toBe(m2.id);
    expect(afterSecond.events.nodes.filter((e) => e.type === "MESSAGE_SENT")).toEqual([
      { type: "MESSAGE_SENT", ticketVersion: ticket.version + 1, actor: { id: editor.userId }, message: { id: m1.id } },
      { type: "MESSAGE_SENT", ticketVersion: ticket.version + 2, actor: { id: admin.userId }, message: { id: m2.id } },
    ]);
    // Incoming messages never set repliedAt.
    const contactUrn = newUrn();
    const other = await openTicket(srv, admin.token, { contactUrn });
    await received(admin.token, { urn: contactUrn });
    expect((await ticketState(admin.token, other.id)).repliedAt).toBeNull();
  });

  it("an agent may reply", async () => {
    const { admin, agent } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const message = await sent(agent.token, ticket.id, "Agent here");
    expect(message).toMatchObject({ direction: "OUTGOING", status: "QUEUED", author: { id: agent.userId }, ticket: { id: ticket.id } });
    const state = await ticketState(agent.token, ticket.id);
    expect(state.repliedAt).not.toBeNull();
    expect(state.events.nodes[state.events.nodes.length - 1]).toMatchObject({ type: "MESSAGE_SENT", actor: { id: agent.userId } });
  });

  it("is TICKET_CLOSED on a closed ticket and writes nothing", async () => {
    const { admin, agent } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    await close(admin.token, ticket.id);
    const before = await ticketState(admin.token, ticket.id);
    const counts = await snapshot(admin.workspaceId);
    for (const token of [admin.token, agent.token]) {
      const payload = await send(token, ticket.id, "anyone there?");
      expect(payload.message).toBeNull();
      expect(payload.userErrors).toEqual([{ code: "TICKET_CLOSED", field: ["ticketId"], message: expect.any(String) }]);
    }
    const after = await ticketState(admin.token, ticket.id);
    expect(after).toEqual(before);
    expect(after.repliedAt).toBeNull();
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
  });

  it("is a NOT_FOUND userError for an unknown ticket or another workspace's ticket", async () => {
    const { admin } = await team(srv);
    const stranger = await srv.signUp();
    const theirs = await openTicket(srv, stranger.token);
    const mine = await snapshot(admin.workspaceId);
    const strangers = await snapshot(stranger.workspaceId);
    const theirsBefore = await ticketState(stranger.token, theirs.id);

    for (const ticketId of [toGlobalId("Ticket", randomUUID()), theirs.id]) {
      const payload = await send(admin.token, ticketId, "hi");
      expect(payload.message).toBeNull();
      expect(payload.userErrors).toEqual([{ code: "NOT_FOUND", field: ["ticketId"], message: expect.any(String) }]);
    }
    expect(await snapshot(admin.workspaceId)).toEqual(mine);
    expect(await snapshot(stranger.workspaceId)).toEqual(strangers);
    expect(await ticketState(stranger.token, theirs.id)).toEqual(theirsBefore);
  });

  it("blank or overlong text is BAD_USER_INPUT naming text; a bad ticket id names ticketId; nothing changes", async () => {
    const { admin, editor } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const before = await ticketState(admin.token, ticket.id);
    const counts = await snapshot(admin.workspaceId);
    for (const text of ["", "   ", "\n\t ", "x".repeat(10_001), "nul\u0000byte"]) {
      const res = await srv.gql(SEND, { i: { ticketId: ticket.id, text } }, editor.token);
      expectCode(res.errors, "BAD_USER_INPUT", "text");
      expect(res.data ?? null).toBeNull();
    }
    const missing = await srv.gql(SEND, { i: { ticketId: ticket.id } }, editor.token);
    expectCode(missing.errors, "BAD_USER_INPUT", "text");
    for (const ticketId of ["not an id", admin.workspaceId, toGlobalId("Contact", randomUUID())]) {
      const res = await srv.gql(SEND, { i: { ticketId, text: "hello" } }, editor.token);
      expectCode(res.errors, "BAD_USER_INPUT", "ticketId");
    }
    expect(await ticketState(admin.token, ticket.id)).toEqual(before);
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
    // The longest allowed text is fine.
    expect((await sent(editor.token, ticket.id, "y".repeat(10_000))).text).toHaveLength(10_000);
  });

  it("needs a login", async () => {
    const { admin } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const res = await srv.gql(SEND, { i: { ticketId: ticket.id, text: "hi" } });
    expectCode(res.errors, "UNAUTHENTICATED");
    const bad = await srv.gql(SEND, { i: { ticketId: ticket.id, text: "hi" } }, "not-a-token");
    expectCode(bad.errors, "UNAUTHENTICATED");
    expect(await count("messages", admin.workspaceId)).toBe(0);
  });
});

describe("receiveMessage", () => {
  it("an unknown URN creates the contact with contactName; a known one, however spelled, reuses it", async () => {
    const { admin, editor } = await team(srv);
    const created = await received(editor.token, { urn: "tel:+250 788-123-123", text: "Muraho", contactName: "  Ana  " });
    expect(created).toMatchObject({
      direction: "INCOMING",
      status: "RECEIVED",
      urn: "tel:+250788123123",
      text: "Muraho",
      externalId: null,
      author: null,
      ticket: null,
      contact: { name: "Ana", urns: ["tel:+250788123123"] },
    });
    expect(await count("contacts", admin.workspaceId)).toBe(1);

    for (const urn of ["tel:+250788123123", " TEL:00250 (788) 123.123 ", "tel:+250\u00a0788\u00a0123\u00a0123"]) {
      const again = await received(admin.token, { urn, text: "again", contactName: "Someone Else" });
      expect(again.contact.id).toBe(created.contact.id);
      expect(again.urn).toBe("tel:+250788123123");
      // A known contact keeps the name it has.
      expect(again.contact.name).toBe("Ana");
    }
    expect(await count("contacts", admin.workspaceId)).toBe(1);
    expect(await count("contact_urns", admin.workspaceId)).toBe(1);
    expect(await count("messages", admin.workspaceId)).toBe(4);

    // The same address in another workspace is another contact.
    const stranger = await srv.signUp();
    const theirs = await received(stranger.token, { urn: "tel:+250788123123" });
    expect(theirs.contact.id).not.toBe(created.contact.id);
    expect(await count("contacts", admin.workspaceId)).toBe(1);

    // Other schemes normalise too.
    const mail = await received(admin.token, { urn: "MAILTO:Ana.Lopez@Example.ORG" });
    expect(mail.urn).toBe("mailto:ana.lopez@example.org");
    expect((await received(admin.token, { urn: "mailto:ana.lopez@example.org" })).contact.id).toBe(mail.contact.id);
    const wa = await received(admin.token, { urn: "whatsapp:+250788123124" });
    expect(wa.urn).toBe("whatsapp:250788123124");
    expect((await received(admin.token, { urn: "whatsapp:250788123124" })).contact.id).toBe(wa.contact.id);
  });

  it("a message from a contact without a name gives them contactName; without contactName the name stays empty", async () => {
    const { admin } = await team(srv);
    const urn = newUrn();
    const first = await received(admin.token, { urn });
    expect(first.contact.name).toBeNull();
    const blank = await received(admin.token, { urn, contactName: "   " });
    expect(blank.contact.name).toBeNull();
    const named = await received(admin.token, { urn, contactName: "Bea" });
    expect(named.contact).toMatchObject({ id: first.contact.id, name: "Bea" });
  });

  it("joins the contact's open ticket: MESSAGE_RECEIVED by no actor, lastActivityAt moves, lastMessage, version + 1", async () => {
    const { admin, editor } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    const before = await ticketState(admin.token, ticket.id);

    const message = await received(editor.token, { urn, text: "I still need help", externalId: `ext-${randomUUID()}` });
    expect(message.ticket).toEqual({ id: ticket.id, status: "OPEN", version: before.version + 1 });
    expect(message.contact.id).toBe(ticket.contact.id);

    const after = await ticketState(admin.token, ticket.id);
    expect(after.status).toBe("OPEN");
    expect(after.version).toBe(before.version + 1);
    expect(later(after.lastActivityAt, before.lastActivityAt)).toBe(true);
    expect(after.repliedAt).toBeNull();
    expect(after.lastMessage).toEqual({ id: message.id, text: "I still need help", direction: "INCOMING", status: "RECEIVED" });
    expect(after.events.nodes.slice(before.events.nodes.length)).toEqual([
      { type: "MESSAGE_RECEIVED", ticketVersion: after.version, actor: null, message: { id: message.id } },
    ]);
  });

  it("never reopens a closed ticket: with no open ticket the message has ticket null and the ticket is untouched", async () => {
    const { admin } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    await close(admin.token, ticket.id);
    const before = await ticketState(admin.token, ticket.id);
    const events = await count("ticket_events", admin.workspaceId);

    const message = await received(admin.token, { urn, text: "hello again" });
    expect(message.ticket).toBeNull();
    expect(message.contact.id).toBe(ticket.contact.id);
    expect(await ticketState(admin.token, ticket.id)).toEqual(before);
    expect(before.status).toBe("CLOSED");
    expect(await count("ticket_events", admin.workspaceId)).toBe(events);

    const contact = await ok<{ node: { openTicket: unknown; messages: { nodes: Array<{ id: string; ticket: unknown }> } } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Contact { openTicket { id } messages(last: 1) { nodes { id ticket { id } } } } } }`,
      { id: ticket.contact.id },
      admin.token,
    );
    expect(contact.node.openTicket).toBeNull();
    expect(contact.node.messages.nodes).toEqual([{ id: message.id, ticket: null }]);

    // Once a new ticket is open, messages join it and not the closed one.
    const next = await openTicket(srv, admin.token, { contactUrn: urn });
    expect(next.id).not.toBe(ticket.id);
    expect((await received(admin.token, { urn })).ticket?.id).toBe(next.id);
    expect(await ticketState(admin.token, ticket.id)).toEqual(before);
  });

  it("a repeated externalId returns the first message and creates nothing, even with another URN or text", async () => {
    const { admin, editor } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    const externalId = `wamid.${randomUUID()}`;
    const first = await received(admin.token, { urn, text: "first", externalId });
    expect(first.externalId).toBe(externalId);
    const stateAfterFirst = await ticketState(admin.token, ticket.id);
    const counts = await snapshot(admin.workspaceId);

    for (const repeat of [
      { urn, text: "first", externalId },
      { urn, text: "different text", externalId },
      { urn: newUrn(), text: "from a new URN", externalId, contactName: "Nobody" },
    ]) {
      const again = await received(editor.token, repeat);
      expect(again).toEqual(first);
    }
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
    expect(await ticketState(admin.token, ticket.id)).toEqual(stateAfterFirst);

    // externalIds are unique per workspace, not across workspaces.
    const stranger = await srv.signUp();
    const theirs = await received(stranger.token, { urn, text: "theirs", externalId });
    expect(theirs.id).not.toBe(first.id);
    expect(theirs.text).toBe("theirs");
    // Messages without an externalId are never deduplicated.
    await received(admin.token, { urn, text: "same" });
    await received(admin.token, { urn, text: "same" });
    expect(await count("messages", admin.workspaceId)).toBe(counts.messages + 2);
  });

  it("concurrent messages from one new URN make exactly one contact", async () => {
    const { admin, editor } = await team(srv);
    const urn = newUrn();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        receive(i % 2 ? admin.token : editor.token, { urn, text: `burst ${i}`, contactName: `Name ${i}` }),
      ),
    );
    for (const r of results) expect(r.userErrors).toEqual([]);
    const contactIds = new Set(results.map((r) => r.message!.contact.id));
    expect(contactIds.size).toBe(1);
    expect(await count("contacts", admin.workspaceId)).toBe(1);
    expect(await count("contact_urns", admin.workspaceId)).toBe(1);
    expect(await count("messages", admin.workspaceId)).toBe(10);
    expect(new Set(results.map((r) => r.message!.id)).size).toBe(10);
    const [{ name }] = await srv.server.db.query<Array<{ name: string | null }>>(`SELECT name FROM contacts WHERE workspace_id = $1`, [
      uuid(admin.workspaceId),
    ]);
    expect(name).toMatch(/^Name \d$/);
  });

  it("concurrent messages to one open ticket each write one event and one version", async () => {
    const { admin } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => received(admin.token, { urn, text: `msg ${i}` })));
    for (const m of results) expect(m.ticket?.id).toBe(ticket.id);
    const after = await ticketState(admin.token, ticket.id);
    expect(after.version).toBe(ticket.version + 10);
    const receivedEvents = after.events.nodes.filter((e) => e.type === "MESSAGE_RECEIVED");
    expect(receivedEvents.map((e) => e.ticketVersion)).toEqual(Array.from({ length: 10 }, (_, i) => ticket.version + 1 + i));
    expect(new Set(receivedEvents.map((e) => e.message?.id))).toEqual(new Set(results.map((m) => m.id)));
    expect(after.lastMessage?.id).toBe(receivedEvents[receivedEvents.length - 1].message?.id);
  });

  it("10 concurrent calls with one externalId make one message (and one contact for a new URN)", async () => {
    const { admin } = await team(srv);
    const urn = newUrn();
    const externalId = `dup-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => receive(admin.token, { urn, text: `try ${i}`, externalId })));
    for (const r of results) expect(r.userErrors).toEqual([]);
    const ids = new Set(results.map((r) => r.message!.id));
    expect(ids.size).toBe(1);
    expect(new Set(results.map((r) => r.message!.text)).size).toBe(1);
    expect(await count("messages", admin.workspaceId)).toBe(1);
    expect(await count("contacts", admin.workspaceId)).toBe(1);

    // The same externalId from ten different new URNs: the losers' contacts are rolled back too.
    const externalId3 = `dup-${randomUUID()}`;
    const scattered = await Promise.all(
      Array.from({ length: 10 }, (_, i) => receive(admin.token, { urn: newUrn(), text: `scattered ${i}`, externalId: externalId3 })),
    );
    for (const r of scattered) expect(r.userErrors).toEqual([]);
    expect(new Set(scattered.map((r) => r.message!.id)).size).toBe(1);
    expect(await count("messages", admin.workspaceId)).toBe(2);
    expect(await count("contacts", admin.workspaceId)).toBe(2);
    expect(await count("contact_urns", admin.workspaceId)).toBe(2);

    // The same on a contact with an open ticket: one message, one event.
    const other = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: other });
    const externalId2 = `dup-${randomUUID()}`;
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => receive(admin.token, { urn: other, text: `again ${i}`, externalId: externalId2 })),
    );
    for (const r of burst) expect(r.userErrors).toEqual([]);
    expect(new Set(burst.map((r) => r.message!.id)).size).toBe(1);
    expect(await count("messages", admin.workspaceId)).toBe(3);
    const state = await ticketState(admin.token, ticket.id);
    expect(state.version).toBe(ticket.version + 1);
    expect(state.events.nodes.filter((e) => e.type === "MESSAGE_RECEIVED")).toHaveLength(1);
  });

  it.each([
    ["an empty URN", ""],
    ["blank", "   "],
    ["no scheme", "250788123123"],
    ["an unknown scheme", "fax:+250788123123"],
    ["a local number", "tel:0788123123"],
    ["too few digits", "tel:+1234"],
    ["letters in a number", "tel:+25078812312a"],
    ["an email without @", "mailto:nobody"],
    ["an invisible character", "tel:+250788\u200b123123"],
    ["a whatsapp id with a leading 0", "whatsapp:0788123123"],
  ])('%s is an INVALID_URN userError at ["urn"] and changes nothing', async (_label, urn) => {
    const { admin } = await team(srv);
    const counts = await snapshot(admin.workspaceId);
    const payload = await receive(admin.token, { urn, text: "hi", externalId: `x-${randomUUID()}`, contactName: "X" });
    expect(payload.message).toBeNull();
    expect(payload.userErrors).toEqual([{ code: "INVALID_URN", field: ["urn"], message: expect.any(String) }]);
    expect(payload.userErrors[0].message.length).toBeGreaterThan(0);
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
  });

  it("shape errors are BAD_USER_INPUT naming the field and change nothing", async () => {
    const { admin } = await team(srv);
    const counts = await snapshot(admin.workspaceId);
    const urn = newUrn();
    for (const [input, field] of [
      [{ urn: `ext:${"a".repeat(300)}`, text: "hi" }, "urn"],
      [{ urn, text: "x".repeat(10_001) }, "text"],
      [{ urn, text: "hi", externalId: "" }, "externalId"],
      [{ urn, text: "hi", externalId: "e".repeat(256) }, "externalId"],
      [{ urn, text: "hi", contactName: "n".repeat(101) }, "contactName"],
      [{ text: "hi" }, "urn"],
      [{ urn, text: 42 }, "text"],
      // PostgreSQL text cannot store U+0000: a shape error, never an internal one.
      [{ urn, text: "a\u0000b" }, "text"],
      [{ urn: newUrn(), text: "hi", contactName: "Ana\u0000" }, "contactName"],
      [{ urn, text: "hi", externalId: "id\u0000" }, "externalId"],
    ] as const) {
      const res = await srv.gql(RECEIVE, { i: input }, admin.token);
      expectCode(res.errors, "BAD_USER_INPUT", field);
    }
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
  });

  it("is for administrators and editors: agents are FORBIDDEN, anonymous callers UNAUTHENTICATED", async () => {
    const { admin, editor, agent } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    const counts = await snapshot(admin.workspaceId);
    const before = await ticketState(admin.token, ticket.id);

    const forbidden = await srv.gql(RECEIVE, { i: { urn, text: "hi" } }, agent.token);
    expectCode(forbidden.errors, "FORBIDDEN");
    expect(forbidden.data ?? null).toBeNull();
    const forbiddenNew = await srv.gql(RECEIVE, { i: { urn: newUrn(), text: "hi" } }, agent.token);
    expectCode(forbiddenNew.errors, "FORBIDDEN");
    const anonymous = await srv.gql(RECEIVE, { i: { urn, text: "hi" } });
    expectCode(anonymous.errors, "UNAUTHENTICATED");
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
    expect(await ticketState(admin.token, ticket.id)).toEqual(before);

    expect((await received(editor.token, { urn })).ticket?.id).toBe(ticket.id);
  });
});

describe("updateMessageStatus", () => {
  async function queued(): Promise<{
    admin: { token: string; workspaceId: string };
    editor: { token: string };
    agent: { token: string };
    ticketId: string;
    id: string;
  }> {
    const { admin, editor, agent } = await team(srv);
    const ticket = await openTicket(srv, admin.token);
    const message = await sent(agent.token, ticket.id, "on its way");
    expect(message.status).toBe("QUEUED");
    return { admin, editor, agent, ticketId: ticket.id, id: message.id };
  }

  it("moves an outgoing message QUEUED → SENT → DELIVERED, without touching the ticket", async () => {
    const { admin, editor, ticketId, id } = await queued();
    const before = await ticketState(admin.token, ticketId);
    const toSent = await setStatus(editor.token, id, "SENT");
    expect(toSent).toEqual({ message: { id, status: "SENT", direction: "OUTGOING" }, userErrors: [] });
    expect(await messageStatus(admin.token, id)).toBe("SENT");
    const toDelivered = await setStatus(admin.token, id, "DELIVERED");
    expect(toDelivered).toEqual({ message: { id, status: "DELIVERED", direction: "OUTGOING" }, userErrors: [] });
    expect(await messageStatus(admin.token, id)).toBe("DELIVERED");
    const after = await ticketState(admin.token, ticketId);
    expect(after).toEqual({ ...before, lastMessage: { ...before.lastMessage!, status: "DELIVERED" } });
  });

  it("may skip steps and report FAILED from QUEUED or SENT", async () => {
    const a = await queued();
    expect((await setStatus(a.admin.token, a.id, "DELIVERED")).message?.status).toBe("DELIVERED");
    const b = await queued();
    expect((await setStatus(b.admin.token, b.id, "FAILED")).message?.status).toBe("FAILED");
    const c = await queued();
    await setStatus(c.admin.token, c.id, "SENT");
    expect((await setStatus(c.admin.token, c.id, "FAILED")).message?.status).toBe("FAILED");
    expect(await messageStatus(c.admin.token, c.id)).toBe("FAILED");
  });

  it("never moves backwards: a late SENT after DELIVERED (or FAILED) is accepted without error and changes nothing", async () => {
    const { admin, id } = await queued();
    await setStatus(admin.token, id, "DELIVERED");
    const late = await setStatus(admin.token, id, "SENT");
    expect(late).toEqual({ message: { id, status: "DELIVERED", direction: "OUTGOING" }, userErrors: [] });
    expect(await messageStatus(admin.token, id)).toBe("DELIVERED");
    // Repeating a report is harmless too.
    expect(await setStatus(admin.token, id, "DELIVERED")).toEqual({
      message: { id, status: "DELIVERED", direction: "OUTGOING" },
      userErrors: [],
    });

    const failed = await queued();
    await setStatus(failed.admin.token, failed.id, "FAILED");
    expect((await setStatus(failed.admin.token, failed.id, "SENT")).message?.status).toBe("FAILED");
    expect(await messageStatus(failed.admin.token, failed.id)).toBe("FAILED");
  });

  it("concurrent reports end at the furthest status", async () => {
    const { admin, id } = await queued();
    const reports = ["SENT", "DELIVERED", "SENT", "SENT", "DELIVERED", "SENT"];
    const results = await Promise.all(reports.map((s) => setStatus(admin.token, id, s)));
    for (const r of results) expect(r.userErrors).toEqual([]);
    expect(await messageStatus(admin.token, id)).toBe("DELIVERED");
  });

  it("only outgoing messages have a delivery status: an incoming one is INVALID_VALUE", async () => {
    const { admin } = await team(srv);
    const incoming = await received(admin.token, { urn: newUrn() });
    for (const status of ["SENT", "DELIVERED", "FAILED"]) {
      const res = await setStatus(admin.token, incoming.id, status);
      expect(res.message).toBeNull();
      expect(res.userErrors).toEqual([{ code: "INVALID_VALUE", field: ["id"], message: expect.any(String) }]);
    }
    expect(await messageStatus(admin.token, incoming.id)).toBe("RECEIVED");
  });

  it("RECEIVED and QUEUED are not reports a channel can make: INVALID_VALUE", async () => {
    const { admin, id } = await queued();
    await setStatus(admin.token, id, "SENT");
    for (const status of ["RECEIVED", "QUEUED"]) {
      const res = await setStatus(admin.token, id, status);
      expect(res.message).toBeNull();
      expect(res.userErrors).toEqual([{ code: "INVALID_VALUE", field: ["status"], message: expect.any(String) }]);
    }
    expect(await messageStatus(admin.token, id)).toBe("SENT");
  });

  it("agents are FORBIDDEN and anonymous callers UNAUTHENTICATED", async () => {
    const { admin, agent, id } = await queued();
    const forbidden = await srv.gql(STATUS, { i: { id, status: "DELIVERED" } }, agent.token);
    expectCode(forbidden.errors, "FORBIDDEN");
    const anonymous = await srv.gql(STATUS, { i: { id, status: "DELIVERED" } });
    expectCode(anonymous.errors, "UNAUTHENTICATED");
    expect(await messageStatus(admin.token, id)).toBe("QUEUED");
  });

  it("an unknown or another workspace's message is a NOT_FOUND userError and changes nothing", async () => {
    const { admin, id } = await queued();
    const stranger = await srv.signUp();
    for (const target of [id, toGlobalId("Message", randomUUID())]) {
      const res = await setStatus(stranger.token, target, "DELIVERED");
      expect(res).toEqual({ message: null, userErrors: [{ code: "NOT_FOUND", field: ["id"], message: expect.any(String) }] });
    }
    expect(await messageStatus(admin.token, id)).toBe("QUEUED");
    // Nor can the stranger read it.
    const node = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, stranger.token);
    expect(node.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });

  it("a malformed id or an unknown status is BAD_USER_INPUT", async () => {
    const { admin, ticketId, id } = await queued();
    expectCode((await srv.gql(STATUS, { i: { id: ticketId, status: "SENT" } }, admin.token)).errors, "BAD_USER_INPUT", "id");
    expectCode((await srv.gql(STATUS, { i: { id: "%%%", status: "SENT" } }, admin.token)).errors, "BAD_USER_INPUT", "id");
    expectCode((await srv.gql(STATUS, { i: { id, status: "READ" } }, admin.token)).errors, "BAD_USER_INPUT", "status");
    expect(await messageStatus(admin.token, id)).toBe("QUEUED");
  });
});

describe("attachments", () => {
  const WITH_ATTACHMENTS = `message { id text attachments { contentType url } } userErrors { code field }`;
  const RECEIVE_A = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { ${WITH_ATTACHMENTS} } }`;
  const SEND_A = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { ${WITH_ATTACHMENTS} } }`;
  const LAST = `query($id: ID!) { ticket(id: $id) { lastMessage { text attachments { contentType url } } } }`;
  interface Carried {
    message: { id: string; text: string; attachments: Array<{ contentType: string; url: string }> } | null;
    userErrors: UserError[];
  }

  it("come in from a channel, alone or with text, stored as given (the content type in lower case) and shown on the ticket", async () => {
    const { admin, editor } = await team(srv);
    const ticket = await openTicket(srv, editor.token);
    const urn = ticket.contact.urns[0];
    const photo = { contentType: "Image/JPEG", url: " https://media.example.com/p/1.jpg " };
    const place = { contentType: "geo", url: "-1.9441,30.0619" };
    const only = await ok<{ receiveMessage: Carried }>(srv, RECEIVE_A, { i: { urn, text: "", attachments: [photo, place] } }, admin.token);
    expect(only.receiveMessage).toEqual({
      message: {
        id: expect.any(String),
        text: "",
        attachments: [
          { contentType: "image/jpeg", url: "https://media.example.com/p/1.jpg" },
          { contentType: "geo", url: "-1.9441,30.0619" },
        ],
      },
      userErrors: [],
    });
    const last = await ok<{ ticket: { lastMessage: unknown } }>(srv, LAST, { id: ticket.id }, editor.token);
    expect(last.ticket.lastMessage).toEqual({ text: "", attachments: only.receiveMessage.message!.attachments });
    // A plain message has none.
    const plain = await ok<{ receiveMessage: Carried }>(srv, RECEIVE_A, { i: { urn, text: "thanks" } }, admin.token);
    expect(plain.receiveMessage.message?.attachments).toEqual([]);
  });

  it("go out with a member's reply, which may be attachments only", async () => {
    const { editor } = await team(srv);
    const ticket = await openTicket(srv, editor.token);
    const invoice = { contentType: "application/pdf", url: "https://files.example.com/invoice.pdf" };
    const sent = await ok<{ sendMessage: Carried }>(
      srv,
      SEND_A,
      { i: { ticketId: ticket.id, text: "  ", attachments: [invoice] } },
      editor.token,
    );
    expect(sent.sendMessage).toEqual({ message: { id: expect.any(String), text: "", attachments: [invoice] }, userErrors: [] });
    const both = await ok<{ sendMessage: Carried }>(
      srv,
      SEND_A,
      { i: { ticketId: ticket.id, text: "Here it is", attachments: [invoice, invoice] } },
      editor.token,
    );
    expect(both.sendMessage.message).toMatchObject({ text: "Here it is", attachments: [invoice, invoice] });
  });

  it("are not searched: the inbox search matches message text only", async () => {
    const { admin, editor } = await team(srv);
    const ticket = await openTicket(srv, editor.token);
    const marker = `zq${randomUUID().slice(0, 8)}`;
    await ok(
      srv,
      RECEIVE_A,
      {
        i: {
          urn: ticket.contact.urns[0],
          text: "see photo",
          attachments: [{ contentType: "image/png", url: `https://${marker}.example.com/a.png` }],
        },
      },
      admin.token,
    );
    const search = async (text: string) =>
      (
        await ok<{ tickets: { nodes: Array<{ id: string }> } }>(
          srv,
          `query($f: TicketFilter) { tickets(filter: $f, first: 10) { nodes { id } } }`,
          { f: { search: text } },
          editor.token,
        )
      ).tickets.nodes.map((t) => t.id);
    expect(await search(marker)).toEqual([]);
    expect(await search("see photo")).toContain(ticket.id);
  });

  it("of a bad shape are BAD_USER_INPUT naming the attachment's index and field, and change nothing", async () => {
    const { admin, editor } = await team(srv);
    const ticket = await openTicket(srv, editor.token);
    const urn = ticket.contact.urns[0];
    const good = { contentType: "image/jpeg", url: "https://media.example.com/1.jpg" };
    const counts = await snapshot(admin.workspaceId);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ text: "", attachments: [] }, "text"],
      [{ text: "" }, "text"],
      [{ text: "hi", attachments: Array.from({ length: 11 }, () => good) }, "attachments"],
      [{ text: "hi", attachments: [good, { contentType: "jpeg", url: good.url }] }, "attachments.1.contentType"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg; charset=x", url: good.url }] }, "attachments.0.contentType"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "ftp://media.example.com/1.jpg" }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "javascript:alert(1)" }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: `https://e.com/${"a".repeat(2040)}` }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [good, good, { contentType: "geo", url: "91.0,30.0" }] }, "attachments.2.url"],
      [{ text: "hi", attachments: [{ contentType: "geo", url: "https://maps.example.com" }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "https://e.com/a\u0000b" }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [{ contentType: "image/\u0000jpeg", url: good.url }] }, "attachments.0.contentType"],
      // Stored as given, so checked as given: no line break, space or missing slashes the URL
      // parser would quietly fix, and text is blank without its invisible characters.
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "ht\ntps://x.io/a.jpg" }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "https:x.io/a.jpg" }] }, "attachments.0.url"],
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "https://x.io/a b.jpg" }] }, "attachments.0.url"],
      // A lone surrogate is no character: no URL holds one (the database refused it).
      [{ text: "hi", attachments: [{ contentType: "image/jpeg", url: "https://e.com/\ud800.jpg" }] }, "attachments.0.url"],
      [{ text: "\u200b \u2060" }, "text"],
    ];
    for (const [input, field] of cases) {
      const received = await srv.gql(RECEIVE_A, { i: { urn, ...input } }, admin.token);
      expectCode(received.errors, "BAD_USER_INPUT", field);
      const sent = await srv.gql(SEND_A, { i: { ticketId: ticket.id, ...input } }, editor.token);
      expectCode(sent.errors, "BAD_USER_INPUT", field);
    }
    expect(await snapshot(admin.workspaceId)).toEqual(counts);
  });
});
