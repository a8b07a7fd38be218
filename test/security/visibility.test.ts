import { getNamedType, type GraphQLNamedType, isInterfaceType, isObjectType } from "graphql";
import { RESOLVERS } from "../../src/resolvers";
import { buildHandoverSchema } from "../../src/schema/build-schema";
import { addMember, createTopic, newUrn, ok, openTicket, updateMember } from "../support/fixtures";
import { type GqlResponse, type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { subscribe } from "../support/subscriber";

/**
 * One visibility policy, tried on every field that can carry what a team agent must not see. The
 * schema is walked for every field whose type is (or lists, or pages) a Ticket, Message,
 * TicketEvent, Contact, Topic, contact field or Node; each must be named in COVERED with the
 * probe that reaches it from an object outside the agent's topics. A new field without a probe
 * fails the test.
 *
 * The workspace: topics General, Billing and Secret; a team agent whose team has Billing only.
 * - H: a ticket in Secret, with a note and a message: none of it exists for the agent.
 * - M: opened in Billing (a note, a message), then moved to Secret, then assigned, noted, written
 *   to and closed there: the agent sees its first three events, and the ticket as it was before
 *   the move (version 2, open, unassigned, in Billing), never what came after.
 * - V: a ticket in Billing, all of it visible.
 * - K: a closed ticket in Billing of H's contact: reopening it conflicts with H, unnamed.
 * Everything the agent must not read carries the mark HIDDEN, and the ids of hidden objects are
 * listed: no answer to the agent may hold either.
 */

const TARGETS = new Set([
  "Ticket",
  "Message",
  "TicketEvent",
  "Contact",
  "Topic",
  "ContactField",
  "ContactFieldValue",
  "ContactNote",
  "Node",
]);

/** Every field that can carry a target, and the probe that tries it. */
const COVERED: Record<string, string> = {
  "Query.tickets": "inbox",
  "TicketConnection.nodes": "inbox",
  "TicketConnection.edges": "inbox",
  "TicketEdge.node": "inbox",
  "Query.ticketEvents": "event feed",
  "TicketEventConnection.nodes": "event feed",
  "TicketEventConnection.edges": "event feed",
  "TicketEventEdge.node": "event feed",
  "TicketEvent.ticket": "event feed",
  "TicketEvent.topic": "event feed",
  "TicketEvent.previousTopic": "event feed",
  "TicketEvent.message": "event feed",
  "Ticket.contact": "event feed",
  "Ticket.topic": "event feed",
  "Ticket.lastMessage": "event feed",
  "Ticket.notes": "event feed",
  "Ticket.events": "event feed",
  "Subscription.ticketEvents": "live events",
  "Query.topics": "topics",
  "TicketCounts.topics": "topics",
  "Team.topics": "topics",
  "Query.contacts": "contacts",
  "ContactConnection.nodes": "contacts",
  "ContactConnection.edges": "contacts",
  "ContactEdge.node": "contacts",
  "Contact.openTicket": "contacts",
  "Contact.tickets": "contacts",
  "Contact.messages": "contacts",
  "MessageConnection.nodes": "contacts",
  "MessageConnection.edges": "contacts",
  "MessageEdge.node": "contacts",
  "Message.ticket": "contacts",
  "Message.contact": "contacts",
  "Contact.fields": "contact fields",
  "Contact.field": "contact fields",
  "ContactFieldValue.field": "contact fields",
  "Query.contactFields": "contact fields",
  "Contact.notepad": "contacts",
  "Contact.notepadHistory": "contacts",
  "ContactGroup.contacts": "open tickets group",
  "Query.node": "node",
  "Query.nodes": "node",
  "Query.ticket": "typed roots",
  "Query.contact": "typed roots",
  "FlowStart.contact": "flow starts",
  "FlowStart.ticket": "flow starts",
  "Notification.ticket": "notifications",
  "TicketStatisticsRow.topic": "statistics",
  "BulkTicketPayload.tickets": "bulk change",
  "TicketFailure.conflictingTicket": "reopen conflict",
  "TicketFailure.ticket": "bulk change",
  "MessagePayload.message": "reply",
  "ContactPayload.contact": "contact payload",
  "ContactFieldPayload.contactField": "agent-only mutations",
  "OpenTicketPayload.ticket": "agent-only mutations",
  "OpenTicketPayload.existingTicket": "agent-only mutations",
  "TopicPayload.topic": "agent-only mutations",
  "Webhook.topics": "webhooks",
};

let srv: TestServer;
let admin: SignedUp;
let agent: SignedUp;
const hiddenIds: string[] = [];
const F = {} as {
  billing: string;
  secret: string;
  c1: string;
  h: string;
  m: string;
  v: string;
  k: string;
  noneFieldId: string;
  hMessage: string;
  /** Opened in Secret with a note and a message, then moved into Billing. */
  i: string;
  iContact: string;
  iMessage: string;
  iEvents: string[];
  mSeenMessage: string;
};

const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } failures { code } } }`;
const RECEIVE = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id } } }`;

