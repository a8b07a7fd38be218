import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getDirective } from "@graphql-tools/utils";
import {
  buildSchema,
  getNamedType,
  type GraphQLField,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
} from "graphql";
import { hashToken } from "../../src/auth/tokens";
import { parseGlobalId, toGlobalId } from "../../src/schema/global-id";
import { ACTORS, type Actor, MATRIX, NODE_MATRIX, type Outcome, type View } from "./authorization-matrix.expectations";
import { addMember, newUrn, ok, uuid } from "../support/fixtures";
import { type GqlResponse, type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { until } from "../support/server-process";
import { subscribe } from "../support/subscriber";

/**
 * The authorization matrix: every root field of the built schema, run as each actor of
 * authorization-matrix.expectations.ts against real objects of workspace A, checked against
 * the outcome the table gives. Denied requests, and anything B's administrator sends, must leave
 * workspace A exactly as it was.
 */

type Member = Exclude<Actor, "anonymous">;
type AMember = Exclude<Member, "otherAdmin">;

const BAD_TOKEN = "hov_not-a-real-token";
/** In every text of workspace A's fixtures (B's say ws-B): what B's administrator must never read. */
const A_MARK = "ws-a";
/** In the notes and messages of tickets that were never in Billing: what the team agent must never read. */
const GENERAL_ONLY = "GENERAL-ONLY";
/** The value of the NONE field: what no agent may read. */
const SECRET = "SECRET-VALUE";

let srv: TestServer;
let dataDir: string;
let users: Record<Member, SignedUp>;
/** Whose credentials anonymous logs in with. */
let anonLogin: SignedUp;

/** Workspace A's fixtures (global ids unless named uuid). */
const A = {} as {
  workspace: string;
  workspaceUuid: string;
  general: string;
  billing: string;
  team: string;
  generalTeam: string;
  c1: string;
  c1Urn: string;
  c2: string;
  c2Urn: string;
  c4: string;
  c4Urn: string;
  /** Billing, closed: C1's older ticket, which fired the trigger. */
  t1: string;
  /** General, open: C1's ticket, never in Billing. */
  t2: string;
  /** Billing, open: C2's ticket. */
  t3: string;
  /** Opened in Billing, then moved to General, with notes and messages after the move. */
  t4: string;
  mBilling: string;
  mGeneral: string;
  mOut: string;
  fNone: string;
  fView: string;
  fEdit: string;
  shortcut: string;
  flow: string;
  trigger: string;
  triggerRow: string;
  flowStart: string;
  invitation: string;
  /** A pending invitation's token, for an address none of the actors has. */
  pendingToken: string;
  group: string;
  apiTokens: Record<AMember, string>;
  /** Each member's newest notification (B's administrator's in B). */
  lastNotification: Record<Member, string>;
  members: Record<AMember, string>;
  eventT1: string;
  eventT2: string;
  marker: string;
  /** A finished ticket export of the administrator's and of the editor's. */
  exports: Record<"administrator" | "editor", string>;
  /** A webhook endpoint (to a port nobody listens on) and its ping in the delivery log. */
  webhook: string;
  webhookDelivery: string;
};

/** Workspace B's fixtures. */
const B = {} as {
  workspaceUuid: string;
  topic: string;
  ticket: string;
  contact: string;
  flowStart: string;
  marker: string;
  agentMember: string;
  apiToken: string;
};

const tokenOf = (actor: Actor): string | undefined => (actor === "anonymous" ? undefined : users[actor].token);
const adminToken = () => users.administrator.token;

function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return srv.server.db.query<T[]>(text, params);
}

/** Runs a mutation that must succeed: no error, no userError, no failure. Answers its payload. */
async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const data = await ok<Record<string, T>>(srv, query, variables, token);
  const payload = Object.values(data)[0] as T & { userErrors?: unknown[]; failures?: unknown[] };
  if ((payload.userErrors?.length ?? 0) > 0 || (payload.failures?.length ?? 0) > 0) {
    throw new Error(`refused: ${JSON.stringify(payload)}`);
  }
  return payload;
}

let counter = 0;
const unique = (label: string) => `${label} ${++counter}`;

// Fresh targets, made by A's administrator, so that every change runs against its own object.

const OPEN = `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } failures { code } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } failures { code } } }`;
const RECEIVE = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id } userErrors { code } } }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } userErrors { code } } }`;

async function freshTicket(topic: "general" | "billing", status: "OPEN" | "CLOSED" = "OPEN"): Promise<string> {
  const { ticket } = await must<{ ticket: { id: string } }>(
    OPEN,
    { i: { contactUrn: newUrn(), topicId: topic === "general" ? A.general : A.billing } },
    adminToken(),
  );
  if (status === "CLOSED") await must(CLOSE, { i: { ticketIds: [ticket.id] } }, adminToken());
  return ticket.id;
}

/** Tickets an actor may see: the team agent's are in Billing. */
const visibleTopic = (actor: Actor): "general" | "billing" => (actor === "teamAgent" ? "billing" : "general");

async function freshContact(): Promise<string> {
  const { contact } = await must<{ contact: { id: string } }>(
    `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } userErrors { code } } }`,
    { i: { urns: [newUrn()] } },
    adminToken(),
  );
  return contact.id;
}

async function freshTopic(): Promise<string> {
  const { topic } = await must<{ topic: { id: string } }>(
    `mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } userErrors { code } } }`,
    { i: { name: unique("Topic") } },
    adminToken(),
  );
  return topic.id;
}

async function freshField(): Promise<string> {
  const { contactField } = await must<{ contactField: { id: string } }>(
    `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { id } userErrors { code } } }`,
    { i: { name: unique("Field"), type: "TEXT" } },
    adminToken(),
  );
  return contactField.id;
}

async function freshShortcut(): Promise<string> {
  const { shortcut } = await must<{ shortcut: { id: string } }>(
    `mutation($i: CreateShortcutInput!) { createShortcut(input: $i) { shortcut { id } userErrors { code } } }`,
    { i: { name: unique("Shortcut"), text: "Hello" } },
    adminToken(),
  );
  return shortcut.id;
}

async function freshTeam(): Promise<string> {
  const { team } = await must<{ team: { id: string } }>(
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } userErrors { code } } }`,
    { i: { name: unique("Team"), allTopics: true } },
    adminToken(),
  );
  return team.id;
}

/** A member of a workspace who never logs in: written directly, as test/support's addMember does. */
async function silentMember(workspaceUuid: string): Promise<string> {
  const userId = randomUUID();
  const memberId = randomUUID();
  await sql(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Member', 'never used')`, [
    userId,
    `member-${userId}@example.com`,
  ]);
  await sql(`INSERT INTO memberships (id, workspace_id, user_id, role) VALUES ($1, $2, $3, 'AGENT')`, [memberId, workspaceUuid, userId]);
  return toGlobalId("Member", memberId);
}

const freshMember = () => silentMember(A.workspaceUuid);

/** A pending invitation of workspace A, with the token its link would carry. */
async function freshInvitation(): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = `hov_${randomBytes(24).toString("base64url")}`;
  await sql(
    `INSERT INTO invitations (id, workspace_id, email, role, team_id, token_hash, invited_by_id, expires_at)
     VALUES ($1, $2, $3, 'AGENT', NULL, $4, $5, now() + interval '30 days')`,
    [id, A.workspaceUuid, `${unique("invitee").replace(" ", "-")}@example.com`, hashToken(token), uuid(users.administrator.userId)],
  );
  return { id: toGlobalId("Invitation", id), token };
}

/** A paused webhook endpoint of A's, made directly (a case that changes or deletes one gets its own). */
async function freshWebhook(): Promise<string> {
  const id = randomUUID();
  await sql(
    `INSERT INTO webhooks (id, workspace_id, url, events, secret, position_tx, enabled) VALUES ($1, $2, $3, '{OPENED}', $4, 0, false)`,
    [id, A.workspaceUuid, "http://127.0.0.1:9/fresh", `whsec_${randomBytes(32).toString("base64")}`],
  );
  return toGlobalId("Webhook", id);
}

/** Removes the endpoints a case created (all of A's and B's but A's fixture). */
async function removeNewWebhooks(): Promise<void> {
  await sql(`DELETE FROM webhooks WHERE id <> $1`, [uuid(A.webhook)]);
}

async function freshOutgoingMessage(): Promise<string> {
  const ticket = await freshTicket("general");
  return (await must<{ message: { id: string } }>(SEND, { i: { ticketId: ticket, text: "On it" } }, adminToken())).message.id;
}

async function freshApiToken(token: string): Promise<string> {
  const { apiToken } = await must<{ apiToken: { id: string } }>(
    `mutation { createApiToken(input: { name: "spare" }) { apiToken { id } userErrors { code } } }`,
    {},
    token,
  );
  return apiToken.id;
}

/** A new session of an actor, issued directly (logIn itself is a case of the matrix). */
async function freshSession(actor: Member): Promise<string> {
  const token = `hov_${randomBytes(32).toString("base64url")}`;
  await sql(`INSERT INTO api_tokens (id, workspace_id, user_id, kind, token_hash) VALUES ($1, $2, $3, 'SESSION', $4)`, [
    randomUUID(),
    uuid(users[actor].workspaceId),
    uuid(users[actor].userId),
    hashToken(token),
  ]);
  return token;
}

/** A has one trigger (TICKET_CLOSED); the cases that create or delete one put it back as it was. */
async function restoreTrigger(): Promise<void> {
  await sql(`DELETE FROM triggers WHERE workspace_id = $1 AND id <> $2`, [A.workspaceUuid, uuid(A.trigger)]);
  await sql(`INSERT INTO triggers SELECT * FROM jsonb_populate_record(NULL::triggers, $1::jsonb) ON CONFLICT DO NOTHING`, [A.triggerRow]);
}

/** A ticket's first or last event, from the log itself. */
async function eventOf(ticket: string, which: "first" | "last"): Promise<string> {
  const [row] = await sql<{ id: string }>(
    `SELECT id FROM ticket_events WHERE ticket_id = $1 ORDER BY ticket_version ${which === "first" ? "ASC" : "DESC"} LIMIT 1`,
    [uuid(ticket)],
  );
  return toGlobalId("TicketEvent", row.id);
}

async function flowStartOf(ticket: string): Promise<string> {
  const [row] = await sql<{ id: string }>(`SELECT id FROM flow_starts WHERE ticket_id = $1`, [uuid(ticket)]);
  return toGlobalId("FlowStart", row.id);
}

/** Waits for a ticket export to be DONE or FAILED. */
async function exportFinished(id: string): Promise<void> {
  await eventually(async () => {
    const [row] = await sql<{ status: string }>(`SELECT status FROM ticket_exports WHERE id = $1`, [id]);
    return row !== undefined && row.status !== "PENDING" && row.status !== "RUNNING";
  }, "the export to finish");
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

// What workspace A holds, to prove that a request changed none of it.

let fingerprintSql = "";

async function fingerprint(): Promise<Array<{ t: string; h: string }>> {
  return sql<{ t: string; h: string }>(fingerprintSql, [A.workspaceUuid]);
}

/** Runs `act` and asserts that workspace A is exactly as it was before. */
async function unchanged<T>(act: () => Promise<T>): Promise<T> {
  const before = await fingerprint();
  const result = await act();
  expect(await fingerprint()).toEqual(before);
  return result;
}

// Reading what an answer holds.

const ID_KEYS = new Set(["id", "ticketId", "deletedId"]);

/** Every global id in an answer, by type. */
function globalIds(value: unknown, out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  if (Array.isArray(value)) {
    for (const item of value) globalIds(item, out);
  } else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      const parsed = typeof v === "string" && ID_KEYS.has(key) ? parseGlobalId(v) : undefined;
      if (parsed) out.set(parsed.type, (out.get(parsed.type) ?? new Set()).add(parsed.uuid));
      else globalIds(v, out);
    }
  }
  return out;
}

const TABLES: Record<string, string> = {
  Member: "memberships",
  ApiToken: "api_tokens",
  Topic: "topics",
  Contact: "contacts",
  Flow: "flows",
  Ticket: "tickets",
  Message: "messages",
  ContactField: "contact_fields",
  ContactGroup: "contact_groups",
  Team: "teams",
  Invitation: "invitations",
  Shortcut: "shortcuts",
  Trigger: "triggers",
  FlowStart: "flow_starts",
  TicketEvent: "ticket_events",
  Notification: "notifications",
  TicketExport: "ticket_exports",
  Webhook: "webhooks",
  WebhookDelivery: "webhook_deliveries",
};

