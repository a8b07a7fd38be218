/**
 * The inbox's page statement is planned once per connection, not at every request: after the
 * executions PostgreSQL plans for their values (five), it keeps a generic plan. A LIMIT bound as
 * a parameter prevented that (the generic plan was costed for a tenth of the folder's rows and
 * never chosen), which cost the database as much CPU again as running the statement.
 *
 * The server runs with one connection, so that its prepared statements can be read from that
 * connection's own session (pg_prepared_statements shows a session only its own).
 */
import pg from "pg";
import { inboxQuery } from "../../bench/queries";
import { seedBulk } from "../../scripts/demo/bulk";
import { pageLimit } from "../../src/db/page-limit";
import { addMember, createTopic, ok, openTicket, updateMember, uuid } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

interface Prepared {
  statement: string;
  generic_plans: string;
  custom_plans: string;
}

describe("the inbox's statement plans", () => {
  let srv: TestServer;
  let admin: SignedUp;
  /** An agent whose team sees two of the three topics: their folders merge a page per topic. */
  let teamed: SignedUp;
  let billing: string;

  beforeAll(async () => {
    srv = await startTestServer({ DB_POOL_SIZE: "1" });
    admin = await srv.signUp();
    const agent = await addMember(srv, admin.workspaceId, "AGENT", "planner");
    for (let i = 0; i < 40; i++) await openTicket(srv, admin.token, i % 3 === 0 ? {} : { assigneeId: [admin, agent][i % 2].userId });
    billing = await createTopic(srv, admin.token, "Billing");
    const sales = await createTopic(srv, admin.token, "Sales");
    const team = await ok<{ createTeam: { team: { id: string } } }>(
      srv,
      `mutation($t: [ID!]!) { createTeam(input: { name: "Money", topicIds: $t }) { team { id } } }`,
      { t: [billing, sales] },
      admin.token,
    );
    teamed = await addMember(srv, admin.workspaceId, "AGENT", "teamed");
    await updateMember(srv, admin.token, teamed.userId, { teamId: team.createTeam.team.id });
    // Folders of thousands of tickets, as the plans are costed for a workspace in use: with a few
    // dozen, any plan is cheap and the generic one wins whatever the statement.
    const db = new pg.Client({ connectionString: srv.databaseUrl });
    await db.connect();
    try {
      const topics = (await db.query<{ id: string }>(`SELECT id FROM topics WHERE workspace_id = $1`, [uuid(admin.workspaceId)])).rows;
      const members = [uuid(admin.userId), uuid(agent.userId)];
      const flow = crypto.randomUUID();
      await db.query(`INSERT INTO flows (id, workspace_id, name, external_id) VALUES ($1, $2, 'Support bot', 'support-bot')`, [
        flow,
        uuid(admin.workspaceId),
      ]);
      await seedBulk(
        db,
        {
          workspaceId: uuid(admin.workspaceId),
          topics: topics.map((t) => t.id),
          canSee: topics.map(() => members),
          adminId: members[0],
          supportBotId: flow,
          until: Date.now() - 86_400_000,
        },
        { tickets: 6000, contacts: 3000, batch: 3000, quiet: true },
      );
      await db.query("ANALYZE");
    } finally {
      await db.end();
    }
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("keeps a generic plan for every folder, page size and next page, once each ran more than five times", async () => {
    // `next: false`: a next page of one topic's closed tickets is planned for its cursor when
    // PostgreSQL costs that lower (here it does, from the cursor's place in the topic): its choice
    // between two plans it has, not a plan it cannot make.
    const variants: Array<{ token: string; filter: Record<string, unknown>; first: number; next?: false }> = [
      { token: admin.token, filter: { folder: "ALL", status: "OPEN" }, first: 25 },
      { token: admin.token, filter: { folder: "MINE", status: "OPEN" }, first: 5 },
      { token: admin.token, filter: { folder: "UNASSIGNED", status: null }, first: 10 },
      { token: admin.token, filter: { folder: "ALL", status: null }, first: 3 },
      { token: admin.token, filter: { folder: "ALL", status: "CLOSED", topicId: billing }, first: 25, next: false },
      { token: teamed.token, filter: { folder: "ALL", status: "OPEN" }, first: 25 },
      { token: teamed.token, filter: { folder: "UNASSIGNED", status: null }, first: 10 },
    ];
    for (let run = 0; run < 7; run++) {
      for (const { token, next, ...variant } of variants) {
        await ok(srv, inboxQuery(true), variant, token);
        const page = await ok<{ tickets: { pageInfo: { endCursor: string; hasNextPage: boolean } } }>(
          srv,
          inboxQuery(false),
          variant,
          token,
        );
        expect({ variant, hasNextPage: page.tickets.pageInfo.hasNextPage }).toEqual({ variant, hasNextPage: true });
        if (next !== false) await ok(srv, inboxQuery(false), { ...variant, after: page.tickets.pageInfo.endCursor }, token);
      }
    }
    const prepared = await srv.server.db.query<Prepared[]>(
      `SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE statement LIKE '%pg_current_snapshot() AS snap%'`,
    );
    const ran = prepared.filter((p) => Number(p.generic_plans) + Number(p.custom_plans) > 5);
    // Each variant, with and without totalCount, and its next page: distinct statements.
    expect(ran.length).toBeGreaterThanOrEqual(variants.length * 3 - variants.filter((v) => v.next === false).length);
    // Planned for their values five times at most (PostgreSQL's trial), then the generic plan.
    const replanned = ran
      .filter((p) => Number(p.custom_plans) > 5)
      .map(
        (p) =>
          `${p.custom_plans} custom plans: ${p.statement.slice(p.statement.indexOf("FROM s LEFT JOIN"), p.statement.indexOf("FROM s LEFT JOIN") + 300)}`,
      );
    expect(replanned).toEqual([]);
  });
});

describe("pageLimit", () => {
  it("reads one row past the page, rounded up to a few sizes whatever the page size asked", () => {
    expect(pageLimit(25)).toBe("26");
    expect(pageLimit(1)).toBe("2");
    expect(pageLimit(10)).toBe("11");
    expect(pageLimit(100)).toBe("101");
    expect(pageLimit(12)).toBe("21");
    for (let first = 1; first <= 100; first++) expect(Number(pageLimit(first))).toBeGreaterThan(first);
    expect(new Set(Array.from({ length: 100 }, (_, i) => pageLimit(i + 1))).size).toBe(7);
    expect(pageLimit(500)).toBe("513");
    expect(pageLimit(512)).toBe("513");
    expect(pageLimit(513)).toBe("1025");
    for (const first of [2 ** 49 + 1, 2 ** 50 + 2, 2 ** 52 + 1]) expect(BigInt(pageLimit(first))).toBeGreaterThan(BigInt(first));
  });

  it("refuses what is not a page size", () => {
    for (const bad of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => pageLimit(bad)).toThrow(RangeError);
  });
});
