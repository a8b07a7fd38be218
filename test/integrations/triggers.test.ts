import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { ok, openTicket, team, uuid } from "../support/fixtures";
import { createTestDatabase, untilBlockedBy } from "../support/database";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const REGISTER = `mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { id externalId } } }`;
const TRIGGERS = `{ triggers { id type createdAt flow { id externalId } } }`;
const CREATE = `mutation($i: CreateTriggerInput!) { createTrigger(input: $i) {
  trigger { id type createdAt flow { id externalId } } userErrors { code field } } }`;
const DELETE = `mutation($i: DeleteTriggerInput!) { deleteTrigger(input: $i) { deletedId userErrors { code field } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id status } failures { ticketId code } } }`;
const STARTS = `query($after: String, $first: Int) { flowStarts(after: $after, first: $first) {
  id cursor createdAt flow { id externalId } contact { id } ticket { id status } trigger { id type } } }`;

interface TriggerResult {
  trigger: { id: string; type: string; createdAt: string; flow: { id: string; externalId: string } } | null;
  userErrors: Array<{ code: string; field: string[] | null }>;
}

interface Start {
  id: string;
  cursor: string;
  createdAt: string;
  flow: { id: string; externalId: string };
  contact: { id: string };
  ticket: { id: string; status: string } | null;
  trigger: { id: string; type: string } | null;
}

async function registerFlow(token: string, externalId: string): Promise<string> {
  const data = await ok<{ registerFlow: { flow: { id: string } } }>(
    srv,
    REGISTER,
    { i: { name: `Flow ${externalId}`, externalId } },
    token,
  );
  return data.registerFlow.flow.id;
}

async function createTrigger(token: string, input: Record<string, unknown>): Promise<TriggerResult> {
  return (await ok<{ createTrigger: TriggerResult }>(srv, CREATE, { i: { type: "TICKET_CLOSED", ...input } }, token)).createTrigger;
}

async function close(token: string, ticketIds: string[]): Promise<Array<{ id: string; status: string }>> {
  const data = await ok<{ closeTickets: { tickets: Array<{ id: string; status: string }>; failures: unknown[] } }>(
    srv,
    CLOSE,
    { i: { ticketIds } },
    token,
  );
  return data.closeTickets.tickets;
}

/** A flow start cursor "txId.seq" as a comparable pair. */
function cursorKey(cursor: string): [bigint, bigint] {
  const match = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!match) throw new Error(`not a cursor: ${cursor}`);
  return [BigInt(match[1]), BigInt(match[2])];
}

