import pg from "pg";
import { addMember, createTopic, ok, openTicket, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { compareFeedCursors, Receiver, verifies, waitFor } from "../support/webhook-receiver";
import { backoffMs } from "../../src/services/webhooks/dispatcher";
import { isPublicAddress } from "../../src/services/webhooks/address-guard";

/**
 * Webhooks against real receivers on loopback (WEBHOOK_ALLOW_PRIVATE=true): signed deliveries in
 * commit order, retried with backoff, disabled after giving up, replayed from a cursor, rotated
 * secrets, pings, the delivery log, the limits and who may do what. Killed processes and two
 * processes at once: webhooks-processes.test.ts.
 */

const FIELDS = `id url events enabled disabledReason lastDeliveredCursor createdAt topics { id }`;
const CREATE = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { ${FIELDS} } secret userErrors { code field message } } }`;
const UPDATE = `mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { webhook { ${FIELDS} } secret userErrors { code field message } } }`;
const DELETE = `mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedId userErrors { code field message } } }`;
const ROTATE = `mutation($id: ID!) { rotateWebhookSecret(id: $id) { webhook { id } secret userErrors { code field message } } }`;
const REPLAY = `mutation($i: ReplayWebhookInput!) { replayWebhook(input: $i) { webhook { ${FIELDS} } userErrors { code field message } } }`;
const TEST = `mutation($id: ID!) { testWebhook(id: $id) { webhook { id } userErrors { code field message } } }`;
const LIST = `{ webhooks { ${FIELDS} } }`;
const DELIVERIES = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Webhook {
  deliveries(first: $first, after: $after) { edges { cursor node { id webhookMessageId cursor attempt statusCode durationMs response error createdAt nextAttemptAt } }
  pageInfo { hasNextPage endCursor } } } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } userErrors { code } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } userErrors { code } } }`;

interface Webhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  lastDeliveredCursor: string | null;
  topics: Array<{ id: string }>;
}
interface Payload {
  webhook: Webhook | null;
  secret: string | null;
  userErrors: Array<{ code: string; field: string[] | null; message: string }>;
}
interface Delivery {
  id: string;
  webhookMessageId: string;
  cursor: string;
  attempt: number;
  statusCode: number | null;
  durationMs: number | null;
  response: string | null;
  error: string | null;
  nextAttemptAt: string | null;
}

const ALL_EVENTS = [
  "OPENED",
  "ASSIGNED",
  "NOTE_ADDED",
  "TOPIC_CHANGED",
  "CLOSED",
  "REOPENED",
  "MESSAGE_RECEIVED",
  "MESSAGE_SENT",
  "FLOW_STARTED",
];

let srv: TestServer;
const receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

async function create(token: string, input: Record<string, unknown>): Promise<Payload> {
  return (await ok<{ createWebhook: Payload }>(srv, CREATE, { i: input }, token)).createWebhook;
}

async function created(
  token: string,
  url: string,
  events = ALL_EVENTS,
  extra: Record<string, unknown> = {},
): Promise<{ webhook: Webhook; secret: string }> {
  const payload = await create(token, { url, events, ...extra });
  expect(payload.userErrors).toEqual([]);
  return { webhook: payload.webhook!, secret: payload.secret! };
}

async function note(token: string, ticketId: string, text: string): Promise<void> {
  await ok(srv, NOTE, { i: { ticketIds: [ticketId], note: text } }, token);
}

async function deliveries(token: string, id: string, first = 100): Promise<Delivery[]> {
  const data = await ok<{ node: { deliveries: { edges: Array<{ node: Delivery }> } } }>(srv, DELIVERIES, { id, first }, token);
  return data.node.deliveries.edges.map((e) => e.node);
}

beforeAll(async () => {
  srv = await startTestServer({
    WEBHOOK_ALLOW_PRIVATE: "true",
    WEBHOOK_RETRY_BASE_MS: "50",
    WEBHOOK_RETRY_MAX_MS: "200",
    WEBHOOK_POLL_MS: "100",
    WEBHOOK_TIMEOUT_MS: "500",
    WEBHOOK_LEASE_MS: "2000",
    WEBHOOK_ROTATION_OVERLAP_MS: "1500",
  });
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await srv?.close();
});