async function receive(urn: string, text: string): Promise<string> {
  const data = await ok<{ receiveMessage: { message: { id: string } } }>(srv, RECEIVE, { i: { urn, text } }, admin.token);
  return data.receiveMessage.message.id;
}

async function eventIdsOf(ticket: string, fromVersion: number): Promise<string[]> {
  const data = await ok<{ ticketEvents: { nodes: Array<{ id: string; ticketVersion: number }> } }>(
    srv,
    `query($t: ID!) { ticketEvents(filter: { ticketId: $t }) { nodes { id ticketVersion } } }`,
    { t: ticket },
    admin.token,
  );
  return data.ticketEvents.nodes.filter((e) => e.ticketVersion >= fromVersion).map((e) => e.id);
}

beforeAll(async () => {
  srv = await startTestServer();
  admin = await srv.signUp();
  agent = await addMember(srv, admin.workspaceId, "AGENT", "team agent");
  F.billing = await createTopic(srv, admin.token, "Billing");
  F.secret = await createTopic(srv, admin.token, "Secret HIDDEN topic");
  const team = await ok<{ createTeam: { team: { id: string } } }>(
    srv,
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }`,
    { i: { name: "Billing team", topicIds: [F.billing] } },
    admin.token,
  );
  await updateMember(srv, admin.token, agent.userId, { teamId: team.createTeam.team.id });
  const field = async (name: string, agentAccess: string) =>
    (
      await ok<{ createContactField: { contactField: { id: string } } }>(
        srv,
        `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { id } } }`,
        { i: { name, type: "TEXT", agentAccess } },
        admin.token,
      )
    ).createContactField.contactField.id;
  F.noneFieldId = await field("Secret code", "NONE");
  await field("Plan", "VIEW");

  // K: a closed ticket in Billing; then H, the same contact's open ticket, in Secret, with a note,
  // a message and field values on their contact.
  const c1Urn = newUrn();
  const k = await openTicket(srv, admin.token, { contactUrn: c1Urn, topicId: F.billing });
  F.k = k.id;
  await ok(
    srv,
    `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [F.k] } },
    admin.token,
  );
  const h = await openTicket(srv, admin.token, { contactUrn: c1Urn, topicId: F.secret, note: "HIDDEN note of H" });
  F.h = h.id;
  F.c1 = h.contact.id;
  await ok(
    srv,
    `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code } } }`,
    {
      i: {
        contactId: F.c1,
        values: [
          { key: "secret_code", value: "HIDDEN-FIELD" },
          { key: "plan", value: "Gold" },
        ],
      },
    },
    admin.token,
  );
  F.hMessage = await receive(c1Urn, "HIDDEN message of H");

  // M: seen in Billing up to version 2, then moved away and changed.
  const mUrn = newUrn();
  const m = await openTicket(srv, admin.token, { contactUrn: mUrn, topicId: F.billing, note: "seen note of M" });
  F.m = m.id;
  await receive(mUrn, "seen message of M");
  await ok(
    srv,
    `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [F.m], topicId: F.secret } },
    admin.token,
  );
  await ok(
    srv,
    `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [F.m], assigneeId: admin.userId } },
    admin.token,
  );
  await ok(srv, NOTE, { i: { ticketIds: [F.m], note: "HIDDEN note of M after the move" } }, admin.token);
  const mAfter = await receive(mUrn, "HIDDEN message of M after the move");
  await ok(
    srv,
    `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [F.m] } },
    admin.token,
  );

  const v = await openTicket(srv, admin.token, { contactUrn: newUrn(), topicId: F.billing, note: "seen note of V" });
  F.v = v.id;

  // I: its past in Secret comes with it when it moves into Billing, as help desks show a
  // transferred ticket's history.
  const iUrn = newUrn();
  const ticketI = await openTicket(srv, admin.token, { contactUrn: iUrn, topicId: F.secret, note: "note of I before it came in" });
  F.i = ticketI.id;
  F.iContact = ticketI.contact.id;
  F.iMessage = await receive(iUrn, "message of I before it came in");
  F.iEvents = await eventIdsOf(F.i, 1);
  await ok(
    srv,
    `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [F.i], topicId: F.billing } },
    admin.token,
  );
  const mMessages = await ok<{ node: { messages: { nodes: Array<{ id: string; text: string }> } } }>(
    srv,
    `query($c: ID!) { node(id: $c) { ... on Contact { messages { nodes { id text } } } } }`,
    { c: m.contact.id },
    admin.token,
  );
  F.mSeenMessage = mMessages.node.messages.nodes.find((n) => n.text === "seen message of M")!.id;

  hiddenIds.push(F.h, F.secret, F.noneFieldId, F.hMessage, mAfter, ...(await eventIdsOf(F.h, 1)), ...(await eventIdsOf(F.m, 4)));
});
afterAll(() => srv.close());