/** The checks every answer in a restricted view gets, whatever the field. */
async function expectView(view: View, data: unknown): Promise<void> {
  const text = JSON.stringify(data);
  const ids = globalIds(data);
  const list = (type: string) => [...(ids.get(type) ?? [])];
  if (view === "OWN_WORKSPACE") {
    expect(text.toLowerCase()).not.toContain(A_MARK);
    for (const [type, uuids] of ids) {
      const all = [...uuids];
      if (type === "Workspace") expect(all).not.toContain(A.workspaceUuid);
      else if (type === "User") {
        expect(await sql(`SELECT user_id FROM memberships WHERE workspace_id = $1 AND user_id = ANY($2)`, [A.workspaceUuid, all])).toEqual(
          [],
        );
      } else {
        if (!TABLES[type]) throw new Error(`no table known for ${type}`);
        expect(await sql(`SELECT id FROM ${TABLES[type]} WHERE workspace_id = $1 AND id = ANY($2)`, [A.workspaceUuid, all])).toEqual([]);
      }
    }
  }
  if (view === "TEAM_TOPICS" || view === "AGENT_FIELDS") {
    expect(text).not.toContain(SECRET);
    expect(list("ContactField")).not.toContain(uuid(A.fNone));
  }
  if (view === "TEAM_TOPICS") {
    expect(text).not.toContain(GENERAL_ONLY);
    const team = [uuid(A.billing)];
    // A ticket the team agent may know of: one that has been in a topic of theirs.
    expect(
      await sql(
        `SELECT t.id FROM tickets t WHERE t.id = ANY($1) AND NOT EXISTS (
           SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND (e.topic_id = ANY($2) OR e.previous_topic_id = ANY($2)))`,
        [list("Ticket"), team],
      ),
    ).toEqual([]);
    // An event: one of the feed (below), or in the thread of a ticket of theirs.
    expect(
      await sql(
        `SELECT e.id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
          WHERE e.id = ANY($1) AND NOT (t.topic_id = ANY($2) OR e.topic_id = ANY($2) OR coalesce(e.previous_topic_id = ANY($2), false))`,
        [list("TicketEvent"), team],
      ),
    ).toEqual([]);
    expect(
      await sql(`SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.id = ANY($1) AND NOT t.topic_id = ANY($2)`, [
        list("Message"),
        team,
      ]),
    ).toEqual([]);
  }
}

/** The team agent's event feed holds the events whose topic, or previous topic, is the team's. */
async function expectTeamFeed(events: Id[]): Promise<void> {
  expect(
    await sql(`SELECT id FROM ticket_events WHERE id = ANY($1) AND NOT (topic_id = $2 OR coalesce(previous_topic_id = $2, false))`, [
      ids(events).map(uuid),
      uuid(A.billing),
    ]),
  ).toEqual([]);
}

const openCountOf = async (workspaceUuid: string, topics?: string[]) =>
  Number(
    (
      await sql<{ n: string }>(
        `SELECT count(*) AS n FROM tickets WHERE workspace_id = $1 AND status = 'OPEN' AND ($2::uuid[] IS NULL OR topic_id = ANY($2))`,
        [workspaceUuid, topics ?? null],
      )
    )[0].n,
  );

// The requests, one per field.

interface Req {
  query: string;
  variables?: Record<string, unknown>;
  /** Another token than the actor's (null: none). */
  token?: string | null;
}

interface Spec<T = unknown> {
  /** The request this actor sends; it may first make fresh targets in A (never counted as a change). */
  request(actor: Actor): Req | Promise<Req>;
  /** What came back, beyond the outcome: view "ALL" for ALLOWED, else the view of { sees }. */
  check?(view: View | "ALL", data: T, actor: Actor, res: GqlResponse<T>): void | Promise<void>;
  /** TEAM_TOPICS on a mutation: the same change on a ticket of another topic, which must be NOT_FOUND. */
  invisible?(actor: Actor): Req | Promise<Req>;
  /** The restricted view answers with errors too (nodes: NOT_FOUND at hidden indexes). */
  partial?: boolean;
  cleanup?(): Promise<void>;
}

const spec = <T>(s: Spec<T>): Spec<T> => s;

interface Id {
  id: string;
}
const ids = (list: Id[]) => list.map((x) => x.id);

const BULK = `tickets { id } failures { ticketId code } userErrors { code field }`;
const mutationOf = (name: string, input: string) => `mutation($i: ${input}!) { ${name}(input: $i) { ${BULK} } }`;

/**
 * A bulk change's input: the tickets, and a valid value for each other required field (the first
 * value of an enum, so that a new bulk mutation setting one runs with no line of its own here).
 */
function bulkInput(name: string, ticketIds: string[], actor: Actor): Record<string, unknown> {
  if (name === "assignTickets") return { ticketIds, assigneeId: users[actor === "anonymous" ? "administrator" : actor].userId };
  if (name === "addTicketNote") return { ticketIds, note: "Checked the invoice" };
  const input = getNamedType(COMMITTED_SCHEMA.getMutationType()!.getFields()[name].args[0].type);
  const given: Record<string, unknown> = { ticketIds };
  if (!isInputObjectType(input)) return given;
  for (const [key, field] of Object.entries(input.getFields())) {
    const type = getNamedType(field.type);
    if (key === "ticketIds" || !isNonNullType(field.type)) continue;
    if (isEnumType(type)) given[key] = type.getValues()[0].value;
    else throw new Error(`${name}: give ${input.name}.${key} a value in bulkInput`);
  }
  return given;
}

/**
 * A bulk ticket change: each member of A on a fresh ticket they may see (and, for the team agent,
 * one they may not); B's administrator on A's fixture ticket.
 */
function bulk(name: string, input: string): Spec<Record<string, { tickets: Id[] }>> {
  const status = name === "reopenTickets" ? "CLOSED" : "OPEN";
  const query = mutationOf(name, input);
  return {
    async request(actor) {
      const ticket = actor === "otherAdmin" ? (status === "CLOSED" ? A.t1 : A.t3) : await freshTicket(visibleTopic(actor), status);
      return { query, variables: { i: bulkInput(name, [ticket], actor) } };
    },
    async invisible(actor) {
      return { query, variables: { i: bulkInput(name, [await freshTicket("general", status)], actor) } };
    },
    check(_view, data) {
      expect(data[name].tickets).toHaveLength(1);
    },
  };
}

/** A single-id mutation: a fresh target for A's members, A's fixture for B's administrator. */
const single = <T>(
  query: string,
  input: (actor: Actor) => Record<string, unknown> | Promise<Record<string, unknown>>,
  check?: Spec<T>["check"],
): Spec<T> =>
  spec<T>({
    async request(actor) {
      return { query, variables: { i: await input(actor) } };
    },
    check,
  });