function expectIncreasing(starts: Start[]): void {
  for (let i = 1; i < starts.length; i++) {
    const [a, b] = [cursorKey(starts[i - 1].cursor), cursorKey(starts[i].cursor)];
    if (!(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]))) {
      throw new Error(`cursor ${starts[i].cursor} at ${i} does not follow ${starts[i - 1].cursor}`);
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls flowStarts from `after`, page by page, until `done` holds for what was collected.
 * A start becomes readable once every older transaction of the PostgreSQL cluster has ended, so
 * a poll may come back empty for a moment; no assertion depends on how long that takes.
 */
async function readUntil(
  gql: (after: string | null, first: number) => Promise<Start[]>,
  done: (starts: Start[]) => boolean,
  opts: { after?: string | null; first?: number } = {},
): Promise<Start[]> {
  const starts: Start[] = [];
  let after = opts.after ?? null;
  const first = opts.first ?? 100;
  for (;;) {
    const page = await gql(after, first);
    starts.push(...page);
    if (page.length > 0) after = page[page.length - 1].cursor;
    if (page.length === first) continue;
    if (done(starts)) return starts;
    await pause(5);
  }
}

const feed = (token: string) => async (after: string | null, first: number) =>
  (await ok<{ flowStarts: Start[] }>(srv, STARTS, { after, first }, token)).flowStarts;

/** Reads every start until the one of `ticketId`: by commit order, all that committed before it are read too. */
function readThrough(token: string, ticketId: string, opts: { after?: string | null; first?: number } = {}): Promise<Start[]> {
  return readUntil(feed(token), (starts) => starts.some((s) => s.ticket?.id === ticketId), opts);
}

describe("triggers", () => {
  it("administrators and editors manage them; agents are FORBIDDEN, and anonymous clients UNAUTHENTICATED", async () => {
    const { admin, editor, agent } = await team(srv);
    const flowId = await registerFlow(admin.token, "survey");
    const created = await createTrigger(editor.token, { flowId });
    expect(created).toEqual({
      trigger: { id: expect.any(String), type: "TICKET_CLOSED", createdAt: expect.any(String), flow: { id: flowId, externalId: "survey" } },
      userErrors: [],
    });
    const triggerId = created.trigger!.id;
    expect((await ok<{ triggers: unknown[] }>(srv, TRIGGERS, {}, admin.token)).triggers).toEqual([created.trigger]);
    const node = await ok<{ node: unknown }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Trigger { id type } } }`,
      { id: triggerId },
      admin.token,
    );
    expect(node.node).toEqual({ id: triggerId, type: "TICKET_CLOSED" });

    for (const [query, variables] of [
      [TRIGGERS, {}],
      [CREATE, { i: { type: "TICKET_CLOSED", flowId } }],
      [DELETE, { i: { id: triggerId } }],
      [STARTS, {}],
    ] as const) {
      const denied = await srv.gql(query, variables, agent.token);
      expect(denied.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
      const anonymous = await srv.gql(query, variables);
      expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    }
    const agentNode = await srv.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: triggerId }, agent.token);
    expect(agentNode.data?.node).toBeNull();
    expect(agentNode.errors?.[0].extensions?.code).toBe("NOT_FOUND");

    const deleted = await ok<{ deleteTrigger: unknown }>(srv, DELETE, { i: { id: triggerId } }, admin.token);
    expect(deleted.deleteTrigger).toEqual({ deletedId: triggerId, userErrors: [] });
    expect((await ok<{ triggers: unknown[] }>(srv, TRIGGERS, {}, editor.token)).triggers).toEqual([]);
    const again = await ok<{ deleteTrigger: unknown }>(srv, DELETE, { i: { id: triggerId } }, admin.token);
    expect(again.deleteTrigger).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND", field: ["id"] }] });
  });

  it("takes exactly one of flowId and flowExternalId, of a registered flow of the workspace", async () => {
    const { admin } = await team(srv);
    const flowId = await registerFlow(admin.token, "followup");
    for (const input of [{}, { flowId, flowExternalId: "followup" }, { flowId: null, flowExternalId: null }]) {
      const res = await srv.gql(CREATE, { i: { type: "TICKET_CLOSED", ...input } }, admin.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "flowId", fieldPath: ["flowId"] });
    }
    for (const [input, field] of [
      [{ flowId: "nope" }, "flowId"],
      [{ flowId: Buffer.from(`Topic:${uuid(flowId)}`).toString("base64") }, "flowId"],
      [{ flowExternalId: "" }, "flowExternalId"],
      [{ flowExternalId: "x".repeat(256) }, "flowExternalId"],
    ] as const) {
      const res = await srv.gql(CREATE, { i: { type: "TICKET_CLOSED", ...input } }, admin.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field, fieldPath: field.split(".") });
    }
    const badType = await srv.gql(CREATE, { i: { type: "TICKET_OPENED", flowId } }, admin.token);
    expect(badType.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");

    expect(await createTrigger(admin.token, { flowExternalId: "not-registered" })).toEqual({
      trigger: null,
      userErrors: [{ code: "NOT_FOUND", field: ["flowExternalId"] }],
    });
    const stranger = (await team(srv)).admin;
    const foreignFlow = await registerFlow(stranger.token, "followup");
    expect(await createTrigger(admin.token, { flowId: foreignFlow })).toEqual({
      trigger: null,
      userErrors: [{ code: "NOT_FOUND", field: ["flowId"] }],
    });
    expect((await ok<{ triggers: unknown[] }>(srv, TRIGGERS, {}, admin.token)).triggers).toEqual([]);

    const byExternalId = await createTrigger(admin.token, { flowExternalId: "followup" });
    expect(byExternalId.trigger?.flow).toEqual({ id: flowId, externalId: "followup" });
    // Another workspace's trigger is NOT_FOUND, to delete and to node.
    const foreignDelete = await ok<{ deleteTrigger: unknown }>(srv, DELETE, { i: { id: byExternalId.trigger!.id } }, stranger.token);
    expect(foreignDelete.deleteTrigger).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND", field: ["id"] }] });
    const foreignNode = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: byExternalId.trigger!.id }, stranger.token);
    expect(foreignNode.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });

  it("allows one TICKET_CLOSED trigger per workspace, also when creates race", async () => {
    const { admin, editor } = await team(srv);
    const flows = await Promise.all(["a", "b", "c"].map((x) => registerFlow(admin.token, `race-${x}`)));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createTrigger(i % 2 ? admin.token : editor.token, { flowId: flows[i % flows.length] })),
    );
    const made = results.filter((r) => r.trigger !== null);
    expect(made).toHaveLength(1);
    expect(results.filter((r) => r.userErrors[0]?.code === "ALREADY_EXISTS" && r.userErrors[0]?.field?.[0] === "type")).toHaveLength(7);
    expect((await ok<{ triggers: unknown[] }>(srv, TRIGGERS, {}, admin.token)).triggers).toEqual([made[0].trigger]);

    // Once deleted, another may be created.
    await ok(srv, DELETE, { i: { id: made[0].trigger!.id } }, admin.token);
    expect((await createTrigger(admin.token, { flowId: flows[2] })).trigger?.flow.id).toBe(flows[2]);
  });
});

describe("flow starts", () => {
  async function workspaceWithTrigger(
    externalId = "after-close",
  ): Promise<{ admin: SignedUp; agent: SignedUp; flowId: string; triggerId: string }> {
    const { admin, agent } = await team(srv);
    const flowId = await registerFlow(admin.token, externalId);
    const triggerId = (await createTrigger(admin.token, { flowId })).trigger!.id;
    return { admin, agent, flowId, triggerId };
  }

  it("closing N tickets in one call makes exactly N starts, one per ticket, with its flow, contact, ticket and trigger", async () => {
    const { admin, agent, flowId, triggerId } = await workspaceWithTrigger();
    const tickets = await Promise.all(Array.from({ length: 5 }, () => openTicket(srv, admin.token)));
    const already = tickets[4];
    await close(admin.token, [already.id]);
    const ids = tickets.map((t) => t.id);
    // Closed by an agent, in one call, with a duplicate and an already closed ticket among them.
    const closed = await close(agent.token, [ids[2], ids[0], ids[2], already.id, ids[3], ids[1]]);
    expect(closed.map((t) => t.id)).toEqual([ids[2], ids[0], ids[3], ids[1]]);

    const sentinel = await openTicket(srv, admin.token);
    await close(admin.token, [sentinel.id]);
    const starts = await readThrough(admin.token, sentinel.id);
    expectIncreasing(starts);
    expect(starts.map((s) => s.ticket?.id)).toEqual([already.id, ids[2], ids[0], ids[3], ids[1], sentinel.id]);
    const byTicket = new Map(tickets.map((t) => [t.id, t]));
    for (const start of starts.slice(0, 5)) {
      const ticket = byTicket.get(start.ticket!.id)!;
      expect(start).toEqual({
        id: expect.any(String),
        cursor: expect.stringMatching(/^\d+\.\d+$/),
        createdAt: expect.any(String),
        flow: { id: flowId, externalId: "after-close" },
        contact: { id: ticket.contact.id },
        ticket: { id: ticket.id, status: "CLOSED" },
        trigger: { id: triggerId, type: "TICKET_CLOSED" },
      });
    }
    expect(new Set(starts.map((s) => s.id)).size).toBe(starts.length);
    const node = await ok<{ node: unknown }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on FlowStart { id cursor } } }`,
      { id: starts[0].id },
      admin.token,
    );
    expect(node.node).toEqual({ id: starts[0].id, cursor: starts[0].cursor });
    const agentNode = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: starts[0].id }, agent.token);
    expect(agentNode.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    // Nothing else was written: one row per closed ticket.
    const rows = await srv.server.db.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM flow_starts WHERE workspace_id = $1`, [
      uuid(admin.workspaceId),
    ]);
    expect(Number(rows[0].n)).toBe(6);
  });

  it("without a trigger a close starts nothing; a deleted trigger leaves its starts with a null trigger", async () => {
    const { admin } = await team(srv);
    const flowId = await registerFlow(admin.token, "later");
    const early = await openTicket(srv, admin.token);
    await close(admin.token, [early.id]);

    const triggerId = (await createTrigger(admin.token, { flowId })).trigger!.id;
    const fired = await openTicket(srv, admin.token);
    await close(admin.token, [fired.id]);
    const firstRead = await readThrough(admin.token, fired.id);
    expect(firstRead.map((s) => [s.ticket?.id, s.trigger?.id])).toEqual([[fired.id, triggerId]]);

    await ok(srv, DELETE, { i: { id: triggerId } }, admin.token);
    const unfired = await openTicket(srv, admin.token);
    await close(admin.token, [unfired.id]);
    // A new trigger marks the end: what the feed holds up to its start is all there is.
    await createTrigger(admin.token, { flowId });
    const sentinel = await openTicket(srv, admin.token);
    await close(admin.token, [sentinel.id]);
    const all = await readThrough(admin.token, sentinel.id);
    expect(all.map((s) => s.ticket?.id)).toEqual([fired.id, sentinel.id]);
    expect(all[0].trigger).toBeNull();
    expect(all[0].flow.id).toBe(flowId);
  });

  it.each([
    ["its event is written", "ticket_events", "AFTER INSERT ON ticket_events FOR EACH ROW"],
    ["its flow starts are written, at commit", "flow_starts", "AFTER INSERT ON flow_starts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"],
  ])("a close that fails after %s rolls back: no flow start exists", async (_when, table, timing) => {
    const { admin } = await workspaceWithTrigger();
    const tickets = await Promise.all(Array.from({ length: 3 }, () => openTicket(srv, admin.token)));
    const doomed = uuid(tickets[1].id);
    const name = `fail_${doomed.replace(/-/g, "")}`;
    // A database trigger that fails the transaction for one ticket of the call.
    await srv.server.db.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$`,
    );
    await srv.server.db.query(
      `CREATE ${table === "flow_starts" ? "CONSTRAINT " : ""}TRIGGER ${name} ${timing}
       WHEN (NEW.ticket_id = '${doomed}'::uuid) EXECUTE FUNCTION ${name}()`,
    );
    try {
      const res = await srv.gql<{ closeTickets: unknown }>(CLOSE, { i: { ticketIds: tickets.map((t) => t.id) } }, admin.token);
      expect(res.data?.closeTickets ?? null).toBeNull();
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["INTERNAL_SERVER_ERROR"]);
    } finally {
      await srv.server.db.query(`DROP TRIGGER ${name} ON ${table}`);
      await srv.server.db.query(`DROP FUNCTION ${name}()`);
    }
    const stored = await srv.server.db.query(`SELECT id FROM flow_starts WHERE workspace_id = $1`, [uuid(admin.workspaceId)]);
    expect(stored).toEqual([]);
    const statuses = await ok<{ nodes: Array<{ status: string }> }>(
      srv,
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Ticket { status } } }`,
      { ids: tickets.map((t) => t.id) },
      admin.token,
    );
    expect(statuses.nodes.map((t) => t.status)).toEqual(["OPEN", "OPEN", "OPEN"]);

    // Once the failure is gone the same close goes through, and the feed holds exactly its starts.
    await close(
      admin.token,
      tickets.map((t) => t.id),
    );
    const starts = await readUntil(feed(admin.token), (s) => s.length >= 3);
    expect(starts.map((s) => s.ticket?.id)).toEqual(tickets.map((t) => t.id));
  });

  it("are read in cursor order, and paging with after returns each exactly once, also when closes race", async () => {
    const { admin, agent } = await workspaceWithTrigger();
    const tickets = await Promise.all(Array.from({ length: 12 }, () => openTicket(srv, admin.token)));
    const ids = tickets.map((t) => t.id);
    // Sequential calls, then concurrent ones from two members.
    await close(admin.token, ids.slice(0, 2));
    await close(agent.token, [ids[2]]);
    await Promise.all([
      close(admin.token, ids.slice(3, 6)),
      close(agent.token, ids.slice(6, 8)),
      close(admin.token, [ids[8]]),
      close(agent.token, ids.slice(9, 11)),
    ]);
    await close(admin.token, [ids[11]]);

    const whole = await readThrough(admin.token, ids[11]);
    expectIncreasing(whole);
    expect(whole).toHaveLength(12);
    expect(new Set(whole.map((s) => s.ticket?.id))).toEqual(new Set(ids));
    expect(whole.slice(0, 3).map((s) => s.ticket?.id)).toEqual(ids.slice(0, 3));
    expect(whole[11].ticket?.id).toBe(ids[11]);

    // Page by page, resuming from each page's last cursor: the same starts, once each, in order.
    for (const first of [1, 2, 5]) {
      const paged: Start[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await feed(admin.token)(after, first);
        expect(page.length).toBeLessThanOrEqual(first);
        if (page.length === 0) break;
        paged.push(...page);
        after = page[page.length - 1].cursor;
      }
      expect(paged.map((s) => s.id)).toEqual(whole.map((s) => s.id));
    }
    // After the last cursor there is nothing, and from the middle the rest follows.
    expect(await feed(admin.token)(whole[11].cursor, 100)).toEqual([]);
    expect((await feed(admin.token)(whole[4].cursor, 100)).map((s) => s.id)).toEqual(whole.slice(5).map((s) => s.id));
  });

  it("a bad cursor is BAD_USER_INPUT on after; first must be 1 to 100", async () => {
    const { admin } = await team(srv);
    for (const after of [
      "abc",
      "1",
      "1.2.3",
      "-1.2",
      "1.2 ",
      "99999999999999999999.1",
      "1.99999999999999999999",
      "9223372036854775808.0",
    ]) {
      const res = await srv.gql(STARTS, { after }, admin.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "after", fieldPath: ["after"] });
    }
    for (const first of [0, -1, 101]) {
      const res = await srv.gql(STARTS, { first }, admin.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "first", fieldPath: ["first"] });
    }
    expect((await ok<{ flowStarts: unknown[] }>(srv, STARTS, { after: "1.0", first: 100 }, admin.token)).flowStarts).toEqual([]);
  });

  /**
   * KNOWN BUG in src/services/flow-starts.ts (owned elsewhere): the close reads the trigger without
   * locking it, so a deleteTrigger that commits between that read and the insert's foreign-key check
   * fails the whole close (23503, INTERNAL_SERVER_ERROR). Reading the trigger `FOR KEY SHARE OF tr`
   * makes the close wait for the delete and then start nothing. Drop `.failing` once fixed.
   */
  it("a close racing a deleteTrigger closes its tickets (and starts nothing once the trigger is gone)", async () => {
    const { admin, triggerId } = await workspaceWithTrigger();
    const ticket = await openTicket(srv, admin.token);
    const deleter = new pg.Client({ connectionString: srv.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query("BEGIN");
      await deleter.query(`DELETE FROM triggers WHERE workspace_id = $1 AND id = $2`, [uuid(admin.workspaceId), uuid(triggerId)]);
      const closing = srv.gql<{ closeTickets: { tickets: Array<{ id: string }> } | null }>(
        CLOSE,
        { i: { ticketIds: [ticket.id] } },
        admin.token,
      );
      // Wait (by state, not by time) until the close is blocked on the deleted trigger's row: only its flow start insert touches it.
      await untilBlockedBy(deleter);
      await deleter.query("COMMIT");
      const res = await closing;
      expect(res.errors).toBeUndefined();
      expect(res.data?.closeTickets?.tickets.map((t) => t.id)).toEqual([ticket.id]);
    } finally {
      await deleter.end();
    }
    expect(await srv.server.db.query(`SELECT id FROM flow_starts WHERE workspace_id = $1`, [uuid(admin.workspaceId)])).toEqual([]);
  });

  it("another workspace's starts are never listed", async () => {
    const mine = await workspaceWithTrigger("mine");
    const theirs = await workspaceWithTrigger("theirs");
    const [a, b] = await Promise.all([openTicket(srv, mine.admin.token), openTicket(srv, theirs.admin.token)]);
    await Promise.all([close(mine.admin.token, [a.id]), close(theirs.admin.token, [b.id])]);
    const [ours, their] = await Promise.all([readThrough(mine.admin.token, a.id), readThrough(theirs.admin.token, b.id)]);
    expect(ours.map((s) => s.ticket?.id)).toEqual([a.id]);
    expect(their.map((s) => s.ticket?.id)).toEqual([b.id]);
    const foreign = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: their[0].id }, mine.admin.token);
    expect(foreign.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});

describe("a server killed right after a close commits", () => {
  const root = path.resolve(__dirname, "..", "..");
  let child: ChildProcess | undefined;
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

  afterAll(async () => {
    child?.kill("SIGKILL");
    await database?.drop();
  });

  function start(databaseUrl: string): Promise<{ url: string; exited: Promise<NodeJS.Signals | number | null> }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      HANDOVER_ADMIN_EMAIL: "admin@example.com",
      HANDOVER_ADMIN_PASSWORD: "bootstrap-password",
    };
    const proc = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let out = "";
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on("exit", (code, signal) => resolve(signal ?? code)));
    return new Promise((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        const ready = /Handover is ready: (http:\/\/\S+)/.exec(out);
        if (ready) {
          proc.stdout?.off("data", onData);
          resolve({ url: ready[1].replace("localhost", "127.0.0.1"), exited });
        }
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
      exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
    });
  }

  async function call<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  }

  const logIn = async (url: string) =>
    (
      await call<{ logIn: { token: string } }>(url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
        i: { email: "admin@example.com", password: "bootstrap-password" },
      })
    ).logIn.token;

  it("still has the flow start after a restart, exactly once", async () => {
    database = await createTestDatabase("flowkill");
    const first = await start(database.url);
    const token = await logIn(first.url);
    await call(first.url, REGISTER, { i: { name: "Survey", externalId: "survey" } }, token);
    await call(first.url, CREATE, { i: { type: "TICKET_CLOSED", flowExternalId: "survey" } }, token);
    const open = async (url: string, t: string, urn: string) =>
      (
        await call<{ openTicket: { ticket: { id: string } } }>(
          url,
          `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
          { i: { contactUrn: urn } },
          t,
        )
      ).openTicket.ticket.id;
    const closed = await open(first.url, token, "tel:+250788100001");
    const later = await open(first.url, token, "tel:+250788100002");

    const res = await call<{ closeTickets: { tickets: Array<{ id: string }> } }>(first.url, CLOSE, { i: { ticketIds: [closed] } }, token);
    child?.kill("SIGKILL");
    expect(res.closeTickets.tickets.map((t) => t.id)).toEqual([closed]);
    expect(await first.exited).toBe("SIGKILL");

    const second = await start(database.url);
    const again = await logIn(second.url);
    // A close after the restart marks the end of the feed: everything committed before it is read.
    await call(second.url, CLOSE, { i: { ticketIds: [later] } }, again);
    const starts = await readUntil(
      async (after, n) => (await call<{ flowStarts: Start[] }>(second.url, STARTS, { after, first: n }, again)).flowStarts,
      (s) => s.some((x) => x.ticket?.id === later),
    );
    expect(starts.map((s) => s.ticket?.id)).toEqual([closed, later]);
    expect(starts[0].flow.externalId).toBe("survey");
    child?.kill("SIGTERM");
    await second.exited;
  }, 120_000);
});