/** The agent's answer must hold no hidden mark and no hidden id, but those the request itself sent. */
function expectNothingHidden(answer: unknown, sent: unknown = {}): void {
  const text = JSON.stringify(answer);
  const asked = JSON.stringify(sent);
  expect(text).not.toMatch(/HIDDEN/);
  for (const id of hiddenIds) if (!asked.includes(id)) expect([id, text.includes(id)]).toEqual([id, false]);
}

async function asAgent<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<T>> {
  const res = await srv.gql<T>(query, variables, agent.token);
  expectNothingHidden(res, variables);
  return res;
}

const FROZEN_M = `id status version closedAt topic { id name } assignee { id } lastMessage { text } notes { note } events { nodes { ticketVersion note } }`;

const PROBES: Record<string, () => Promise<void>> = {
  async inbox() {
    const res = await asAgent<{ tickets: { nodes: Array<{ id: string }>; edges: Array<{ node: { id: string } }> } }>(
      `{ tickets(filter: { folder: ALL, status: null }) { nodes { id } edges { node { id } } } }`,
    );
    expect(res.data!.tickets.nodes.map((t) => t.id).sort()).toEqual([F.k, F.v, F.i].sort());
  },

  async "event feed"() {
    // Events are read below the oldest transaction running on the database server: another
    // client's long transaction can hold them back a while (docs/integrators.md, "Delivery waits for older
    // transactions").
    const read = () =>
      asAgent<{
        ticketEvents: {
          nodes: Array<{
            type: string;
            ticket: Record<string, unknown>;
            topic: { id: string } | null;
            previousTopic: { id: string } | null;
          }>;
        };
      }>(
        `query($t: ID!) { ticketEvents(filter: { ticketId: $t }) {
        nodes { id type note ticketVersion topic { id name } previousTopic { id name } message { id text ticket { ${FROZEN_M} } }
                ticket { ${FROZEN_M} contact { name } } }
        edges { node { id } } } }`,
        { t: F.m },
      );
    let res = await read();
    for (let i = 0; i < 300 && res.data!.ticketEvents.nodes.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await read();
    }
    const events = res.data!.ticketEvents.nodes;
    expect(events.map((e) => e.type)).toEqual(["OPENED", "MESSAGE_RECEIVED", "TOPIC_CHANGED"]);
    // Moved to a topic that does not exist for the agent: named only by where it came from.
    expect(events[2]).toMatchObject({ topic: null, previousTopic: { id: F.billing } });
    // The ticket as it last was in Billing, whichever event it is reached from.
    for (const e of events) {
      expect(e.ticket).toMatchObject({
        id: F.m,
        status: "OPEN",
        version: 2,
        closedAt: null,
        topic: { id: F.billing, name: "Billing" },
        assignee: null,
        lastMessage: { text: "seen message of M" },
        notes: [{ note: "seen note of M" }],
        events: {
          nodes: [
            { ticketVersion: 1, note: "seen note of M" },
            { ticketVersion: 2, note: null },
          ],
        },
      });
    }
    // A visible ticket is seen as it is.
    const v = await asAgent<{ node: { version: number; status: string } }>(
      `query($v: ID!) { node(id: $v) { ... on Ticket { version status } } }`,
      {
        v: F.v,
      },
    );
    expect(v.data!.node).toEqual({ version: 1, status: "OPEN" });
  },

  async "live events"() {
    const sub = subscribe(
      srv.wsUrl,
      agent.token,
      `subscription { ticketEvents(after: "0.0") { id type ticket { ${FROZEN_M} } topic { id } previousTopic { id } message { id text } } }`,
    );
    // Every event of the agent's topics: K's 2, M's 3 and V's 1.
    const received: unknown[] = await sub.waitFor(6, 30_000).finally(() => sub.stop());
    expectNothingHidden(received);
    const events = received as Array<{ errors?: unknown; data: { ticketEvents: { ticket: { id: string; version: number } } } }>;
    expect(events.filter((e) => e.errors)).toEqual([]);
    const ofM = events.map((e) => e.data.ticketEvents.ticket).filter((t) => t.id === F.m);
    expect(ofM.map((t) => t.version)).toEqual([2, 2, 2]);
  },

  async topics() {
    const res = await asAgent<{ topics: Array<{ id: string }>; ticketCounts: { topics: Array<{ id: string }> } }>(
      `{ topics { id name } ticketCounts { topics { id name openCount } } teams { topics { id name } } }`,
    );
    expect(res.data!.topics.map((t) => t.id)).toEqual([F.billing]);
  },

  async contacts() {
    const res = await asAgent<{ node: { openTicket: unknown; tickets: { nodes: Array<{ id: string }> }; messages: { nodes: unknown[] } } }>(
      `query($c: ID!) {
        contacts(first: 100) { nodes { id name openTicket { id } } edges { node { id } } }
        node(id: $c) { ... on Contact { openTicket { id } notepad { text } notepadHistory { text }
          tickets { nodes { id status } edges { node { id } } }
          messages { nodes { id text contact { id } ticket { id status version } } edges { node { id } } } } } }`,
      { c: F.c1 },
    );
    expect(res.data!.node.openTicket).toBeNull();
    expect(res.data!.node.tickets.nodes.map((t) => t.id)).toEqual([F.k]);
    expect(res.data!.node.messages.nodes).toEqual([]);
  },

  async "contact fields"() {
    const res = await asAgent<{ node: { fields: Array<{ field: { key: string } }>; field: unknown } }>(
      `query($c: ID!) { contactFields { id key } node(id: $c) { ... on Contact {
        fields { field { id key } value } field(key: "secret_code") { value } } } }`,
      { c: F.c1 },
    );
    expect(res.data!.node.fields.map((f) => f.field.key)).toEqual(["plan"]);
    expect(res.data!.node.field).toBeNull();
  },

  async "open tickets group"() {
    const res = await asAgent<{ contactGroups: Array<{ count: number; contacts: { nodes: Array<{ id: string }> } }> }>(
      `{ contactGroups { count contacts(first: 100) { nodes { id openTicket { id } } edges { node { id } } } } }`,
    );
    const [group] = res.data!.contactGroups;
    expect(group.contacts.nodes.map((c) => c.id)).not.toContain(F.c1);
    expect(group.count).toBe(group.contacts.nodes.length);
  },

  async node() {
    for (const id of hiddenIds) {
      const res = await asAgent(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    }
    const res = await asAgent<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: hiddenIds });
    expect(res.data!.nodes).toEqual(hiddenIds.map(() => null));
  },

  async "typed roots"() {
    for (const id of hiddenIds.filter((id) => Buffer.from(id, "base64").toString().startsWith("Ticket:"))) {
      const res = await asAgent<{ ticket: unknown }>(`query($id: ID!) { ticket(id: $id) { id status } }`, { id });
      expect(res.data!.ticket).toBeNull();
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    }
    const res = await asAgent<{
      contact: {
        openTicket: unknown;
        tickets: { nodes: Array<{ id: string }> };
        messages: { nodes: unknown[] };
        fields: Array<{ field: { key: string } }>;
      };
    }>(
      `query($c: ID!) { contact(id: $c) { openTicket { id } tickets { nodes { id } } messages { nodes { id text } }
        fields { field { key } value } field(key: "secret_code") { value } } }`,
      { c: F.c1 },
    );
    expect(res.data!.contact.openTicket).toBeNull();
    expect(res.data!.contact.tickets.nodes.map((t) => t.id)).toEqual([F.k]);
    expect(res.data!.contact.messages.nodes).toEqual([]);
    expect(res.data!.contact.fields.map((f) => f.field.key)).toEqual(["plan"]);
  },

  async notifications() {
    // Written when M and V were opened in Billing; M has left it since: only V's (and the other
    // tickets in Billing now) are listed, counted and resolved.
    const res = await asAgent<{
      notifications: { nodes: Array<{ ticket: { id: string } | null }> };
      viewer: { unseenNotificationCount: number };
    }>(
      `{ notifications(first: 100) { nodes { kind ticket { id status version } } edges { node { id } } } viewer { unseenNotificationCount } }`,
    );
    const tickets = res.data!.notifications.nodes.map((n) => n.ticket?.id);
    expect(tickets).toContain(F.v);
    expect(tickets).not.toContain(F.m);
    expect(tickets.every((id) => id !== undefined && [F.k, F.v, F.i].includes(id))).toBe(true);
    expect(res.data!.viewer.unseenNotificationCount).toBe(tickets.length);
  },

  async statistics() {
    // K, M and V were opened in Billing (M has left it since): Billing's figures, and no other topic's.
    const res = await asAgent<{ ticketStatistics: { rows: Array<{ topic: { id: string } | null; opened: number }> } }>(
      `query($since: DateTime!, $until: DateTime!) { ticketStatistics(since: $since, until: $until, groupBy: [TOPIC]) {
        rows { topic { id name } opened } } }`,
      { since: new Date(Date.now() - 86_400_000).toISOString(), until: new Date(Date.now() + 86_400_000).toISOString() },
    );
    expect(res.data!.ticketStatistics.rows).toEqual([{ topic: { id: F.billing, name: "Billing" }, opened: 3 }]);
  },

  async "flow starts"() {
    const res = await asAgent(`{ flowStarts { id contact { id } ticket { id } } }`);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
  },

  async "bulk change"() {
    const res = await asAgent<{ addTicketNote: { tickets: unknown[]; failures: Array<{ code: string; ticket: unknown }> } }>(
      `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id }
        failures { ticketId code ticket { id status version } } counts { folders { id open closed } topics { id name } } } }`,
      { i: { ticketIds: [F.h], note: "from the agent" } },
    );
    expect(res.data!.addTicketNote.tickets).toEqual([]);
    expect(res.data!.addTicketNote.failures).toEqual([{ ticketId: F.h, code: "NOT_FOUND", ticket: null }]);
  },

  async "reopen conflict"() {
    const res = await asAgent<{ reopenTickets: { failures: Array<{ code: string; conflictingTicket: unknown }> } }>(
      `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { tickets { id } failures { code conflictingTicket { id status } } } }`,
      { i: { ticketIds: [F.k] } },
    );
    expect(res.data!.reopenTickets.failures).toEqual([{ code: "ALREADY_OPEN", conflictingTicket: null }]);
  },

  async reply() {
    const res = await asAgent<{ sendMessage: { message: unknown; userErrors: Array<{ code: string }> } }>(
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id ticket { id } } userErrors { code } } }`,
      { i: { ticketId: F.h, text: "from the agent" } },
    );
    expect(res.data!.sendMessage).toEqual({ message: null, userErrors: [{ code: "NOT_FOUND" }] });
  },

  async "contact payload"() {
    const res = await asAgent<{ updateNotepad: { contact: { openTicket: unknown } } }>(
      `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { contact { id openTicket { id }
        fields { field { key } value } tickets { nodes { id } } messages { nodes { text } } } userErrors { code } } }`,
      { i: { contactId: F.c1, text: "Called back" } },
    );
    expect(res.data!.updateNotepad.contact.openTicket).toBeNull();
  },

  async webhooks() {
    // Administrators' only: the team agent reaches no endpoint, by the list or by id, so none of
    // its topics (the one outside the team's included).
    const made = await srv.gql<{ createWebhook: { webhook: { id: string } } }>(
      `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }`,
      { i: { url: "https://93.184.215.14/hook", events: ["OPENED"], topicIds: [F.billing] } },
      admin.token,
    );
    const id = made.data!.createWebhook.webhook.id;
    const listed = await asAgent(`{ webhooks { id topics { id } } }`);
    expect(listed.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    const byId = await asAgent<{ node: null }>(`query($id: ID!) { node(id: $id) { ... on Webhook { topics { id } } } }`, { id });
    expect(byId.data?.node).toBeNull();
    expect(byId.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    await srv.gql(`mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedId } }`, { i: { id } }, admin.token);
  },
  async "agent-only mutations"() {
    const forbidden = [
      [`mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } existingTicket { id } } }`, { i: { contactId: F.c1 } }],
      [`mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } } }`, { i: { name: "Mine" } }],
      [
        `mutation($i: UpdateContactFieldInput!) { updateContactField(input: $i) { contactField { id } } }`,
        { i: { id: F.noneFieldId, featured: true } },
      ],
    ] as const;
    for (const [query, variables] of forbidden) {
      const res = await asAgent(query, variables);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
  },
};

/** Fields whose type is (or lists, or pages, through a connection or an edge) a target type. */
function fieldsCarryingTargets(schema: Awaited<ReturnType<typeof buildHandoverSchema>>): string[] {
  const carries = (type: GraphQLNamedType, depth = 0): boolean => {
    if (TARGETS.has(type.name)) return true;
    if (depth > 1 || !isObjectType(type) || !/(Connection|Edge)$/.test(type.name)) return false;
    const fields = type.getFields();
    return ["nodes", "node", "edges"].some((f) => fields[f] && carries(getNamedType(fields[f].type), depth + 1));
  };
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type)) || isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (carries(getNamedType(field.type))) found.push(`${type.name}.${field.name}`);
    }
  }
  return found.sort();
}

it("has a probe for every field that can carry a ticket, event, message, contact, topic or contact field", async () => {
  const schema = await buildHandoverSchema(RESOLVERS);
  expect(Object.keys(COVERED).sort()).toEqual(fieldsCarryingTargets(schema));
  expect(new Set(Object.values(COVERED))).toEqual(new Set(Object.keys(PROBES)));
});

describe("a team agent", () => {
  it.each(Object.keys(PROBES))("%s: nothing outside their topics, nor a field they may not see", async (name) => {
    await PROBES[name]();
  });
});

describe("a ticket's history, for a team agent", () => {
  it("comes with a ticket moved into their topics, whatever path reads it, while the feed delivered only what happened there", async () => {
    const thread = await asAgent<{ node: { events: { nodes: Array<{ id: string; type: string }> }; notes: Array<{ note: string }> } }>(
      `query($t: ID!) { node(id: $t) { ... on Ticket { events { nodes { id type } } notes { note } } } }`,
      { t: F.i },
    );
    expect(thread.data!.node.events.nodes.map((e) => e.type)).toEqual(["OPENED", "MESSAGE_RECEIVED", "TOPIC_CHANGED"]);
    expect(thread.data!.node.notes).toEqual([{ note: "note of I before it came in" }]);
    // The same events and message by id, and in the contact's messages.
    const byId = await asAgent<{ nodes: Array<{ id: string } | null> }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: [...F.iEvents, F.iMessage],
    });
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.nodes.map((n) => n?.id)).toEqual([...F.iEvents, F.iMessage]);
    const contact = await asAgent<{ node: { messages: { nodes: Array<{ id: string }> } } }>(
      `query($c: ID!) { node(id: $c) { ... on Contact { messages { nodes { id } } } } }`,
      { c: F.iContact },
    );
    expect(contact.data!.node.messages.nodes.map((n) => n.id)).toEqual([F.iMessage]);
    // The feed delivers, as it happens, what happens in their topics: from the move on.
    const feed = await asAgent<{ ticketEvents: { nodes: Array<{ type: string }> } }>(
      `query($t: ID!) { ticketEvents(filter: { ticketId: $t }) { nodes { type } } }`,
      { t: F.i },
    );
    expect(feed.data!.ticketEvents.nodes.map((e) => e.type)).toEqual(["TOPIC_CHANGED"]);
  });

  it("of a ticket that left their topics, ends where they last saw it, by id as in its thread", async () => {
    const res = await asAgent<{ nodes: Array<{ id: string; text?: string } | null> }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Message { text } } }`,
      { ids: [F.mSeenMessage] },
    );
    expect(res.data!.nodes).toEqual([{ id: F.mSeenMessage, text: "seen message of M" }]);
    const contact = await asAgent<{ node: { contact: { messages: { nodes: Array<{ text: string }> } } } }>(
      `query($c: ID!) { node(id: $c) { ... on Message { contact { messages { nodes { text } } } } } }`,
      { c: F.mSeenMessage },
    );
    expect(contact.data!.node.contact.messages.nodes.map((n) => n.text)).toEqual(["seen message of M"]);
  });
});