const SPECS: Record<string, Spec> = {
  "Mutation.signUp": spec<{ signUp: { token: string; viewer: { role: string } } }>({
    request: () => ({
      query: `mutation($i: SignUpInput!) { signUp(input: $i) { token viewer { role workspace { id } } userErrors { code } } }`,
      variables: {
        i: {
          email: `${unique("new").replace(" ", "-")}@example.com`,
          password: "correct horse battery",
          name: "New",
          workspaceName: "New",
        },
      },
    }),
    check(_view, data) {
      expect(data.signUp.token).toEqual(expect.any(String));
      expect(data.signUp.viewer.role).toBe("ADMINISTRATOR");
    },
  }),

  "Mutation.logIn": spec<{ logIn: { token: string; viewer: { user: Id; workspace: Id } } }>({
    request(actor) {
      const who = actor === "anonymous" ? anonLogin : users[actor];
      return {
        query: `mutation($i: LogInInput!) { logIn(input: $i) { token viewer { user { id } workspace { id } } userErrors { code } } }`,
        variables: { i: { email: who.email, password: who.password } },
      };
    },
    check(_view, data, actor) {
      const who = actor === "anonymous" ? anonLogin : users[actor];
      expect(data.logIn.viewer).toEqual({ user: { id: who.userId }, workspace: { id: who.workspaceId } });
    },
  }),

  "Mutation.acceptInvitation": spec<{ acceptInvitation: { token: string; viewer: { workspace: Id; role: string } } }>({
    async request(actor) {
      const query = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) {
        token viewer { role workspace { id } } userErrors { code field } } }`;
      if (actor !== "anonymous") return { query, variables: { i: { token: A.pendingToken } } };
      const { token } = await freshInvitation();
      return { query, variables: { i: { token, name: "Newcomer", password: "newcomer password" } } };
    },
    check(_view, data) {
      expect(data.acceptInvitation.viewer).toEqual({ role: "AGENT", workspace: { id: A.workspace } });
    },
  }),

  "Query.invitation": spec<{ invitation: { workspaceName: string; role: string; email: string; hasAccount: boolean } }>({
    request: () => ({
      query: `query($t: String!) { invitation(token: $t) { workspaceName inviterName role teamName email hasAccount expiresAt } }`,
      variables: { t: A.pendingToken },
    }),
    check(_view, data) {
      expect(data.invitation).toMatchObject({ workspaceName: "Workspace ws-A", role: "AGENT", hasAccount: false });
    },
  }),

  "Mutation.logOut": (() => {
    let session = "";
    return spec<{ logOut: boolean }>({
      async request(actor) {
        session = actor === "anonymous" ? "" : await freshSession(actor);
        return { query: `mutation { logOut }`, token: actor === "anonymous" ? undefined : session };
      },
      async check(_view, data, actor) {
        expect(data.logOut).toBe(true);
        expect((await srv.gql(`{ viewer { role } }`, {}, session)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
        expect((await srv.gql(`{ viewer { role } }`, {}, tokenOf(actor))).errors).toBeUndefined();
      },
    });
  })(),

  "Query.viewer": spec<{ viewer: { role: string; workspace: Id; team: Id | null; workspaces: Id[] } }>({
    request: () => ({ query: `{ viewer { role user { id } workspace { id } team { id } workspaces { id } } }` }),
    check(_view, data, actor) {
      const roles: Record<string, string> = { administrator: "ADMINISTRATOR", editor: "EDITOR", otherAdmin: "ADMINISTRATOR" };
      expect(data.viewer.role).toBe(roles[actor] ?? "AGENT");
      expect(data.viewer.workspace.id).toBe(users[actor as Member].workspaceId);
      expect(data.viewer.workspaces).toEqual([{ id: users[actor as Member].workspaceId }]);
      expect(data.viewer.team).toEqual(actor === "teamAgent" ? { id: A.team } : null);
    },
  }),

  "Mutation.updateWorkspace": spec<{ updateWorkspace: { workspace: Id & { timezone: string } } }>({
    request: () => ({
      query: `mutation($i: UpdateWorkspaceInput!) { updateWorkspace(input: $i) { workspace { id timezone } userErrors { code } } }`,
      variables: { i: { timezone: "Africa/Kigali" } },
    }),
    check(_view, data, actor) {
      expect(data.updateWorkspace.workspace).toEqual({ id: users[actor as Member].workspaceId, timezone: "Africa/Kigali" });
    },
  }),

  "Query.ticketStatistics": spec<{
    ticketStatistics: { rows: Array<{ topic: Id | null; assignee: Id | null; opened: number; replies: number }> };
  }>({
    request: () => ({
      query: `query($since: DateTime!, $until: DateTime!) { ticketStatistics(since: $since, until: $until, groupBy: [TOPIC, ASSIGNEE]) {
        timezone rows { topic { id } assignee { id } opened closed assigned replies } } }`,
      variables: { since: new Date(Date.now() - 3 * 86_400_000).toISOString(), until: new Date(Date.now() + 3 * 86_400_000).toISOString() },
    }),
    async check(view, data, actor) {
      const rows = data.ticketStatistics.rows;
      const opened = rows.reduce((sum, r) => sum + r.opened, 0);
      const workspace = view === "OWN_WORKSPACE" ? B.workspaceUuid : A.workspaceUuid;
      const topics = view === "TEAM_TOPICS" ? [uuid(A.billing)] : null;
      const [expected] = await sql<{ n: string }>(
        `SELECT count(*) AS n FROM ticket_events WHERE workspace_id = $1 AND type = 'OPENED' AND ($2::uuid[] IS NULL OR topic_id = ANY($2))`,
        [workspace, topics],
      );
      if (view === "OWN_FIGURES") {
        // What they were assigned, replied and closed as assignee: no ticket opened counts as theirs.
        expect(opened).toBe(0);
        expect(rows.every((r) => r.assignee?.id === users[actor as Member].userId)).toBe(true);
        const [replies] = await sql<{ n: string }>(
          `SELECT count(*) AS n FROM ticket_events WHERE workspace_id = $1 AND type = 'MESSAGE_SENT' AND actor_id = $2`,
          [workspace, uuid(users[actor as Member].userId)],
        );
        expect(rows.reduce((sum, r) => sum + r.replies, 0)).toBe(Number(replies.n));
      } else expect(opened).toBe(Number(expected.n));
      if (view === "TEAM_TOPICS") expect(rows.every((r) => r.topic?.id === A.billing)).toBe(true);
    },
  }),

  "Query.notifications": spec<{ notifications: { nodes: Array<Id & { ticket: Id | null }> } }>({
    request: () => ({
      query: `{ notifications(first: 100) { nodes { id kind ticket { id } actor { id } } } viewer { unseenNotificationCount } }`,
    }),
    async check(_view, data, actor) {
      const listed = ids(data.notifications.nodes);
      expect(listed).toContain(A.lastNotification[actor as Member]);
      const owners = await sql<{ user_id: string }>(`SELECT DISTINCT user_id FROM notifications WHERE id = ANY($1)`, [listed.map(uuid)]);
      expect(owners).toEqual([{ user_id: uuid(users[actor as Member].userId) }]);
    },
  }),

  "Mutation.markNotificationsSeen": spec<{ markNotificationsSeen: { unseenNotificationCount: number } }>({
    request: () => ({
      query: `mutation($i: MarkNotificationsSeenInput!) { markNotificationsSeen(input: $i) { unseenNotificationCount userErrors { code } } }`,
      variables: { i: { all: true } },
    }),
    check(_view, data) {
      expect(data.markNotificationsSeen.unseenNotificationCount).toBe(0);
    },
  }),

  "Query.exports": spec<{ exports: Array<Id & { status: string }> }>({
    request: () => ({ query: `{ exports(first: 100) { id status rowCount progress downloadUrl } }` }),
    async check(view, data, actor) {
      const listed = ids(data.exports);
      if (view === "ALL") expect(listed).toContain(A.exports[actor as "administrator" | "editor"]);
      if (listed.length === 0) return;
      const owners = await sql<{ user_id: string }>(`SELECT DISTINCT user_id FROM ticket_exports WHERE id = ANY($1)`, [listed.map(uuid)]);
      expect(owners).toEqual([{ user_id: uuid(users[actor as Member].userId) }]);
    },
  }),

  "Mutation.exportTickets": spec<{ exportTickets: { export: Id & { status: string } } }>({
    request: () => ({
      query: `mutation($i: ExportTicketsInput!) { exportTickets(input: $i) { export { id status } userErrors { code } } }`,
      variables: { i: { filter: { folder: "ALL", status: null } } },
    }),
    async check(_view, data, actor) {
      const id = uuid(data.exportTickets.export.id);
      // Finished before the next case, whose check that A is unchanged it would otherwise disturb.
      await exportFinished(id);
      expect(await sql(`SELECT user_id, status FROM ticket_exports WHERE id = $1`, [id])).toEqual([
        { user_id: uuid(users[actor as Member].userId), status: "DONE" },
      ]);
    },
  }),

  "Query.apiTokens": spec<{ apiTokens: Id[] }>({
    request: () => ({ query: `{ apiTokens { id name role } }` }),
    async check(_view, data, actor) {
      const own = actor === "otherAdmin" ? B.apiToken : A.apiTokens[actor as AMember];
      const others = [...Object.values(A.apiTokens), B.apiToken].filter((id) => id !== own);
      expect(ids(data.apiTokens)).toContain(own);
      for (const id of others) expect(ids(data.apiTokens)).not.toContain(id);
      const owners = await sql<{ user_id: string }>(`SELECT DISTINCT user_id FROM api_tokens WHERE id = ANY($1)`, [
        ids(data.apiTokens).map(uuid),
      ]);
      expect(owners).toEqual([{ user_id: uuid(users[actor as Member].userId) }]);
    },
  }),

  "Mutation.createApiToken": spec<{ createApiToken: { token: string; apiToken: { role: string } } }>({
    request: () => ({
      query: `mutation { createApiToken(input: { name: "integration" }) { token apiToken { id role } userErrors { code } } }`,
    }),
    check(_view, data) {
      expect(data.createApiToken.token).toMatch(/^hov_/);
    },
  }),

  "Mutation.revokeApiToken": single<{ revokeApiToken: { deletedId: string } }>(
    `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: actor === "otherAdmin" ? A.apiTokens.administrator : await freshApiToken(tokenOf(actor) ?? adminToken()) }),
  ),

  "Query.node": spec<{ node: Id }>({
    request: () => ({ query: `query($id: ID!) { node(id: $id) { id ... on Ticket { status } } }`, variables: { id: A.t2 } }),
    check(_view, data) {
      expect(data.node.id).toBe(A.t2);
    },
  }),

  "Query.ticket": spec<{ ticket: Id & { status: string; contact: Id } }>({
    request: () => ({ query: `query($id: ID!) { ticket(id: $id) { id status contact { id } } }`, variables: { id: A.t2 } }),
    check(_view, data) {
      expect(data.ticket).toEqual({ id: A.t2, status: "OPEN", contact: { id: A.c1 } });
    },
  }),

  "Query.contact": spec<{
    contact: Id & {
      fields: Array<{ field: { key: string } }>;
      secret: { value: unknown } | null;
      openTicket: Id | null;
      tickets: { nodes: Id[] };
    };
  }>({
    request: () => ({
      query: `query($id: ID!) { contact(id: $id) { id fields { field { key } value } secret: field(key: "secret") { value }
        openTicket { id } tickets(first: 5) { nodes { id } } } }`,
      variables: { id: A.c1 },
    }),
    check(view, data) {
      expect(data.contact.id).toBe(A.c1);
      if (view === "TEAM_TOPICS") {
        expect(ids(data.contact.tickets.nodes)).toEqual([A.t1]);
        expect(data.contact.openTicket).toBeNull();
      } else {
        expect(ids(data.contact.tickets.nodes)).toEqual([A.t2, A.t1]);
        expect(data.contact.openTicket).toEqual({ id: A.t2 });
      }
      if (view === "ALL") {
        expect(JSON.stringify(data)).toContain(SECRET);
        expect(data.contact.secret).not.toBeNull();
      } else {
        expect(JSON.stringify(data)).not.toContain(SECRET);
        expect(data.contact.secret).toBeNull();
      }
    },
  }),

  "Query.nodes": spec<{ nodes: Array<Id | null> }>({
    request: () => ({ query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids: [A.t1, A.t2, A.c1] } }),
    partial: true,
    check(view, data, _actor, res) {
      if (view === "ALL") {
        expect(res.errors).toBeUndefined();
        expect(data.nodes).toEqual([{ id: A.t1 }, { id: A.t2 }, { id: A.c1 }]);
      } else {
        expect(data.nodes).toEqual([{ id: A.t1 }, null, { id: A.c1 }]);
        expect(errorsByIndex(res)).toEqual([[["nodes", 1], "NOT_FOUND"]]);
      }
    },
  }),

  "Query.tickets": spec<{ tickets: { totalCount: number | null; nodes: Id[] } }>({
    request: () => ({
      query: `query($f: TicketFilter) { tickets(filter: $f, first: 100) { totalCount nodes {
        id status topic { id } contact { id name } lastMessage { id text } notes { id note } events { nodes { id note } } } } }`,
      variables: { f: { status: null, search: "ws-" } },
    }),
    async check(view, data, actor) {
      const seen = ids(data.tickets.nodes);
      if (view === "OWN_WORKSPACE") expect(seen).toContain(B.ticket);
      else expect(seen).toEqual(expect.arrayContaining([A.t1, A.t3]));
      if (view === "ALL") {
        expect(seen).toEqual(expect.arrayContaining([A.t2, A.t4]));
        expect(JSON.stringify(data)).toContain(GENERAL_ONLY);
      }
      // The folder count counts what the list holds.
      const counted = await ok<{ tickets: { totalCount: number } }>(srv, `{ tickets { totalCount } }`, {}, tokenOf(actor)!);
      const workspace = view === "OWN_WORKSPACE" ? B.workspaceUuid : A.workspaceUuid;
      expect(counted.tickets.totalCount).toBe(await openCountOf(workspace, view === "TEAM_TOPICS" ? [uuid(A.billing)] : undefined));
    },
  }),

  "Query.ticketCounts": spec<{
    ticketCounts: { folders: Array<{ folder: string; open: number; closed: number }>; topics: Array<Id & { openCount: number }> };
  }>({
    request: () => ({ query: `{ ticketCounts { folders { folder open closed } topics { id name openCount } } }` }),
    async check(view, data) {
      const all = data.ticketCounts.folders.find((f) => f.folder === "ALL")!;
      const topics = ids(data.ticketCounts.topics);
      if (view === "ALL") {
        expect(topics).toEqual(expect.arrayContaining([A.general, A.billing]));
        expect(all.open).toBe(await openCountOf(A.workspaceUuid));
      } else if (view === "TEAM_TOPICS") {
        expect(topics).toEqual([A.billing]);
        expect(all.open).toBe(await openCountOf(A.workspaceUuid, [uuid(A.billing)]));
      } else {
        expect(topics).toContain(B.topic);
        expect(all.open).toBe(await openCountOf(B.workspaceUuid));
      }
    },
  }),

  "Query.ticketEvents": spec<{ ticketEvents: { nodes: Array<Id & { ticket: Id }> } }>({
    request: () => ({
      query: `{ ticketEvents(first: 100) { nodes { id type note message { id text } ticket {
        id notes { id note } lastMessage { id text } events { nodes { id note message { id text } } } } } } }`,
    }),
    async check(view, data) {
      const tickets = data.ticketEvents.nodes.map((e) => e.ticket.id);
      if (view === "OWN_WORKSPACE") expect(tickets).toContain(B.ticket);
      else expect(tickets).toEqual(expect.arrayContaining([A.t1, A.t3, A.t4]));
      if (view === "ALL") {
        expect(tickets).toContain(A.t2);
        expect(JSON.stringify(data)).toContain(GENERAL_ONLY);
      }
      if (view === "TEAM_TOPICS") {
        expect(tickets).not.toContain(A.t2);
        await expectTeamFeed(data.ticketEvents.nodes);
      }
    },
  }),

  "Mutation.openTicket": single<{ openTicket: { ticket: Id } }>(
    `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } existingTicket { id } warnings userErrors { code field } } }`,
    (actor) => (actor === "otherAdmin" ? { contactId: A.c1 } : { contactUrn: newUrn(), topicId: A.billing }),
  ),
  "Mutation.assignTickets": bulk("assignTickets", "AssignTicketsInput"),
  "Mutation.changeTicketTopic": spec<{ changeTicketTopic: { tickets: Id[] } }>({
    async request(actor) {
      const query = mutationOf("changeTicketTopic", "ChangeTicketTopicInput");
      if (actor === "otherAdmin") return { query, variables: { i: { ticketIds: [A.t3], topicId: B.topic } } };
      // The team agent moves one of their tickets out of their only topic.
      if (actor === "teamAgent") return { query, variables: { i: { ticketIds: [await freshTicket("billing")], topicId: A.general } } };
      return { query, variables: { i: { ticketIds: [await freshTicket("general")], topicId: A.billing } } };
    },
    check(_view, data) {
      expect(data.changeTicketTopic.tickets).toHaveLength(1);
    },
  }),

  "Mutation.sendMessage": spec<{ sendMessage: { message: { id: string; status: string } } }>({
    async request(actor) {
      const ticketId = actor === "otherAdmin" ? A.t3 : await freshTicket(visibleTopic(actor));
      return {
        query: `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id status } userErrors { code field } } }`,
        variables: { i: { ticketId, text: "On it" } },
      };
    },
    async invisible() {
      const ticketId = await freshTicket("general");
      return {
        query: `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id status } userErrors { code field } } }`,
        variables: { i: { ticketId, text: "On it" } },
      };
    },
    check(_view, data) {
      expect(data.sendMessage.message.status).toBe("QUEUED");
    },
  }),
  "Mutation.receiveMessage": single<{ receiveMessage: { message: { contact: Id; ticket: Id | null } } }>(
    `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id text contact { id urns } ticket { id } } userErrors { code field } } }`,
    (actor) => ({ urn: actor === "otherAdmin" ? A.c1Urn : newUrn(), text: "Hello there" }),
    (view, data) => {
      if (view === "OWN_WORKSPACE") expect(data.receiveMessage.message.ticket).toBeNull();
    },
  ),
  "Mutation.updateMessageStatus": single<{ updateMessageStatus: { message: { status: string } } }>(
    `mutation($i: UpdateMessageStatusInput!) { updateMessageStatus(input: $i) { message { id status } userErrors { code field } } }`,
    async (actor) => ({
      id: actor === "otherAdmin" || actor === "agent" || actor === "teamAgent" ? A.mOut : await freshOutgoingMessage(),
      status: "SENT",
    }),
    (_view, data) => expect(data.updateMessageStatus.message.status).toBe("SENT"),
  ),

  "Query.topics": spec<{ topics: Id[] }>({
    request: () => ({ query: `{ topics { id name isSystem openCount } }` }),
    check(view, data) {
      const seen = ids(data.topics);
      if (view === "ALL") expect(seen).toEqual(expect.arrayContaining([A.general, A.billing]));
      else if (view === "TEAM_TOPICS") expect(seen).toEqual([A.billing]);
      else expect(seen).toContain(B.topic);
    },
  }),
  "Mutation.createTopic": single(
    `mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } userErrors { code field } } }`,
    () => ({
      name: unique("New topic"),
    }),
  ),
  "Mutation.updateTopic": single(
    `mutation($i: UpdateTopicInput!) { updateTopic(input: $i) { topic { id name } userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshTopic() : A.billing, name: unique("Renamed") }),
  ),
  "Mutation.deleteTopic": single(
    `mutation($i: DeleteTopicInput!) { deleteTopic(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshTopic() : A.billing }),
  ),

  "Query.contacts": spec<{
    contacts: { nodes: Array<Id & { tickets: { nodes: Id[] }; openTicket: Id | null; messages: { nodes: Id[] } }> };
  }>({
    request: () => ({
      query: `query($s: String) { contacts(search: $s, first: 10) { totalCount nodes {
        id name urns fields { field { id key } value editable } field(key: "secret") { value } openTicket { id }
        tickets(first: 5) { nodes { id events(first: 10) { nodes { id note } } notes { note } } } messages(first: 10) { nodes { id text } } notepad { text } } } }`,
      variables: { s: "ws-" },
    }),
    async check(view, data, actor) {
      const contacts = data.contacts.nodes;
      if (view === "OWN_WORKSPACE") {
        expect(ids(contacts)).toContain(B.contact);
        return;
      }
      const c1 = contacts.find((c) => c.id === A.c1)!;
      expect(ids(contacts)).toEqual(expect.arrayContaining([A.c1, A.c2, A.c4]));
      if (view === "TEAM_TOPICS") {
        expect(ids(c1.tickets.nodes)).toEqual([A.t1]);
        expect(c1.openTicket).toBeNull();
        expect(ids(c1.messages.nodes)).toEqual([A.mBilling]);
      } else {
        expect(ids(c1.tickets.nodes)).toEqual([A.t2, A.t1]);
        expect(c1.openTicket).toEqual({ id: A.t2 });
        expect(ids(c1.messages.nodes)).toEqual([A.mBilling, A.mGeneral]);
      }
      // Searching a value of a field the viewer may not see finds nothing.
      const found = await ok<{ contacts: { nodes: Id[] } }>(srv, `{ contacts(search: "${SECRET}") { nodes { id } } }`, {}, tokenOf(actor)!);
      if (view === "ALL") {
        expect(JSON.stringify(data)).toContain(SECRET);
        expect(ids(found.contacts.nodes)).toEqual([A.c1]);
      } else expect(found.contacts.nodes).toEqual([]);
    },
  }),
  "Mutation.createContact": single(
    `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id urns } userErrors { code field } } }`,
    (actor) => ({ urns: [actor === "otherAdmin" ? A.c2Urn : newUrn()], name: "Someone" }),
  ),
  "Mutation.updateContact": single(
    `mutation($i: UpdateContactInput!) { updateContact(input: $i) { contact { id name } userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshContact() : A.c1, name: "Renamed" }),
  ),
  "Query.contactGroups": spec<{ contactGroups: Array<Id & { count: number; contacts: { totalCount: number; nodes: Id[] } }> }>({
    request: () => ({ query: `{ contactGroups { id name isSystem count contacts(first: 100) { totalCount nodes { id } } } }` }),
    async check(view, data) {
      const [group] = data.contactGroups;
      const workspace = view === "OWN_WORKSPACE" ? B.workspaceUuid : A.workspaceUuid;
      const topics = view === "TEAM_TOPICS" ? [uuid(A.billing)] : null;
      const expected = await openCountOf(workspace, topics ?? undefined);
      if (view !== "OWN_WORKSPACE") expect(group.id).toBe(A.group);
      expect(group.count).toBe(expected);
      expect(group.contacts.totalCount).toBe(expected);
      expect(group.contacts.nodes).toHaveLength(Math.min(100, expected));
      // Each listed contact has an open ticket the viewer may see.
      const listed = await sql(
        `SELECT DISTINCT contact_id FROM tickets WHERE workspace_id = $1 AND status = 'OPEN' AND contact_id = ANY($2)
            AND ($3::uuid[] IS NULL OR topic_id = ANY($3))`,
        [workspace, ids(group.contacts.nodes).map(uuid), topics],
      );
      expect(listed).toHaveLength(group.contacts.nodes.length);
    },
  }),
  "Mutation.updateNotepad": single(
    `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { contact { id notepad { text } } userErrors { code field } } }`,
    async (actor) => ({ contactId: actor === "otherAdmin" ? A.c1 : await freshContact(), text: "Prefers email" }),
  ),

  "Query.contactFields": spec<{ contactFields: Id[] }>({
    request: () => ({ query: `{ contactFields { id key agentAccess } }` }),
    check(view, data) {
      if (view === "OWN_WORKSPACE") return;
      expect(ids(data.contactFields)).toEqual(expect.arrayContaining([A.fView, A.fEdit]));
      if (view === "ALL") expect(ids(data.contactFields)).toContain(A.fNone);
    },
  }),
  "Mutation.createContactField": single(
    `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { id } userErrors { code field } } }`,
    () => ({ name: unique("New field"), type: "NUMBER" }),
  ),
  "Mutation.updateContactField": single(
    `mutation($i: UpdateContactFieldInput!) { updateContactField(input: $i) { contactField { id priority } userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshField() : A.fView, priority: 5 }),
  ),
  "Mutation.deleteContactField": single(
    `mutation($i: DeleteContactFieldInput!) { deleteContactField(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshField() : A.fView }),
  ),
  "Mutation.setContactFields": spec<{ setContactFields: { contact: { fields: Array<{ field: { key: string }; value: string | null }> } } }>(
    {
      async request(actor) {
        const query = `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) {
        contact { id fields { field { id key } value editable } } userErrors { code field } } }`;
        if (actor === "otherAdmin") return { query, variables: { i: { contactId: A.c1, values: [] } } };
        const values = isAdminOrEditor(actor)
          ? [
              { key: "secret", value: "kept" },
              { key: "plan", value: "silver" },
              { key: "nickname", value: "Al" },
            ]
          : [{ key: "nickname", value: "Al" }];
        return { query, variables: { i: { contactId: await freshContact(), values } } };
      },
      async check(view, data, actor) {
        const values = Object.fromEntries(data.setContactFields.contact.fields.map((f) => [f.field.key, f.value]));
        expect(values.nickname).toBe("Al");
        if (view !== "AGENT_FIELDS") return;
        // A VIEW field is read only for agents; a NONE field is unknown to them. Neither changes anything.
        const contactId = await freshContact();
        for (const [key, code] of [
          ["plan", "FIELD_NOT_EDITABLE"],
          ["secret", "NOT_FOUND"],
        ]) {
          const res = await unchanged(() =>
            ok<{ setContactFields: { contact: null; userErrors: Array<{ code: string; field: string[] }> } }>(
              srv,
              `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { contact { id } userErrors { code field } } }`,
              { i: { contactId, values: [{ key, value: "x" }] } },
              tokenOf(actor)!,
            ),
          );
          expect(res.setContactFields).toEqual({ contact: null, userErrors: [{ code, field: ["values", "0", "key"] }] });
        }
      },
    },
  ),

  "Query.shortcuts": spec<{ shortcuts: Id[] }>({
    request: () => ({ query: `{ shortcuts { id name text } }` }),
    check(view, data) {
      if (view !== "OWN_WORKSPACE") expect(ids(data.shortcuts)).toContain(A.shortcut);
    },
  }),
  "Mutation.createShortcut": single(
    `mutation($i: CreateShortcutInput!) { createShortcut(input: $i) { shortcut { id } userErrors { code field } } }`,
    () => ({ name: unique("Thanks"), text: "Thank you for waiting" }),
  ),
  "Mutation.updateShortcut": single(
    `mutation($i: UpdateShortcutInput!) { updateShortcut(input: $i) { shortcut { id text } userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshShortcut() : A.shortcut, text: "Changed" }),
  ),
  "Mutation.deleteShortcut": single(
    `mutation($i: DeleteShortcutInput!) { deleteShortcut(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: isAdminOrEditor(actor) ? await freshShortcut() : A.shortcut }),
  ),

  "Query.flows": spec<{ flows: Id[] }>({
    request: () => ({ query: `{ flows { id name externalId } }` }),
    check(view, data) {
      if (view === "ALL") expect(ids(data.flows)).toContain(A.flow);
    },
  }),
  "Mutation.registerFlow": single<{ registerFlow: { flow: { id: string; externalId: string } } }>(
    `mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { id externalId } userErrors { code field } } }`,
    (actor) => ({ name: "Survey", externalId: actor === "otherAdmin" ? "flow-42" : unique("flow").replace(" ", "-") }),
    (view, data) => {
      if (view === "OWN_WORKSPACE") expect(data.registerFlow.flow.id).not.toBe(A.flow);
    },
  ),
  "Query.triggers": spec<{ triggers: Id[] }>({
    request: () => ({ query: `{ triggers { id type flow { id } } }` }),
    check(view, data) {
      if (view === "ALL") expect(ids(data.triggers)).toEqual([A.trigger]);
    },
  }),
  "Mutation.createTrigger": spec({
    async request(actor) {
      if (isAdminOrEditor(actor)) await sql(`DELETE FROM triggers WHERE workspace_id = $1`, [A.workspaceUuid]);
      return {
        query: `mutation($i: CreateTriggerInput!) { createTrigger(input: $i) { trigger { id } userErrors { code field } } }`,
        variables: { i: { type: "TICKET_CLOSED", flowId: A.flow } },
      };
    },
    cleanup: restoreTrigger,
  }),
  "Mutation.deleteTrigger": spec({
    request: () => ({
      query: `mutation($i: DeleteTriggerInput!) { deleteTrigger(input: $i) { deletedId userErrors { code field } } }`,
      variables: { i: { id: A.trigger } },
    }),
    cleanup: restoreTrigger,
  }),
  "Query.flowStarts": spec<{ flowStarts: Id[] }>({
    request: () => ({ query: `{ flowStarts(first: 100) { id cursor flow { id } contact { id } ticket { id } trigger { id } } }` }),
    check(view, data) {
      expect(ids(data.flowStarts)).toContain(view === "OWN_WORKSPACE" ? B.flowStart : A.flowStart);
    },
  }),

  "Query.members": spec<{ members: Array<Id & { role: string; user: Id }> }>({
    request: () => ({ query: `{ members { id role user { id email } team { id } } }` }),
    async check(view, data) {
      if (view === "ALL") {
        expect(ids(data.members)).toEqual(expect.arrayContaining(Object.values(A.members)));
        return;
      }
      // Exactly B's members.
      const rows = await sql<{ id: string }>(`SELECT id FROM memberships WHERE workspace_id = $1 ORDER BY created_at`, [B.workspaceUuid]);
      expect(ids(data.members).map(uuid).sort()).toEqual(rows.map((r) => r.id).sort());
    },
  }),
  "Mutation.updateMember": single(
    `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id role } userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshMember() : A.members.agent, role: "EDITOR" }),
  ),
  "Mutation.removeMember": single(
    `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshMember() : A.members.agent }),
  ),
  "Query.teams": spec<{ teams: Array<Id & { topics: Array<Id & { openCount: number }> }> }>({
    request: () => ({ query: `{ teams { id name allTopics topics { id name openCount } } }` }),
    async check(view, data) {
      if (view === "OWN_WORKSPACE") return;
      expect(ids(data.teams)).toEqual(expect.arrayContaining([A.team, A.generalTeam]));
      const general = data.teams.find((t) => t.id === A.generalTeam)!.topics.find((t) => t.id === A.general);
      // A topic outside a team agent's topics does not exist for them, not even in another team.
      if (view === "TEAM_TOPICS") expect(general).toBeUndefined();
      else expect(general?.openCount).toBe(await openCountOf(A.workspaceUuid, [uuid(A.general)]));
      expect(await openCountOf(A.workspaceUuid, [uuid(A.general)])).toBeGreaterThan(0);
    },
  }),
  "Mutation.createTeam": single(
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } userErrors { code field } } }`,
    (actor) => (actor === "otherAdmin" ? { name: unique("Team"), topicIds: [A.billing] } : { name: unique("Team"), allTopics: true }),
  ),
  "Mutation.updateTeam": single(
    `mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { id name } userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshTeam() : A.team, name: unique("Renamed team") }),
  ),
  "Mutation.deleteTeam": single(
    `mutation($i: DeleteTeamInput!) { deleteTeam(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshTeam() : A.team }),
  ),

  "Query.invitations": spec<{ invitations: Id[] }>({
    request: () => ({ query: `{ invitations { id email role team { id } invitedBy { id } } }` }),
    check(view, data) {
      if (view === "ALL") expect(ids(data.invitations)).toContain(A.invitation);
    },
  }),
  "Mutation.inviteMember": single(
    `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id team { id } } userErrors { code field } } }`,
    () => ({ email: `${unique("invited").replace(" ", "-")}@example.com`, role: "AGENT", teamId: A.team }),
  ),
  "Query.webhooks": spec<{ webhooks: Id[] }>({
    request: () => ({ query: `{ webhooks { id url events enabled topics { id } deliveries(first: 10) { nodes { id attempt error } } } }` }),
    check(view, data) {
      if (view === "ALL") expect(ids(data.webhooks)).toContain(A.webhook);
      else expect(ids(data.webhooks)).not.toContain(A.webhook);
    },
  }),
  "Mutation.createWebhook": spec<{ createWebhook: { webhook: Id; secret: string } }>({
    request: () => ({
      query: `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } secret userErrors { code field } } }`,
      variables: { i: { url: "http://127.0.0.1:9/created", events: ["CLOSED"] } },
    }),
    check(_view, data) {
      expect(data.createWebhook.secret).toMatch(/^whsec_/);
    },
    cleanup: removeNewWebhooks,
  }),
  "Mutation.updateWebhook": single(
    `mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { webhook { id url } userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshWebhook() : A.webhook, url: "http://127.0.0.1:9/changed" }),
  ),
  "Mutation.deleteWebhook": single(
    `mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshWebhook() : A.webhook }),
  ),
  "Mutation.rotateWebhookSecret": spec({
    request: async (actor) => ({
      query: `mutation($id: ID!) { rotateWebhookSecret(id: $id) { webhook { id } secret userErrors { code field } } }`,
      variables: { id: actor === "administrator" ? await freshWebhook() : A.webhook },
    }),
  }),
  "Mutation.replayWebhook": single(
    `mutation($i: ReplayWebhookInput!) { replayWebhook(input: $i) { webhook { id enabled } userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? await freshWebhook() : A.webhook }),
  ),
  "Mutation.testWebhook": spec({
    request: async (actor) => ({
      query: `mutation($id: ID!) { testWebhook(id: $id) { webhook { id } userErrors { code field } } }`,
      variables: { id: actor === "administrator" ? await freshWebhook() : A.webhook },
    }),
  }),
  "Mutation.revokeInvitation": single(
    `mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { deletedId userErrors { code field } } }`,
    async (actor) => ({ id: actor === "administrator" ? (await freshInvitation()).id : A.invitation }),
  ),
};

/** The schema as committed: what the tables are checked against, read before the server starts. */
const COMMITTED_SCHEMA = buildSchema(readFileSync(path.join(__dirname, "../../schema.graphql"), "utf8"));

// Every bulk ticket change without a request of its own gets the bulk request: a new one is run as
// every actor as soon as its row is in the expectation table.
for (const [name, field] of Object.entries(COMMITTED_SCHEMA.getMutationType()!.getFields())) {
  if (getNamedType(field.type).name === "BulkTicketPayload" && !SPECS[`Mutation.${name}`]) {
    SPECS[`Mutation.${name}`] = bulk(name, getNamedType(field.args[0].type).name);
  }
}
function isAdminOrEditor(actor: Actor): boolean {
  return actor === "administrator" || actor === "editor";
}

/** Subscriptions: replayed from the first cursor, until the fixture item that comes last. */
interface SubscriptionSpec {
  /** The subscription, or the one each member sends (anonymous sends the administrator's). */
  query: string | ((actor: Member) => string);
  /** The id whose arrival means the fixtures were replayed. */
  last(view: View | "ALL", actor: Member): string;
  check(view: View | "ALL", items: Array<Record<string, unknown>>): void | Promise<void>;
}

const SUBSCRIPTIONS: Record<string, SubscriptionSpec> = {
  "Subscription.ticketEvents": {
    query: `subscription { ticketEvents(after: "0.0") { id type note ticket { id } message { id text } } }`,
    last: (view) => (view === "OWN_WORKSPACE" ? B.marker : A.marker),
    async check(view, items) {
      const tickets = items.map((e) => (e.ticket as Id).id);
      if (view === "ALL") expect(tickets).toEqual(expect.arrayContaining([A.t1, A.t2, A.t4]));
      if (view === "TEAM_TOPICS") {
        expect(tickets).toEqual(expect.arrayContaining([A.t1, A.t4]));
        expect(tickets).not.toContain(A.t2);
        await expectTeamFeed(items as unknown as Id[]);
      }
    },
  },
  "Subscription.notifications": {
    query: `subscription { notifications(after: "0.0") { id kind ticket { id } actor { id } } }`,
    last: (_view, actor) => A.lastNotification[actor],
    async check(_view, items) {
      // Only the subscriber's own: every one of them is one member's.
      const owners = await sql<{ user_id: string }>(`SELECT DISTINCT user_id FROM notifications WHERE id = ANY($1)`, [
        items.map((n) => uuid(n.id as string)),
      ]);
      expect(owners).toHaveLength(1);
    },
  },
  "Subscription.flowStarts": {
    query: `subscription { flowStarts(after: "0.0") { id ticket { id } contact { id } flow { id } } }`,
    last: (view) => (view === "OWN_WORKSPACE" ? B.flowStart : A.flowStart),
    check() {},
  },
  // The member's own finished export: its state once, then the end. B's administrator (and
  // agents, before the role is even checked against it) name the administrator's.
  "Subscription.exportProgress": {
    query: (actor) =>
      `subscription { exportProgress(id: "${A.exports[actor === "editor" ? "editor" : "administrator"]}") { id status rowCount progress } }`,
    last: (_view, actor) => A.exports[actor as "administrator" | "editor"],
    check(_view, items) {
      expect(items).toEqual([expect.objectContaining({ status: "DONE", progress: 1 })]);
    },
  },
};

/** A graphql-ws subscriber with the stock client: its items, errors and close code. */
function subscriber(token: string | undefined, query: string) {
  const sub = subscribe<Record<string, Record<string, unknown>>>(srv.wsUrl, token, query);
  return { ...sub, items: sub.events };
}

// The outcomes.

const describeOutcome = (outcome: Outcome): string =>
  typeof outcome === "string" ? outcome : "sees" in outcome ? `sees ${outcome.sees}` : `userError ${outcome.userError}`;

function rootField(name: string): GraphQLField<unknown, unknown> {
  const [typeName, fieldName] = name.split(".");
  const type = srv.server.schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return type.getFields()[fieldName];
}

type Payload = Record<string, unknown> & { userErrors?: Array<{ code: string }>; failures?: Array<{ ticketId: string; code: string }> };

function expectDenied(res: GqlResponse<Record<string, unknown>>, name: string, code: string): void {
  expect(res.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(res.data?.[name] ?? null).toBeNull();
}

function expectAllowed(res: GqlResponse<Record<string, unknown>>, name: string, partial = false): void {
  if (!partial) expect(res.errors).toBeUndefined();
  const value = res.data?.[name];
  expect(value).toBeDefined();
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const payload = value as Payload;
    if (payload.userErrors) expect(payload.userErrors).toEqual([]);
    if (payload.failures) expect(payload.failures).toEqual([]);
  }
}

/** The errors of a nodes() answer as [path, code], in the order of their index (resolvers finish in any order). */
function errorsByIndex(res: GqlResponse<unknown>): Array<[unknown, unknown]> {
  return (res.errors ?? [])
    .map((e): [unknown, unknown] => [e.path, e.extensions?.code])
    .sort((a, b) => Number((a[0] as unknown[])[1]) - Number((b[0] as unknown[])[1]));
}

function expectNotFound(res: GqlResponse<Record<string, unknown>>, name: string, req: Req): void {
  if (name === "node" || name === "ticket" || name === "contact") {
    expect(res.data?.[name]).toBeNull();
    expect(res.errors).toEqual([expect.objectContaining({ path: [name], extensions: { code: "NOT_FOUND" } })]);
    return;
  }
  if (name === "nodes") {
    const asked = req.variables?.ids as string[];
    expect(res.data?.nodes).toEqual(asked.map(() => null));
    expect(errorsByIndex(res)).toEqual(asked.map((_, i) => [["nodes", i], "NOT_FOUND"]));
    return;
  }
  expect(res.errors).toBeUndefined();
  const payload = res.data?.[name] as Payload;
  if (getNamedType(rootField(`Mutation.${name}`).type).name === "BulkTicketPayload") {
    const asked = (req.variables?.i as { ticketIds: string[] }).ticketIds;
    expect(payload).toEqual({ tickets: [], failures: asked.map((ticketId) => ({ ticketId, code: "NOT_FOUND" })), userErrors: [] });
    return;
  }
  expect(payload.userErrors?.map((e) => e.code)).toEqual(["NOT_FOUND"]);
  for (const [key, value] of Object.entries(payload))
    if (key !== "userErrors") expect([key, value]).toEqual([key, Array.isArray(value) ? [] : null]);
}

function expectUserError(res: GqlResponse<Record<string, unknown>>, name: string, code: string): void {
  expect(res.errors).toBeUndefined();
  const payload = res.data?.[name] as Payload;
  expect(payload.userErrors?.map((e) => e.code)).toEqual([code]);
  if (payload.tickets) expect(payload.tickets).toEqual([]);
  if (payload.failures) expect(payload.failures).toEqual([]);
}

async function runCase(field: string, actor: Actor, outcome: Outcome): Promise<void> {
  const spec = SPECS[field];
  const name = field.split(".")[1];
  const isQuery = field.startsWith("Query.");
  try {
    const req = await spec.request(actor);
    const token = req.token === undefined ? tokenOf(actor) : (req.token ?? undefined);
    const send = (t: string | undefined) => srv.gql<Record<string, unknown>>(req.query, req.variables, t);
    // A refused change, and anything B's administrator sends, leaves A as it was (a query of A's
    // own members changes nothing, and A's allowed changes do change it).
    const allowed = outcome === "ALLOWED" || (typeof outcome === "object" && "sees" in outcome);
    const guard = actor === "otherAdmin" || (!isQuery && !allowed) ? unchanged : <T>(act: () => Promise<T>) => act();
    if (outcome === "UNAUTHENTICATED") {
      const answers = await guard(async () => [await send(undefined), await send(BAD_TOKEN)]);
      for (const res of answers) expectDenied(res, name, "UNAUTHENTICATED");
      return;
    }
    const res = await guard(() => send(token));
    expect(res.status).toBe(200);
    if (outcome === "FORBIDDEN") expectDenied(res, name, "FORBIDDEN");
    else if (outcome === "NOT_FOUND") expectNotFound(res, name, req);
    else if (outcome === "ALLOWED") {
      expectAllowed(res, name, spec.partial);
      await spec.check?.("ALL", res.data, actor, res);
    } else if ("userError" in outcome) expectUserError(res, name, outcome.userError);
    else {
      expectAllowed(res, name, spec.partial);
      await expectView(outcome.sees, res.data);
      await spec.check?.(outcome.sees, res.data, actor, res);
      if (outcome.sees === "TEAM_TOPICS" && !isQuery) {
        if (!spec.invisible) throw new Error(`${field} needs a request on a ticket outside the team`);
        const hidden = await spec.invisible(actor);
        expectNotFound(await unchanged(() => srv.gql(hidden.query, hidden.variables, token)), name, hidden);
      }
    }
  } finally {
    await spec.cleanup?.();
  }
}

async function runSubscription(field: string, actor: Actor, outcome: Outcome): Promise<void> {
  const sub = SUBSCRIPTIONS[field];
  const query = typeof sub.query === "string" ? sub.query : sub.query(actor === "anonymous" ? "administrator" : actor);
  if (outcome === "UNAUTHENTICATED") {
    for (const token of [undefined, BAD_TOKEN]) {
      const s = subscriber(token, query);
      await until(() => s.closeCode() !== undefined, "the socket to close", 500);
      expect(s.closeCode()).toBe(4403);
      expect(s.items).toEqual([]);
      await s.stop();
    }
    return;
  }
  const s = subscriber(tokenOf(actor), query);
  try {
    if (outcome === "FORBIDDEN" || outcome === "NOT_FOUND") {
      await until(() => s.errors.length > 0, "the subscription's error", 500);
      expect(JSON.stringify(s.errors)).toContain(`"code":"${outcome}"`);
      expect(s.items).toEqual([]);
      return;
    }
    if (typeof outcome === "object" && "userError" in outcome) throw new Error("subscriptions have no userErrors");
    const view = outcome === "ALLOWED" ? "ALL" : (outcome as { sees: View }).sees;
    const last = sub.last(view, actor as Member);
    await until(() => s.items.some((i) => i.id === last) || s.errors.length > 0, "the replay of the fixtures", 1000);
    expect(s.errors).toEqual([]);
    if (view !== "ALL") await expectView(view, s.items);
    await sub.check(view, s.items);
  } finally {
    await s.stop();
  }
}

// The fixtures.

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-matrix-"));
  srv = await startTestServer({ DATA_DIR: dataDir, COUNT_SQUASH_INTERVAL_MS: "100", WEBHOOK_ALLOW_PRIVATE: "true" });

  const administrator = await srv.signUp({ workspaceName: "Workspace ws-A" });
  const [editor, agent, teamAgent, spare] = await Promise.all([
    addMember(srv, administrator.workspaceId, "EDITOR"),
    addMember(srv, administrator.workspaceId, "AGENT"),
    addMember(srv, administrator.workspaceId, "AGENT", "teamagent"),
    addMember(srv, administrator.workspaceId, "EDITOR", "spare"),
  ]);
  const otherAdmin = await srv.signUp({ workspaceName: "Workspace ws-B" });
  users = { administrator, editor, agent, teamAgent, otherAdmin };
  anonLogin = spare;
  const admin = administrator.token;
  Object.assign(A, { workspace: administrator.workspaceId, workspaceUuid: uuid(administrator.workspaceId) });
  Object.assign(B, { workspaceUuid: uuid(otherAdmin.workspaceId) });

  const topics = await ok<{ topics: Array<Id & { isSystem: boolean }> }>(srv, `{ topics { id isSystem } }`, {}, admin);
  A.general = topics.topics.find((t) => t.isSystem)!.id;
  A.billing = (
    await must<{ topic: Id }>(`mutation { createTopic(input: { name: "Billing ws-A" }) { topic { id } userErrors { code } } }`, {}, admin)
  ).topic.id;
  const createTeam = `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } userErrors { code } } }`;
  A.team = (await must<{ team: Id }>(createTeam, { i: { name: "Billing team ws-A", topicIds: [A.billing] } }, admin)).team.id;
  A.generalTeam = (await must<{ team: Id }>(createTeam, { i: { name: "General team ws-A", topicIds: [A.general] } }, admin)).team.id;
  const members = await ok<{ members: Array<Id & { user: Id }> }>(srv, `{ members { id user { id } } }`, {}, admin);
  const memberOf = (u: SignedUp) => members.members.find((m) => m.user.id === u.userId)!.id;
  A.members = { administrator: memberOf(administrator), editor: memberOf(editor), agent: memberOf(agent), teamAgent: memberOf(teamAgent) };
  await must(
    `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } userErrors { code } } }`,
    { i: { id: A.members.teamAgent, teamId: A.team } },
    admin,
  );

  const createField = `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { id } userErrors { code } } }`;
  const field = async (name: string, agentAccess: string) =>
    (await must<{ contactField: Id }>(createField, { i: { name, type: "TEXT", agentAccess } }, admin)).contactField.id;
  A.fNone = await field("Secret", "NONE");
  A.fView = await field("Plan", "VIEW");
  A.fEdit = await field("Nickname", "EDIT");

  A.flow = (
    await must<{ flow: Id }>(
      `mutation { registerFlow(input: { name: "Support bot ws-A", externalId: "flow-42" }) { flow { id } userErrors { code } } }`,
      {},
      admin,
    )
  ).flow.id;
  A.trigger = (
    await must<{ trigger: Id }>(
      `mutation($f: ID!) { createTrigger(input: { type: TICKET_CLOSED, flowId: $f }) { trigger { id } userErrors { code } } }`,
      { f: A.flow },
      admin,
    )
  ).trigger.id;
  A.triggerRow = JSON.stringify(
    (await sql<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM triggers t WHERE id = $1`, [uuid(A.trigger)]))[0].row,
  );

  const createContact = `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } userErrors { code } } }`;
  const contact = async (name: string, urn: string) =>
    (await must<{ contact: Id }>(createContact, { i: { name, urns: [urn] } }, admin)).contact.id;
  A.c1Urn = newUrn();
  A.c2Urn = newUrn();
  A.c4Urn = newUrn();
  A.c1 = await contact("Ana ws-A", A.c1Urn);
  A.c2 = await contact("Bo ws-A", A.c2Urn);
  A.c4 = await contact("Cy ws-A", A.c4Urn);
  await must(
    `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { contact { id } userErrors { code } } }`,
    {
      i: {
        contactId: A.c1,
        values: [
          { key: "secret", value: `${SECRET} ws-A` },
          { key: "plan", value: "gold ws-A" },
          { key: "nickname", value: "Annie ws-A" },
        ],
      },
    },
    admin,
  );
  await must(
    `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { contact { id } userErrors { code } } }`,
    { i: { contactId: A.c1, text: "Calls after 5pm ws-A" } },
    admin,
  );

  const open = async (input: Record<string, unknown>) => (await must<{ ticket: Id }>(OPEN, { i: input }, admin)).ticket.id;
  const receive = async (urn: string, text: string) => (await must<{ message: Id }>(RECEIVE, { i: { urn, text } }, admin)).message.id;
  // C1: a closed ticket in Billing (which fires the trigger), then an open one in General.
  A.t1 = await open({ contactId: A.c1, topicId: A.billing });
  A.mBilling = await receive(A.c1Urn, "My invoice is wrong ws-A");
  await must(CLOSE, { i: { ticketIds: [A.t1] } }, admin);
  A.t2 = await open({ contactId: A.c1, note: `${GENERAL_ONLY} first contact ws-A` });
  A.mGeneral = await receive(A.c1Urn, `${GENERAL_ONLY} question ws-A`);
  // C2: an open ticket in Billing with a reply.
  A.t3 = await open({ contactId: A.c2, topicId: A.billing });
  A.mOut = (await must<{ message: Id }>(SEND, { i: { ticketId: A.t3, text: "Looking into it ws-A" } }, admin)).message.id;
  // C4: a ticket that left Billing, and what happened to it afterwards.
  A.t4 = await open({ contactId: A.c4, topicId: A.billing });
  await must(
    `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } failures { code } } }`,
    { i: { ticketIds: [A.t4], topicId: A.general } },
    admin,
  );
  await must(NOTE, { i: { ticketIds: [A.t4], note: `${GENERAL_ONLY} after the move ws-A` } }, admin);
  await receive(A.c4Urn, `${GENERAL_ONLY} follow-up ws-A`);

  A.shortcut = (
    await must<{ shortcut: Id }>(
      `mutation { createShortcut(input: { name: "Greeting ws-A", text: "Hello from ws-A" }) { shortcut { id } userErrors { code } } }`,
      {},
      admin,
    )
  ).shortcut.id;
  A.invitation = (
    await must<{ invitation: Id }>(
      `mutation($t: ID!) { inviteMember(input: { email: "invitee-ws-a@example.com", role: AGENT, teamId: $t }) { invitation { id } userErrors { code } } }`,
      { t: A.team },
      admin,
    )
  ).invitation.id;
  A.pendingToken = (await freshInvitation()).token;
  const createToken = async (token: string) => freshApiToken(token);
  A.apiTokens = {
    administrator: await createToken(admin),
    editor: await createToken(editor.token),
    agent: await createToken(agent.token),
    teamAgent: await createToken(teamAgent.token),
  };
  A.group = (await ok<{ contactGroups: Id[] }>(srv, `{ contactGroups { id } }`, {}, admin)).contactGroups[0].id;
  A.eventT1 = await eventOf(A.t1, "first");
  A.eventT2 = await eventOf(A.t2, "first");
  A.flowStart = await flowStartOf(A.t1);
  // The last event of A's fixtures, in Billing: every member of A sees it.
  // Every member of A hears of something: the spare editor names them all in a note.
  const everyone = [administrator, editor, agent, teamAgent].map((m) => `@${m.email}`).join(" ");
  await must(NOTE, { i: { ticketIds: [A.t3], note: `For ${everyone}: ws-a` } }, spare.token);
  await must(NOTE, { i: { ticketIds: [A.t3], note: "Marker ws-A" } }, admin);
  A.marker = await eventOf(A.t3, "last");

  // Workspace B: its own objects of every kind.
  const other = otherAdmin.token;
  B.topic = (
    await must<{ topic: Id }>(`mutation { createTopic(input: { name: "Billing ws-B" }) { topic { id } userErrors { code } } }`, {}, other)
  ).topic.id;
  B.agentMember = await silentMember(B.workspaceUuid);
  const flowB = (
    await must<{ flow: Id }>(
      `mutation { registerFlow(input: { name: "Bot ws-B", externalId: "flow-b" }) { flow { id } userErrors { code } } }`,
      {},
      other,
    )
  ).flow.id;
  await must(
    `mutation($f: ID!) { createTrigger(input: { type: TICKET_CLOSED, flowId: $f }) { trigger { id } userErrors { code } } }`,
    { f: flowB },
    other,
  );
  await must(createField, { i: { name: "Plan", type: "TEXT" } }, other);
  await must(
    `mutation { createShortcut(input: { name: "Greeting ws-B", text: "Hi ws-B" }) { shortcut { id } userErrors { code } } }`,
    {},
    other,
  );
  await must(createTeam, { i: { name: "Team ws-B", allTopics: true } }, other);
  await must(
    `mutation { inviteMember(input: { email: "invitee-ws-b@example.com", role: EDITOR }) { invitation { id } userErrors { code } } }`,
    {},
    other,
  );
  B.contact = (await must<{ contact: Id }>(createContact, { i: { name: "Di ws-B", urns: [newUrn()] } }, other)).contact.id;
  B.ticket = (await must<{ ticket: Id }>(OPEN, { i: { contactId: B.contact, topicId: B.topic } }, other)).ticket.id;
  await must(CLOSE, { i: { ticketIds: [B.ticket] } }, other);
  B.flowStart = await flowStartOf(B.ticket);
  B.apiToken = await createToken(other);
  await must(NOTE, { i: { ticketIds: [B.ticket], note: "Marker ws-B" } }, other);
  B.marker = await eventOf(B.ticket, "last");
  // Events and flow starts are read once every older transaction on the server has ended: wait
  // for the fixtures' last ones, so that every list and replay below holds all of them.
  for (const [token, marker] of [
    [admin, A.marker],
    [other, B.marker],
  ]) {
    await eventually(async () => {
      const read = await ok<{ ticketEvents: { nodes: Id[] } }>(srv, `{ ticketEvents(first: 100) { nodes { id } } }`, {}, token);
      return ids(read.ticketEvents.nodes).includes(marker);
    }, "the fixtures' events to be readable");
  }

  // Every member's newest notification, once they are readable: B's administrator hears of a
  // ticket another member of B opens.
  const bEditor = await addMember(srv, otherAdmin.workspaceId, "EDITOR", "beditor");
  await must(OPEN, { i: { contactUrn: newUrn(), topicId: B.topic } }, bEditor.token);
  A.lastNotification = {} as Record<Member, string>;
  for (const member of Object.keys(users) as Member[]) {
    // As they see it: the team agent also heard of tickets opened before they joined their team.
    const { notifications } = await ok<{ notifications: { nodes: Id[] } }>(
      srv,
      `{ notifications(first: 1) { nodes { id } } }`,
      {},
      users[member].token,
    );
    if (!notifications.nodes[0]) throw new Error(`the fixtures leave ${member} no notification`);
    A.lastNotification[member] = notifications.nodes[0].id;
  }

  // A finished export of the administrator's and of the editor's.
  A.exports = {} as typeof A.exports;
  for (const member of ["administrator", "editor"] as const) {
    const started = await must<{ export: Id }>(
      `mutation { exportTickets(input: { filter: { folder: ALL, status: null } }) { export { id } userErrors { code } } }`,
      {},
      users[member].token,
    );
    await exportFinished(uuid(started.export.id));
    A.exports[member] = started.export.id;
  }

  // A webhook endpoint to a port nobody listens on, and its ping's failure in the delivery log.
  A.webhook = (
    await must<{ webhook: Id }>(
      `mutation { createWebhook(input: { url: "http://127.0.0.1:9/hook", events: [OPENED] }) { webhook { id } userErrors { code } } }`,
      {},
      adminToken(),
    )
  ).webhook.id;
  await must(`mutation($id: ID!) { testWebhook(id: $id) { webhook { id } userErrors { code } } }`, { id: A.webhook }, adminToken());
  const [ping] = await sql<{ id: string }>(`SELECT id FROM webhook_deliveries WHERE webhook_id = $1`, [uuid(A.webhook)]);
  A.webhookDelivery = toGlobalId("WebhookDelivery", ping.id);

  // One statement that sums up all of A. A row's xmin is the transaction that last wrote it, so
  // a table's row count and greatest xmin change with any insert, update or delete. API tokens are
  // compared without last_used_at (using a token writes it), count and statistics deltas by their
  // sums (they are folded together in the background).
  const tables = await sql<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'workspace_id'
        AND table_name NOT IN ('ticket_count_deltas', 'ticket_statistic_deltas', 'ticket_statistics', 'api_tokens', 'webhooks', 'webhook_deliveries')
      ORDER BY table_name`,
  );
  const written = (from: string) => `SELECT count(*)::text || ':' || coalesce(max(x.xmin::text::bigint), 0)::text FROM ${from}`;
  const digest = (from: string, row: string) =>
    `SELECT md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM (SELECT ${row} AS r FROM ${from}) s`;
  fingerprintSql = [
    ...tables.map((t) => `SELECT '${t.table_name}' AS t, (${written(`${t.table_name} x WHERE x.workspace_id = $1`)}) AS h`),
    `SELECT 'workspaces', (${written(`workspaces x WHERE x.id = $1`)})`,
    `SELECT 'users', (${written(`users x WHERE x.id IN (SELECT user_id FROM memberships WHERE workspace_id = $1)`)})`,
    `SELECT 'api_tokens', (${digest(`api_tokens x WHERE x.workspace_id = $1`, `(to_jsonb(x) - 'last_used_at')::text`)})`,
    // Webhooks as administrators set them (deliveries move the rest in the background), and pings,
    // which only testWebhook sends.
    `SELECT 'webhooks', (${digest(
      `webhooks x WHERE x.workspace_id = $1`,
      `concat_ws(',', x.id, x.url, x.events, x.topic_ids, x.enabled, x.disabled_reason, x.secret, x.previous_secrets)`,
    )})`,
    `SELECT 'webhook_deliveries', (${written(`webhook_deliveries x WHERE x.workspace_id = $1 AND x.message_id LIKE 'msg_ping_%'`)})`,
    `SELECT 'ticket_count_deltas', (${digest(
      `(SELECT concat_ws(',', status, topic_id, assignee_id, sum(delta)) AS c FROM ticket_count_deltas
         WHERE workspace_id = $1 GROUP BY status, topic_id, assignee_id HAVING sum(delta) <> 0) x`,
      "x.c",
    )})`,
    // Statistics by day, deltas and folded rows together (the squasher moves one into the other).
    `SELECT 'ticket_statistics', (${digest(
      `(SELECT concat_ws(',', day, grain, topic_id, member_id, sum(opened), sum(closed), sum(assigned), sum(replies), sum(fr), sum(rs)) AS c
          FROM (SELECT day, grain, topic_id, member_id, opened, closed, assigned, replies,
                       (SELECT coalesce(sum(v), 0) FROM unnest(first_reply_buckets) v) AS fr,
                       (SELECT coalesce(sum(v), 0) FROM unnest(resolution_buckets) v) AS rs
                  FROM ticket_statistics WHERE workspace_id = $1 AND span = 'DAY'
                UNION ALL
                SELECT day, grain, topic_id, member_id, (figure = 'OPENED')::int * n, (figure = 'CLOSED')::int * n,
                       (figure = 'ASSIGNED')::int * n, (figure = 'REPLIED')::int * n, (figure = 'FIRST_REPLY')::int * n,
                       (figure = 'RESOLUTION')::int * n
                  FROM ticket_statistic_deltas WHERE workspace_id = $1) f
         GROUP BY day, grain, topic_id, member_id) x`,
      "x.c",
    )})`,
  ].join("\nUNION ALL ");
}, 60000);

afterAll(async () => {
  await srv?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// The tests.

const ROOT_FIELDS = Object.keys(MATRIX).filter((f) => !f.startsWith("Subscription."));
const SUBSCRIPTION_FIELDS = Object.keys(MATRIX).filter((f) => f.startsWith("Subscription."));

describe("the expectation table", () => {
  it("has a row for every Query, Mutation and Subscription field of the schema, and none for a field it lacks", () => {
    const schema = srv.server.schema;
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? Object.keys(type.getFields()).map((f) => `${type.name}.${f}`) : [],
    );
    expect(fields.length).toBeGreaterThan(50);
    expect(Object.keys(MATRIX).sort()).toEqual(fields.sort());
  });

  it("has a request for every row", () => {
    expect(Object.keys(SPECS).sort()).toEqual(ROOT_FIELDS.sort());
    expect(Object.keys(SUBSCRIPTIONS).sort()).toEqual(SUBSCRIPTION_FIELDS.sort());
  });

  it("agrees with each field's @auth: declared exactly where anonymous is refused, with the roles not FORBIDDEN", () => {
    const roles = { administrator: "ADMINISTRATOR", editor: "EDITOR", agent: "AGENT" } as const;
    for (const [name, row] of Object.entries(MATRIX)) {
      const directive = getDirective(srv.server.schema, rootField(name), "auth")?.[0] as { requires: string[] } | undefined;
      const allowed = Object.entries(roles)
        .filter(([actor]) => row[actor as keyof typeof roles] !== "FORBIDDEN")
        .map(([, role]) => role);
      expect([name, directive?.requires.slice().sort() ?? null]).toEqual([
        name,
        row.anonymous === "UNAUTHENTICATED" ? allowed.sort() : null,
      ]);
      // A team agent is an agent: refused exactly what agents are.
      expect([name, row.teamAgent === "FORBIDDEN"]).toEqual([name, row.agent === "FORBIDDEN"]);
    }
  });

  it("has a node row for every type that implements Node", () => {
    const node = srv.server.schema.getType("Node");
    if (!isInterfaceType(node)) throw new Error("Node is not an interface");
    const types = srv.server.schema.getPossibleTypes(node).map((t) => t.name);
    expect([...new Set(Object.values(NODE_MATRIX).map((r) => r.type))].sort()).toEqual(types.sort());
    expect(Object.keys(TABLES).sort()).toEqual(types.filter((t) => t !== "Workspace" && t !== "User").sort());
  });
});

describe("the check that A is unchanged", () => {
  it("notices any write to A's rows, but not a token being used", async () => {
    const before = await fingerprint();
    await sql(`UPDATE api_tokens SET last_used_at = now() WHERE workspace_id = $1`, [A.workspaceUuid]);
    expect(await fingerprint()).toEqual(before);
    // The same value written again is still a write.
    await sql(`UPDATE contacts SET name = name WHERE id = $1`, [uuid(A.c1)]);
    const after = await fingerprint();
    expect(after.filter((row, i) => row.h !== before[i].h).map((row) => row.t)).toEqual(["contacts"]);
  });
});

describe.each(ACTORS)("as %s", (actor) => {
  it.each(ROOT_FIELDS.map((f) => [f, describeOutcome(MATRIX[f][actor])]))("%s: %s", async (field) => {
    await runCase(field, actor, MATRIX[field][actor]);
  });

  it.each(SUBSCRIPTION_FIELDS.map((f) => [f, describeOutcome(MATRIX[f][actor])]))("%s over WebSocket: %s", async (field) => {
    await runSubscription(field, actor, MATRIX[field][actor]);
  });
});

/**
 * An agent whose membership says canAssign: false and canReplyToOthers: false: every root field
 * answers as the agent column says (the two settings take nothing else away: a new operation is
 * run here too), and the two rules refuse per ticket, changing nothing.
 */
describe("as an agent without canAssign and canReplyToOthers", () => {
  const restrict = (on: boolean) =>
    must(
      `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id canAssign canReplyToOthers } userErrors { code } } }`,
      { i: { id: A.members.agent, canAssign: !on, canReplyToOthers: !on } },
      adminToken(),
    );
  beforeAll(() => restrict(true));
  afterAll(() => restrict(false));

  it.each(ROOT_FIELDS.map((f) => [f, describeOutcome(MATRIX[f].agent)]))("%s: %s", async (field) => {
    await runCase(field, "agent", MATRIX[field].agent);
  });

  const ASSIGN = mutationOf("assignTickets", "AssignTicketsInput");
  const codes = (res: GqlResponse<Record<string, unknown>>, name: string) => {
    expect(res.errors).toBeUndefined();
    const payload = res.data?.[name] as Payload;
    expect(payload.tickets).toEqual([]);
    return payload.failures?.map((f) => f.code);
  };

  it("assigning tickets to someone else, or taking someone else's: CANNOT_ASSIGN for each ticket", async () => {
    const unassigned = await freshTicket("general");
    const theirs = await freshTicket("general");
    await must(ASSIGN, { i: { ticketIds: [theirs], assigneeId: users.administrator.userId } }, adminToken());
    const toOther = await unchanged(() =>
      srv.gql<Record<string, unknown>>(ASSIGN, { i: { ticketIds: [unassigned, theirs], assigneeId: users.editor.userId } }, tokenOf("agent")),
    );
    expect(codes(toOther, "assignTickets")).toEqual(["CANNOT_ASSIGN", "CANNOT_ASSIGN"]);
    const taking = await unchanged(() =>
      srv.gql<Record<string, unknown>>(ASSIGN, { i: { ticketIds: [theirs], assigneeId: users.agent.userId } }, tokenOf("agent")),
    );
    expect(codes(taking, "assignTickets")).toEqual(["CANNOT_ASSIGN"]);
    // An unassigned ticket they take is theirs (the agent column above runs that too).
    await must(ASSIGN, { i: { ticketIds: [unassigned], assigneeId: users.agent.userId } }, tokenOf("agent")!);
  });

  it("replying in a ticket assigned to someone else: the userError CANNOT_REPLY", async () => {
    const theirs = await freshTicket("general");
    await must(ASSIGN, { i: { ticketIds: [theirs], assigneeId: users.administrator.userId } }, adminToken());
    const res = await unchanged(() =>
      srv.gql<Record<string, unknown>>(
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } userErrors { code field } } }`,
        { i: { ticketId: theirs, text: "On it" } },
        tokenOf("agent"),
      ),
    );
    expect(res.data?.sendMessage).toEqual({ message: null, userErrors: [{ code: "CANNOT_REPLY", field: ["ticketId"] }] });
  });
});