describe("deliveries", () => {
  it("sends each event once, in commit order, signed so that the documented check verifies it", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook, secret } = await created(admin.token, r.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhook).toMatchObject({
      url: r.url,
      events: ALL_EVENTS,
      enabled: true,
      disabledReason: null,
      lastDeliveredCursor: null,
      topics: [],
    });

    const ticket = await openTicket(srv, admin.token);
    await note(admin.token, ticket.id, "first");
    await note(admin.token, ticket.id, "second");
    await ok(srv, CLOSE, { i: { ticketIds: [ticket.id] } }, admin.token);
    await waitFor(() => r.received.length >= 4, "four deliveries");

    const got = r.received;
    expect(got.map((g) => g.json.type)).toEqual(["OPENED", "NOTE_ADDED", "NOTE_ADDED", "CLOSED"]);
    expect(got.map((g) => (g.json.data as { note: string | null }).note)).toEqual([null, "first", "second", null]);
    for (const g of got) {
      expect(verifies(secret, g)).toBe(true);
      expect(verifies("whsec_" + Buffer.alloc(32).toString("base64"), g)).toBe(false);
      expect(Math.abs(Number(g.timestamp) - Date.now() / 1000)).toBeLessThan(30);
      expect(g.id).toMatch(/^msg_[0-9a-f-]{36}$/);
      expect(g.json.cursor).toBe((g.json.data as { cursor: string }).cursor);
      // The API's view for an administrator: global ids, the ticket and its contact, never contact fields.
      expect(g.json.data).toMatchObject({ ticket: { id: ticket.id, contact: { id: ticket.contact.id } } });
      expect(JSON.stringify(g.json.data)).not.toContain('"fields"');
    }
    expect(new Set(got.map((g) => g.id)).size).toBe(4);
    const cursors = got.map((g) => g.json.cursor);
    expect([...cursors].sort(compareFeedCursors)).toEqual(cursors);
    expect(r.maxInFlight).toBe(1);

    // What the endpoint and its log say.
    await waitFor(async () => {
      const [listed] = (await ok<{ webhooks: Webhook[] }>(srv, LIST, {}, admin.token)).webhooks;
      return listed.lastDeliveredCursor === cursors[3];
    }, "lastDeliveredCursor");
    const log = await deliveries(admin.token, webhook.id);
    expect(log.map((d) => d.cursor)).toEqual([...cursors].reverse());
    expect(log.every((d) => d.attempt === 1 && d.statusCode === 204 && d.error === null && d.nextAttemptAt === null)).toBe(true);
    expect(log.every((d) => typeof d.durationMs === "number")).toBe(true);
  });

  it("sends only the event types and topics it was registered for, flow starts included", async () => {
    const admin = await srv.signUp();
    const billing = await createTopic(srv, admin.token, "Billing");
    const closedOnly = await receiver();
    const billingOnly = await receiver();
    const flows = await receiver();
    await created(admin.token, closedOnly.url, ["CLOSED"]);
    const topical = await created(admin.token, billingOnly.url, ALL_EVENTS, { topicIds: [billing] });
    expect(topical.webhook.topics).toEqual([{ id: billing }]);
    await created(admin.token, flows.url, ["FLOW_STARTED", "CLOSED"]);
    const flow = await ok<{ registerFlow: { flow: { id: string } } }>(
      srv,
      `mutation { registerFlow(input: { externalId: "survey", name: "Survey" }) { flow { id } } }`,
      {},
      admin.token,
    );
    await ok(
      srv,
      `mutation($f: ID!) { createTrigger(input: { type: TICKET_CLOSED, flowId: $f }) { trigger { id } } }`,
      { f: flow.registerFlow.flow.id },
      admin.token,
    );

    const general = await openTicket(srv, admin.token);
    const inBilling = await openTicket(srv, admin.token, { topicId: billing });
    await ok(srv, CLOSE, { i: { ticketIds: [general.id, inBilling.id] } }, admin.token);
    await waitFor(
      () => closedOnly.received.length >= 2 && billingOnly.received.length >= 3 && flows.received.length >= 4,
      "the filtered deliveries",
    ).catch(async (error: unknown) => {
      const rows = await srv.server.db.query(
        `SELECT url, events, position_tx, position_kind, position_seq, lease_owner, attempt, enabled FROM webhooks`,
      );
      throw new Error(
        `${String(error)}: ${[closedOnly, billingOnly, flows].map((r) => r.received.map((g) => g.json.type).join(",")).join(" | ")} ${JSON.stringify(rows)} ${srv.logs.slice(-5).join("\n")}`,
      );
    });

    expect(closedOnly.received.map((g) => g.json.type)).toEqual(["CLOSED", "CLOSED"]);
    expect(billingOnly.received.map((g) => [g.json.type, (g.json.data as { ticket: { id: string } }).ticket.id])).toEqual([
      ["OPENED", inBilling.id],
      ["CLOSED", inBilling.id],
      ["FLOW_STARTED", inBilling.id],
    ]);
    // Each close, then the flow start it caused (after the events of its transaction).
    const types = flows.received.map((g) => g.json.type);
    expect(types).toEqual(["CLOSED", "CLOSED", "FLOW_STARTED", "FLOW_STARTED"]);
    const started = flows.received.filter((g) => g.json.type === "FLOW_STARTED");
    expect(started.every((g) => g.json.cursor.endsWith(".flow"))).toBe(true);
    expect(started.map((g) => (g.json.data as { flow: { id: string } }).flow.id)).toEqual([
      flow.registerFlow.flow.id,
      flow.registerFlow.flow.id,
    ]);
    const cursors = flows.received.map((g) => g.json.cursor);
    expect([...cursors].sort(compareFeedCursors)).toEqual(cursors);
    // Nothing more arrives afterwards.
    await new Promise((r) => setTimeout(r, 300));
    expect(closedOnly.received).toHaveLength(2);
    expect(billingOnly.received).toHaveLength(3);
  });

  it("keeps the order through failures and timeouts: each item is retried until a 2xx, the next sent only after it", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    // The second item fails twice (a 500, then no answer within the timeout), then succeeds.
    let secondSeen = 0;
    r.behaviour = (got) => {
      const data = got.json.data as { note: string | null };
      if (data.note !== "two") return { status: 200 };
      secondSeen += 1;
      if (secondSeen === 1) return { status: 500, body: "try later" };
      if (secondSeen === 2) return { status: 200, delayMs: 1500 };
      return { status: 202 };
    };
    const { webhook } = await created(admin.token, r.url, ["NOTE_ADDED"]);
    const ticket = await openTicket(srv, admin.token);
    for (const text of ["one", "two", "three", "four"]) await note(admin.token, ticket.id, text);
    await waitFor(() => r.processed().length >= 4, "four processed deliveries", 30_000);

    const processed = r.processed();
    expect(processed.map((g) => (g.json.data as { note: string }).note)).toEqual(["one", "two", "three", "four"]);
    // Every attempt at "two" carried the same webhook-id, and nothing after it was sent before its 2xx.
    const attempts = r.received.filter((g) => (g.json.data as { note: string }).note === "two");
    expect(attempts.length).toBe(3);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    const firstThree = r.received.findIndex((g) => (g.json.data as { note: string }).note === "three");
    expect(firstThree).toBeGreaterThan(r.received.lastIndexOf(attempts[2]));
    expect(r.maxInFlight).toBe(1);

    const log = (await deliveries(admin.token, webhook.id)).reverse();
    const two = log.filter((d) => d.webhookMessageId === attempts[0].id);
    expect(two.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(two[0]).toMatchObject({ statusCode: 500, response: "try later", error: "HTTP 500" });
    expect(two[0].nextAttemptAt).not.toBeNull();
    expect(two[1]).toMatchObject({ statusCode: null, error: "no answer within 500 ms" });
    expect(two[2]).toMatchObject({ statusCode: 202, error: null, nextAttemptAt: null });
  });

  it("does not follow redirects, and reads a large answer only in part", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    let calls = 0;
    r.behaviour = () => (++calls === 1 ? { status: 302, body: "elsewhere" } : { status: 200, body: "x".repeat(200_000) });
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    await openTicket(srv, admin.token);
    await waitFor(() => r.processed().length === 1, "the retry after the redirect");
    const log = (await deliveries(admin.token, webhook.id)).reverse();
    expect(log[0]).toMatchObject({ statusCode: 302, error: "HTTP 302: redirects are not followed" });
    expect(log[1].statusCode).toBe(200);
    expect(log[1].response).toHaveLength(2048);
  });

  it("pings on testWebhook, outside the feed, and logs it", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook, secret } = await created(admin.token, r.url, ["OPENED"]);
    const res = await ok<{ testWebhook: Payload }>(srv, TEST, { id: webhook.id }, admin.token);
    expect(res.testWebhook.userErrors).toEqual([]);
    expect(r.received).toHaveLength(1);
    expect(r.received[0].json).toMatchObject({ type: "PING", data: { webhookId: webhook.id } });
    expect(r.received[0].id).toMatch(/^msg_ping_/);
    expect(verifies(secret, r.received[0])).toBe(true);
    const [logged] = await deliveries(admin.token, webhook.id);
    expect(logged).toMatchObject({ webhookMessageId: r.received[0].id, attempt: 1, statusCode: 204 });
    // The feed is untouched: the next event is still delivered.
    await openTicket(srv, admin.token);
    await waitFor(() => r.received.length === 2, "the event after the ping");
    expect(r.received[1].json.type).toBe("OPENED");
  });

  it("pages the delivery log newest first", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    for (let i = 0; i < 5; i++) await openTicket(srv, admin.token);
    await waitFor(() => r.received.length === 5, "five deliveries");
    await waitFor(async () => (await deliveries(admin.token, webhook.id)).length === 5, "five logged");
    const first = await ok<{
      node: { deliveries: { edges: Array<{ node: Delivery }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    }>(srv, DELIVERIES, { id: webhook.id, first: 3 }, admin.token);
    expect(first.node.deliveries.edges).toHaveLength(3);
    expect(first.node.deliveries.pageInfo.hasNextPage).toBe(true);
    const rest = await ok<{ node: { deliveries: { edges: Array<{ node: Delivery }>; pageInfo: { hasNextPage: boolean } } } }>(
      srv,
      DELIVERIES,
      { id: webhook.id, first: 3, after: first.node.deliveries.pageInfo.endCursor },
      admin.token,
    );
    expect(rest.node.deliveries.edges).toHaveLength(2);
    expect(rest.node.deliveries.pageInfo.hasNextPage).toBe(false);
    const all = [...first.node.deliveries.edges, ...rest.node.deliveries.edges].map((e) => e.node.cursor);
    expect([...all].sort(compareFeedCursors).reverse()).toEqual(all);
    const bad = await srv.gql(DELIVERIES, { id: webhook.id, first: 3, after: "bm90IGEgY3Vyc29y" }, admin.token);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});

describe("replay, pausing and secrets", () => {
  it("replays everything after a cursor, with the same webhook-ids, then goes on", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook } = await created(admin.token, r.url, ["OPENED", "NOTE_ADDED"]);
    const ticket = await openTicket(srv, admin.token);
    await note(admin.token, ticket.id, "a");
    await note(admin.token, ticket.id, "b");
    await waitFor(() => r.received.length === 3, "three deliveries");
    const firstRound = [...r.received];
    const replayed = await ok<{ replayWebhook: Payload }>(
      srv,
      REPLAY,
      { i: { id: webhook.id, after: firstRound[0].json.cursor } },
      admin.token,
    );
    expect(replayed.replayWebhook.userErrors).toEqual([]);
    await waitFor(() => r.received.length === 5, "the replay");
    expect(r.received.slice(3).map((g) => g.id)).toEqual(firstRound.slice(1).map((g) => g.id));
    // The event is the same; its ticket is shown as it is when the item is sent.
    const eventOf = (g: (typeof firstRound)[number]) => ({ ...g.json, data: { ...(g.json.data as object), ticket: undefined } });
    expect(r.received.slice(3).map(eventOf)).toEqual(firstRound.slice(1).map(eventOf));
    await note(admin.token, ticket.id, "c");
    await waitFor(() => r.received.length === 6, "the next event");
    expect((r.received[5].json.data as { note: string }).note).toBe("c");
    expect(r.deduplicated()).toHaveLength(4);

    // A list's eventCursor and a ticketEvents cursor are cursors too; anything else is refused, naming after.
    const bad = await srv.gql<{ replayWebhook: Payload }>(REPLAY, { i: { id: webhook.id, after: "12; DROP TABLE webhooks" } }, admin.token);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    const list = await ok<{ tickets: { eventCursor: string } }>(srv, `{ tickets(first: 1) { eventCursor } }`, {}, admin.token);
    const fromList = await ok<{ replayWebhook: Payload }>(
      srv,
      REPLAY,
      { i: { id: webhook.id, after: list.tickets.eventCursor } },
      admin.token,
    );
    expect(fromList.replayWebhook.userErrors).toEqual([]);
  });

  it("lets a replay made while an item is in flight win over that item's acknowledgement", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    await openTicket(srv, admin.token);
    await waitFor(() => r.received.length === 1, "the first item");
    const first = r.received[0];
    // The second item is answered slowly; the replay to before the first comes meanwhile.
    let replayed: Promise<unknown> | undefined;
    r.behaviour = (_got, index) => {
      if (index === 1) {
        replayed = ok(srv, REPLAY, { i: { id: webhook.id, after: `${BigInt(first.json.cursor.split(".")[0]) - 1n}.0` } }, admin.token);
        return { status: 200, delayMs: 300 };
      }
      return { status: 200 };
    };
    await openTicket(srv, admin.token);
    await waitFor(() => replayed !== undefined, "the second item");
    await replayed;
    // Both are sent again, in order, after the one in flight.
    await waitFor(() => r.received.length === 4, "the replayed items");
    expect(r.received.map((g) => g.id)).toEqual([first.id, r.received[1].id, first.id, r.received[1].id]);
  });

  it("pauses with enabled: false and resumes from where it stopped with enabled: true", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    const paused = await ok<{ updateWebhook: Payload }>(srv, UPDATE, { i: { id: webhook.id, enabled: false } }, admin.token);
    expect(paused.updateWebhook.webhook).toMatchObject({ enabled: false, disabledReason: null });
    await openTicket(srv, admin.token);
    await openTicket(srv, admin.token);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(r.received).toHaveLength(0);
    await ok(srv, UPDATE, { i: { id: webhook.id, enabled: true } }, admin.token);
    await waitFor(() => r.received.length === 2, "the events sent while paused");
  });

  it("signs with the old secret too for the overlap after a rotation, then with the new one only", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook, secret: old } = await created(admin.token, r.url, ["OPENED"]);
    const rotated = await ok<{ rotateWebhookSecret: Payload }>(srv, ROTATE, { id: webhook.id }, admin.token);
    const fresh = rotated.rotateWebhookSecret.secret!;
    expect(fresh).not.toBe(old);
    await openTicket(srv, admin.token);
    await waitFor(() => r.received.length === 1, "a delivery during the overlap");
    expect(r.received[0].signature.split(" ")).toHaveLength(2);
    expect(verifies(old, r.received[0]) && verifies(fresh, r.received[0])).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await openTicket(srv, admin.token);
    await waitFor(() => r.received.length === 2, "a delivery after the overlap");
    expect(r.received[1].signature.split(" ")).toHaveLength(1);
    expect(verifies(fresh, r.received[1])).toBe(true);
    expect(verifies(old, r.received[1])).toBe(false);
    // The secret is never shown again.
    const listed = await srv.gql(`{ webhooks { id secret } }`, {}, admin.token);
    expect(listed.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("keeps every rotated-out secret signing through its own overlap, a second rotation within the first's included", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    const { webhook, secret: s1 } = await created(admin.token, r.url, ["OPENED"]);
    const s2 = (await ok<{ rotateWebhookSecret: Payload }>(srv, ROTATE, { id: webhook.id }, admin.token)).rotateWebhookSecret.secret!;
    const s3 = (await ok<{ rotateWebhookSecret: Payload }>(srv, ROTATE, { id: webhook.id }, admin.token)).rotateWebhookSecret.secret!;
    await openTicket(srv, admin.token);
    await waitFor(() => r.received.length === 1, "a delivery after two rotations");
    expect(r.received[0].signature.split(" ")).toHaveLength(3);
    expect([s1, s2, s3].map((secret) => verifies(secret, r.received[0]))).toEqual([true, true, true]);
  });

  it("refuses a replay from past the newest event, which would skip every event to come", async () => {
    const admin = await srv.signUp();
    const { webhook } = await created(admin.token, "http://127.0.0.1:9/", ["OPENED"]);
    // A transaction left open pins the horizon at or below its id.
    const holder = new pg.Client({ connectionString: srv.databaseUrl });
    await holder.connect();
    await holder.query("BEGIN");
    const [{ xid }] = (await holder.query<{ xid: string }>(`SELECT pg_current_xact_id()::text AS xid`)).rows;
    const [{ xmin }] = await srv.server.db.query<Array<{ xmin: string }>>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
    // The horizon itself, as a list's eventCursor gives it, skips nothing; within or past it, it would.
    const atHorizon = await ok<{ replayWebhook: Payload }>(srv, REPLAY, { i: { id: webhook.id, after: `${xmin}.0` } }, admin.token);
    expect(atHorizon.replayWebhook.userErrors).toEqual([]);
    // Inside the open transaction: its events, committed later, would be skipped.
    const inside = [`${xid}.5`, `${xid}.0.flow`, `${BigInt(xid) + 1n}.0`];
    for (const after of [...inside, "9223372036854775807.0", "9223372036854775807.5.flow", "99999999999.0"]) {
      const res = await srv.gql(REPLAY, { i: { id: webhook.id, after } }, admin.token);
      expect([after, res.errors?.[0].extensions]).toEqual([after, expect.objectContaining({ code: "BAD_USER_INPUT", field: "after" })]);
    }
    await holder.query("ROLLBACK");
    await holder.end();
  });

  it("applies a change of topics from the next item: only the one in flight goes out under the old filter", async () => {
    const admin = await srv.signUp();
    const billing = await createTopic(srv, admin.token, "Billing");
    const r = await receiver();
    r.behaviour = () => ({ status: 200, delayMs: 100 });
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    await ok(srv, UPDATE, { i: { id: webhook.id, enabled: false } }, admin.token);
    for (let i = 0; i < 6; i++) await openTicket(srv, admin.token);
    const inBilling = await openTicket(srv, admin.token, { topicId: billing });
    await ok(srv, UPDATE, { i: { id: webhook.id, enabled: true } }, admin.token);
    await waitFor(() => r.received.length >= 1, "the first item");
    await ok(srv, UPDATE, { i: { id: webhook.id, topicIds: [billing] } }, admin.token);
    await waitFor(
      () => r.received.some((g) => (g.json.data as { ticket: { id: string } }).ticket.id === inBilling.id),
      "the Billing ticket",
    );
    // The first, the one in flight when the change was made, then Billing's only.
    expect(r.received.length).toBeLessThanOrEqual(3);
  });

  it("changes and deletes an endpoint; its log goes with it", async () => {
    const admin = await srv.signUp();
    const [a, b] = [await receiver(), await receiver()];
    const { webhook } = await created(admin.token, a.url, ["OPENED"]);
    const changed = await ok<{ updateWebhook: Payload }>(
      srv,
      UPDATE,
      { i: { id: webhook.id, url: b.url, events: ["OPENED", "CLOSED"] } },
      admin.token,
    );
    expect(changed.updateWebhook.webhook).toMatchObject({ url: b.url, events: ["OPENED", "CLOSED"] });
    await openTicket(srv, admin.token);
    await waitFor(() => b.received.length === 1, "a delivery to the new url");
    expect(a.received).toHaveLength(0);
    const deleted = await ok<{ deleteWebhook: { deletedId: string } }>(srv, DELETE, { i: { id: webhook.id } }, admin.token);
    expect(deleted.deleteWebhook.deletedId).toBe(webhook.id);
    const [{ n }] = await srv.server.db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1`,
      [uuid(webhook.id)],
    );
    expect(n).toBe(0);
    await openTicket(srv, admin.token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.received).toHaveLength(1);
    const again = await ok<{ deleteWebhook: { deletedId: string | null; userErrors: Array<{ code: string }> } }>(
      srv,
      DELETE,
      { i: { id: webhook.id } },
      admin.token,
    );
    expect(again.deleteWebhook).toMatchObject({ deletedId: null, userErrors: [{ code: "NOT_FOUND" }] });
  });
});

describe("giving up", () => {
  let quick: TestServer;
  beforeAll(async () => {
    quick = await startTestServer({
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_RETRY_BASE_MS: "40",
      WEBHOOK_RETRY_MAX_MS: "80",
      WEBHOOK_GIVE_UP_MS: "600",
      WEBHOOK_POLL_MS: "50",
    });
  });
  afterAll(() => quick?.close());

  it("disables an endpoint whose item fails past the give-up time, with a reason; replay resumes it", async () => {
    const admin = await quick.signUp();
    const r = await receiver();
    r.behaviour = () => ({ status: 503 });
    const made = await ok<{ createWebhook: Payload }>(quick, CREATE, { i: { url: r.url, events: ["OPENED"] } }, admin.token);
    const id = made.createWebhook.webhook!.id;
    await openTicket(quick, admin.token);
    await openTicket(quick, admin.token);
    const read = async () => (await ok<{ webhooks: Webhook[] }>(quick, LIST, {}, admin.token)).webhooks[0];
    await waitFor(async () => !(await read()).enabled, "the endpoint to be disabled", 20_000);
    const disabled = await read();
    expect(disabled.disabledReason).toMatch(
      /^Deliveries failed for 0\.6 seconds \(\d+ attempts at \d+\.\d+; the last: HTTP 503\)\. Replay it to resume\.$/,
    );
    // Exponential: several attempts, with growing gaps, all at the first item.
    expect(r.received.length).toBeGreaterThanOrEqual(3);
    expect(new Set(r.received.map((g) => g.id)).size).toBe(1);
    const gaps = r.received.slice(1).map((g, i) => g.at - r.received[i].at);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(20);
    const count = r.received.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(count);

    r.behaviour = () => ({ status: 200 });
    const replayed = await ok<{ replayWebhook: Payload }>(quick, REPLAY, { i: { id } }, admin.token);
    expect(replayed.replayWebhook.webhook).toMatchObject({ enabled: true, disabledReason: null });
    await waitFor(() => r.processed().length === 2, "both events after the replay");
    expect(r.processed().map((g) => g.json.type)).toEqual(["OPENED", "OPENED"]);
  });

  it("backs off exponentially, with jitter between half and all of the step, capped", () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(30, 1000, 60_000, () => 0.5)).toBe(45_000);
    expect(backoffMs(500, 5000, 3_600_000, () => 1)).toBe(3_600_000);
  });
});

describe("checks", () => {
  it("refuses a url that is not http(s), too long, or unparseable, naming the field", async () => {
    const admin = await srv.signUp();
    for (const url of [
      "ftp://example.com/",
      "not a url",
      "javascript:alert(1)",
      `https://example.com/${"a".repeat(2100)}`,
      "https://example.com/#x",
      "https://93.184.215.14/#",
    ]) {
      const res = await srv.gql(CREATE, { i: { url, events: ["OPENED"] } }, admin.token);
      expect([url.slice(0, 30), res.errors?.[0].extensions]).toEqual([
        url.slice(0, 30),
        expect.objectContaining({ code: "BAD_USER_INPUT", field: expect.stringMatching(/url/) }),
      ]);
    }
    const empty = await srv.gql(CREATE, { i: { url: "https://example.com/", events: [] } }, admin.token);
    expect(empty.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect((await ok<{ webhooks: Webhook[] }>(srv, LIST, {}, admin.token)).webhooks).toEqual([]);
  });

  it("answers NOT_FOUND for a topic that is not the workspace's, and changes nothing", async () => {
    const admin = await srv.signUp();
    const other = await srv.signUp();
    const foreign = await createTopic(srv, other.token, "Theirs");
    const res = await create(admin.token, { url: "https://example.com/", events: ["OPENED"], topicIds: [foreign] });
    expect(res).toMatchObject({ webhook: null, secret: null, userErrors: [{ code: "NOT_FOUND", field: ["topicIds", "0"] }] });
    expect((await ok<{ webhooks: Webhook[] }>(srv, LIST, {}, admin.token)).webhooks).toEqual([]);
  });

  it("allows 20 endpoints per workspace", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    for (let i = 0; i < 20; i++) await created(admin.token, `${r.url}?n=${i}`, ["OPENED"]);
    const refused = await create(admin.token, { url: r.url, events: ["OPENED"] });
    expect(refused).toMatchObject({ webhook: null, userErrors: [{ code: "LIMIT_REACHED" }] });
    expect((await ok<{ webhooks: Webhook[] }>(srv, LIST, {}, admin.token)).webhooks).toHaveLength(20);
  });

  it("lets only administrators see and manage webhooks, and only their workspace's", async () => {
    const admin = await srv.signUp();
    const [editor, agent] = await Promise.all([addMember(srv, admin.workspaceId, "EDITOR"), addMember(srv, admin.workspaceId, "AGENT")]);
    const other: SignedUp = await srv.signUp();
    const r = await receiver();
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    for (const member of [editor, agent]) {
      const listed = await srv.gql(LIST, {}, member.token);
      expect(listed.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      const made = await srv.gql(CREATE, { i: { url: r.url, events: ["OPENED"] } }, member.token);
      expect(made.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      const node = await srv.gql<{ node: null }>(`query($id: ID!) { node(id: $id) { id } }`, { id: webhook.id }, member.token);
      expect(node.data?.node).toBeNull();
      expect(node.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    }
    // Another workspace's administrator: the id does not exist for them.
    for (const [query, variables] of [
      [UPDATE, { i: { id: webhook.id, enabled: false } }],
      [REPLAY, { i: { id: webhook.id } }],
      [DELETE, { i: { id: webhook.id } }],
      [ROTATE, { id: webhook.id }],
      [TEST, { id: webhook.id }],
    ] as const) {
      const data = await ok<Record<string, { userErrors: Array<{ code: string }> }>>(srv, query, variables, other.token);
      expect(Object.values(data)[0].userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND" })]);
    }
    expect((await ok<{ webhooks: Webhook[] }>(srv, LIST, {}, other.token)).webhooks).toEqual([]);
    const [listed] = (await ok<{ webhooks: Webhook[] }>(srv, LIST, {}, admin.token)).webhooks;
    expect(listed).toMatchObject({ id: webhook.id, enabled: true });
    expect(r.received).toHaveLength(0);
  });

  it("shows deliveries and lag in /metrics", async () => {
    const admin = await srv.signUp();
    const r = await receiver();
    r.behaviour = () => ({ status: 500 });
    const { webhook } = await created(admin.token, r.url, ["OPENED"]);
    await openTicket(srv, admin.token);
    await waitFor(() => r.received.length >= 1, "a failed attempt");
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/handover_webhook_deliveries_total\{result="failed"\} [1-9]/);
    expect(text).toContain(`handover_webhook_lag_events{webhook="${webhook.id}"} 1`);
    expect(text).toMatch(new RegExp(`handover_webhook_lag_seconds\\{webhook="${webhook.id}"\\} [0-9.]+`));
    expect(text).toMatch(/handover_webhooks_behind [1-9]/);
  });
});

describe("metrics at scale", () => {
  it("reports the 100 endpoints furthest behind one by one and counts them all", async () => {
    const r = await receiver();
    r.behaviour = () => ({ status: 500 });
    const made: Array<{ token: string; id: string }> = [];
    for (let w = 0; w < 6; w++) {
      const admin = await srv.signUp();
      for (let e = 0; e < (w < 5 ? 20 : 1); e++)
        made.push({ token: admin.token, id: (await created(admin.token, `${r.url}?e=${e}`, ["OPENED"])).webhook.id });
      await openTicket(srv, admin.token);
    }
    await waitFor(
      async () => /handover_webhooks_behind 10[1-9]/.test(await (await fetch(`${srv.url}/metrics`)).text()),
      "101 endpoints behind",
    );
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text.match(/^handover_webhook_lag_seconds\{/gm)).toHaveLength(100);
    expect(text.match(/^handover_webhook_lag_events\{/gm)).toHaveLength(100);
    for (const m of made) await ok(srv, DELETE, { i: { id: m.id } }, m.token);
  }, 180_000);
});

describe("addresses", () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({});
  });
  afterAll(() => strict?.close());

  it.each([
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://[::ffff:0:127.0.0.1]/",
    "http://[64:ff9b:1::a00:1]/",
    "http://[2001:0:4136:e378::1]/",
    "http://[3fff::1]/",
    "http://[5f00::1]/",
  ])("refuses %s without WEBHOOK_ALLOW_PRIVATE", async (url) => {
    const admin = await strict.signUp();
    const res = await strict.gql(CREATE, { i: { url, events: ["OPENED"] } }, admin.token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "url" });
    expect(res.errors?.[0].message).toMatch(/loopback, private or reserved/);
  });

  it("tells public addresses from the others, IPv4 inside IPv6 included", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
      expect([address, isPublicAddress(address)]).toEqual([address, true]);
    for (const address of [
      "127.0.0.1",
      "10.0.0.1",
      "100.64.0.1",
      "169.254.1.1",
      "172.31.255.255",
      "192.168.0.1",
      "198.18.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "0.0.0.0",
      "::",
      "::1",
      "fe80::1",
      "fc00::1",
      "ff02::1",
      "::ffff:10.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::a00:1",
      "2002:c0a8:101::1",
      "::ffff:0:7f00:1",
      "64:ff9b:1::a00:1",
      "2001:0:4136:e378::1",
      "2001:2::1",
      "3fff::1",
      "5f00::1",
      "::ffff:0:0:a00:1",
      "not an address",
    ]) {
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
    }
  });
});