/** The fixture each NODE_MATRIX row names. */
function nodeIds(): Record<string, string> {
  return {
    "the workspace": A.workspace,
    "a member's user": users.administrator.userId,
    "a member": A.members.agent,
    "the administrator's API token": A.apiTokens.administrator,
    "the topic General": A.general,
    "the topic Billing": A.billing,
    "a contact": A.c1,
    "a flow": A.flow,
    "a ticket in General": A.t2,
    "a ticket in Billing": A.t1,
    "a message of a ticket in General": A.mGeneral,
    "a message of a ticket in Billing": A.mBilling,
    "an event of a ticket in General": A.eventT2,
    "an event of a ticket in Billing": A.eventT1,
    "a contact field agents may not see (NONE)": A.fNone,
    "a contact field agents may read (VIEW)": A.fView,
    "the Open Tickets group": A.group,
    "a team": A.team,
    "a pending invitation": A.invitation,
    "a shortcut": A.shortcut,
    "a trigger": A.trigger,
    "a flow start": A.flowStart,
    "the agent's notification": A.lastNotification.agent,
    "the administrator's export": A.exports.administrator,
    "a webhook": A.webhook,
    "a webhook delivery": A.webhookDelivery,
  };
}

const NODE = `query($id: ID!) { node(id: $id) { id __typename } }`;

describe("node(id:) for each kind of object of workspace A", () => {
  it("names an object of the row's type for every row", () => {
    const found = nodeIds();
    expect(Object.keys(found).sort()).toEqual(Object.keys(NODE_MATRIX).sort());
    for (const [row, { type }] of Object.entries(NODE_MATRIX)) expect([row, parseGlobalId(found[row])?.type]).toEqual([row, type]);
  });

  const cases = Object.entries(NODE_MATRIX).flatMap(([row, { outcomes }]) => ACTORS.map((actor) => [row, actor, outcomes[actor]] as const));
  it.each(cases)("%s as %s: %s", async (row, actor, outcome) => {
    const id = nodeIds()[row];
    if (outcome === "UNAUTHENTICATED") {
      for (const token of [undefined, BAD_TOKEN]) expectDenied(await srv.gql(NODE, { id }, token), "node", "UNAUTHENTICATED");
      return;
    }
    const ask = () => srv.gql<Record<string, unknown>>(NODE, { id }, tokenOf(actor));
    const res = actor === "otherAdmin" ? await unchanged(ask) : await ask();
    if (outcome === "ALLOWED") {
      expect(res.errors).toBeUndefined();
      expect(res.data?.node).toEqual({ id, __typename: NODE_MATRIX[row].type });
    } else expectNotFound(res, "node", { query: NODE });
  });

  it.each(ACTORS.filter((a) => a !== "anonymous"))(
    "nodes() of all of them as %s: null with NOT_FOUND exactly where node is",
    async (actor) => {
      const rows = Object.keys(NODE_MATRIX);
      const found = nodeIds();
      const res = await srv.gql<{ nodes: Array<Id | null> }>(
        `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
        { ids: rows.map((r) => found[r]) },
        tokenOf(actor),
      );
      const hidden = rows.map((r, i) => [r, i] as const).filter(([r]) => NODE_MATRIX[r].outcomes[actor] === "NOT_FOUND");
      expect(res.data?.nodes).toEqual(rows.map((r) => (NODE_MATRIX[r].outcomes[actor] === "NOT_FOUND" ? null : { id: found[r] })));
      expect(errorsByIndex(res)).toEqual(hidden.map(([, i]) => [["nodes", i], "NOT_FOUND"]));
      if (actor === "otherAdmin") expect(hidden).toHaveLength(rows.length);
    },
  );

  it("nodes() mixing B's own objects with A's answers B's and nulls A's, in order", async () => {
    const other = users.otherAdmin;
    const res = await srv.gql<{ nodes: Array<Id | null> }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: [other.userId, users.administrator.userId, other.workspaceId, A.members.agent] },
      other.token,
    );
    expect(res.data?.nodes).toEqual([{ id: other.userId }, null, { id: other.workspaceId }, null]);
    expect(errorsByIndex(res)).toEqual([
      [["nodes", 1], "NOT_FOUND"],
      [["nodes", 3], "NOT_FOUND"],
    ]);
  });
});

describe("A's ids inside the input of B's administrator change nothing in A", () => {
  const cases: Array<[string, () => Req, (data: Record<string, Payload>) => void]> = [
    [
      "openTicket with A's topic",
      () => ({
        query: `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code field } } }`,
        variables: { i: { contactUrn: newUrn(), topicId: A.billing } },
      }),
      (d) => expect(d.openTicket.userErrors).toEqual([{ code: "NOT_FOUND", field: ["topicId"] }]),
    ],
    [
      "openTicket with A's flow",
      () => ({
        query: `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code field } } }`,
        variables: { i: { contactUrn: newUrn(), flowId: A.flow } },
      }),
      (d) => expect(d.openTicket.userErrors).toEqual([{ code: "NOT_FOUND", field: ["flowId"] }]),
    ],
    [
      "openTicket assigned to A's member",
      () => ({
        query: `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code field } } }`,
        variables: { i: { contactUrn: newUrn(), assigneeId: users.agent.userId } },
      }),
      (d) => expect(d.openTicket.userErrors).toEqual([{ code: "NOT_A_MEMBER", field: ["assigneeId"] }]),
    ],
    [
      "assignTickets of B's ticket to A's member",
      () => ({
        query: mutationOf("assignTickets", "AssignTicketsInput"),
        variables: { i: { ticketIds: [B.ticket], assigneeId: users.agent.userId } },
      }),
      (d) => expect(d.assignTickets).toEqual({ tickets: [], failures: [], userErrors: [{ code: "NOT_A_MEMBER", field: ["assigneeId"] }] }),
    ],
    [
      "changeTicketTopic of B's ticket to A's topic",
      () => ({
        query: mutationOf("changeTicketTopic", "ChangeTicketTopicInput"),
        variables: { i: { ticketIds: [B.ticket], topicId: A.billing } },
      }),
      (d) => expect(d.changeTicketTopic).toEqual({ tickets: [], failures: [], userErrors: [{ code: "NOT_FOUND", field: ["topicId"] }] }),
    ],
    [
      "updateMember of B's agent into A's team",
      () => ({
        query: `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } userErrors { code field } } }`,
        variables: { i: { id: B.agentMember, teamId: A.team } },
      }),
      (d) => expect(d.updateMember.userErrors).toEqual([{ code: "NOT_FOUND", field: ["teamId"] }]),
    ],
    [
      "setContactFields with the key of a field only A has",
      () => ({
        query: `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { contact { id } userErrors { code field } } }`,
        variables: { i: { contactId: B.contact, values: [{ key: "nickname", value: "x" }] } },
      }),
      (d) => expect(d.setContactFields.userErrors).toEqual([{ code: "NOT_FOUND", field: ["values", "0", "key"] }]),
    ],
    [
      "tickets filtered by A's topic",
      () => ({
        query: `query($t: ID!) { tickets(filter: { topicId: $t, status: null }) { totalCount nodes { id } } }`,
        variables: { t: A.billing },
      }),
      (d) => expect(d.tickets).toEqual({ totalCount: 0, nodes: [] }),
    ],
    [
      "ticketEvents of A's ticket",
      () => ({ query: `query($t: ID!) { ticketEvents(filter: { ticketId: $t }) { nodes { id } } }`, variables: { t: A.t2 } }),
      (d) => expect(d.ticketEvents).toEqual({ nodes: [] }),
    ],
    [
      "ticketEvents of A's topic",
      () => ({ query: `query($t: ID!) { ticketEvents(filter: { topicIds: [$t] }) { nodes { id } } }`, variables: { t: A.billing } }),
      (d) => expect(d.ticketEvents).toEqual({ nodes: [] }),
    ],
    [
      "contacts searched by A's contact's URN",
      () => ({ query: `query($s: String) { contacts(search: $s) { nodes { id } } }`, variables: { s: A.c4Urn } }),
      (d) => expect(d.contacts).toEqual({ nodes: [] }),
    ],
  ];
  it.each(cases)("%s", async (_name, request, check) => {
    const req = request();
    const res = await unchanged(() => srv.gql<Record<string, Payload>>(req.query, req.variables, users.otherAdmin.token));
    expect(res.errors).toBeUndefined();
    check(res.data!);
  });
});

describe("a team agent", () => {
  it("cannot pull a ticket of another topic into the team's topic", async () => {
    const ticket = await freshTicket("general");
    const res = await unchanged(() =>
      ok<{ changeTicketTopic: Payload }>(
        srv,
        mutationOf("changeTicketTopic", "ChangeTicketTopicInput"),
        { i: { ticketIds: [ticket], topicId: A.billing } },
        users.teamAgent.token,
      ),
    );
    expect(res.changeTicketTopic).toEqual({ tickets: [], failures: [{ ticketId: ticket, code: "NOT_FOUND" }], userErrors: [] });
  });

  it("cannot be assigned a ticket of another topic", async () => {
    const ticket = await freshTicket("general");
    const res = await unchanged(() =>
      ok<{ assignTickets: Payload }>(
        srv,
        mutationOf("assignTickets", "AssignTicketsInput"),
        { i: { ticketIds: [ticket], assigneeId: users.teamAgent.userId } },
        adminToken(),
      ),
    );
    expect(res.assignTickets).toEqual({ tickets: [], failures: [{ ticketId: ticket, code: "ASSIGNEE_CANNOT_SEE" }], userErrors: [] });
  });

  it("finds nothing of another topic through filters", async () => {
    const res = await ok<{ tickets: { totalCount: number; nodes: Id[] }; ticketEvents: { nodes: Id[] } }>(
      srv,
      `query($g: ID!, $t: ID!) { tickets(filter: { topicId: $g, status: null }) { totalCount nodes { id } } ticketEvents(filter: { ticketId: $t }) { nodes { id } } }`,
      { g: A.general, t: A.t2 },
      users.teamAgent.token,
    );
    expect(res).toEqual({ tickets: { totalCount: 0, nodes: [] }, ticketEvents: { nodes: [] } });
  });

  it("sees a ticket that left the team's topic only through the events it had there, without what came after", async () => {
    expectNotFound(await srv.gql(NODE, { id: A.t4 }, users.teamAgent.token), "node", { query: NODE });
    const res = await ok<{ ticketEvents: { nodes: Array<{ type: string; ticket: Id }> } }>(
      srv,
      `query($t: ID!) { ticketEvents(filter: { ticketId: $t }) { nodes { id type note ticket {
        id notes { id note } lastMessage { id text } events { nodes { id note message { id text } } } } } } }`,
      { t: A.t4 },
      users.teamAgent.token,
    );
    expect(res.ticketEvents.nodes.map((e) => e.type)).toEqual(["OPENED", "TOPIC_CHANGED"]);
    await expectView("TEAM_TOPICS", res);
  });
});

describe("API tokens", () => {
  it("are their owner's alone: another member's is NOT_FOUND to revoke", async () => {
    const res = await unchanged(() =>
      ok<{ revokeApiToken: Payload }>(
        srv,
        `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { deletedId userErrors { code } } }`,
        { i: { id: A.apiTokens.administrator } },
        users.editor.token,
      ),
    );
    expect(res.revokeApiToken).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND" }] });
  });

  it("work until revoked, are shown once and listed without their secret", async () => {
    const alice = await srv.signUp({ workspaceName: "Alice's" });
    const created = await srv.gql<{ createApiToken: { token: string; apiToken: { id: string; name: string; role: string } } }>(
      `mutation { createApiToken(input: { name: "flow engine" }) { token apiToken { id name role lastUsedAt } } }`,
      {},
      alice.token,
    );
    const { token, apiToken } = created.data!.createApiToken;
    expect(apiToken).toMatchObject({ name: "flow engine", role: "ADMINISTRATOR" });

    const viewer = await srv.gql<{ viewer: { user: { id: string } } }>(`{ viewer { user { id } } }`, {}, token);
    expect(viewer.data?.viewer.user.id).toBe(alice.userId);

    const list = await srv.gql<{ apiTokens: Array<Record<string, unknown>> }>(`{ apiTokens { id name lastUsedAt } }`, {}, alice.token);
    expect(list.data?.apiTokens).toEqual([expect.objectContaining({ id: apiToken.id, name: "flow engine" })]);
    expect(list.data?.apiTokens[0].lastUsedAt).not.toBeNull();

    const stored = await sql<{ token_hash: Buffer }>(`SELECT token_hash FROM api_tokens`);
    for (const row of stored) expect(row.token_hash.toString("utf8")).not.toContain(token.slice(4, 20));

    const revoke = await srv.gql<{ revokeApiToken: { deletedId: string } }>(
      `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { deletedId userErrors { code } } }`,
      { id: apiToken.id },
      alice.token,
    );
    expect(revoke.data?.revokeApiToken.deletedId).toBe(apiToken.id);
    const after = await srv.gql(`{ viewer { role } }`, {}, token);
    expect(after.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const again = await srv.gql<{ revokeApiToken: { userErrors: Array<{ code: string }> } }>(
      `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { deletedId userErrors { code } } }`,
      { id: apiToken.id },
      alice.token,
    );
    expect(again.data?.revokeApiToken.userErrors).toEqual([{ code: "NOT_FOUND" }]);
  });

  it("session tokens expire after the configured days unused; API tokens do not", async () => {
    const me = await srv.signUp();
    const api = await srv.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "x" }) { token } }`,
      {},
      me.token,
    );
    // A session not used yet: the one above is remembered for AUTH_CACHE_MS, as a live session would be.
    const fresh = await srv.gql<{ logIn: { token: string } }>(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
      i: { email: me.email, password: me.password },
    });
    await sql(
      `UPDATE api_tokens SET created_at = now() - interval '31 days', last_used_at = now() - interval '31 days'
        WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
      [me.email],
    );
    const session = await srv.gql(`{ viewer { role } }`, {}, fresh.data?.logIn.token);
    expect(session.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const apiStill = await srv.gql<{ viewer: { role: string } }>(`{ viewer { role } }`, {}, api.data?.createApiToken.token);
    expect(apiStill.data?.viewer.role).toBe("ADMINISTRATOR");
  });
});
