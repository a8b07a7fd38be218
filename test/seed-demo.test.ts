import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { createTestDatabase } from "./support/database";
import { startTestServer, type TestServer } from "./support/harness";

/** `npm run seed:demo` fills a workspace that the server then serves consistently. */
let srv: TestServer;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
afterAll(async () => {
  await srv?.close();
  await database?.drop();
});

it("seeds tickets in every state with consistent events and counts, ready to log in to", async () => {
  database = await createTestDatabase("seed");
  const output = execFileSync(
    process.execPath,
    ["-r", "@swc-node/register", "scripts/seed-demo.ts", "--tickets", "600", "--contacts", "200"],
    {
      cwd: path.resolve(__dirname, ".."),
      env: { ...process.env, DATABASE_URL: database.url },
      encoding: "utf8",
    },
  );
  expect(output).toContain('Workspace "Demo Helpdesk": 600 tickets, 200 contacts.');

  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM tickets) AS tickets,
              (SELECT count(*)::int FROM tickets WHERE status = 'OPEN') AS open,
              (SELECT count(*)::int FROM tickets WHERE assignee_id IS NULL) AS unassigned,
              (SELECT count(*)::int FROM (SELECT contact_id FROM tickets WHERE status = 'OPEN' GROUP BY 1 HAVING count(*) > 1) d) AS doubles,
              (SELECT count(*)::int FROM tickets t WHERE t.version <> (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id)) AS bad_versions,
              (SELECT sum(delta)::int FROM ticket_count_deltas) AS counted,
              (SELECT count(*)::int FROM ticket_events WHERE note IS NOT NULL) AS notes,
              (SELECT count(*)::int FROM messages WHERE direction = 'OUTGOING') AS replies`,
    );
    expect(rows[0]).toMatchObject({ tickets: 600, doubles: 0, bad_versions: 0, counted: 600 });
    for (const key of ["open", "unassigned", "notes", "replies"]) expect(rows[0][key]).toBeGreaterThan(0);
  } finally {
    await db.end();
  }

  srv = await startTestServer({ DATABASE_URL: database.url });
  const login = await srv.gql<{ logIn: { token: string } }>(
    `mutation { logIn(input: { email: "demo@example.com", password: "demo-password" }) { token } }`,
  );
  const inbox = await srv.gql<{ tickets: { totalCount: number; nodes: Array<{ contact: { urns: string[] } }> } }>(
    `{ tickets(first: 5) { totalCount nodes { contact { urns } } } }`,
    {},
    login.data?.logIn.token,
  );
  expect(inbox.errors).toBeUndefined();
  expect(inbox.data?.tickets.totalCount).toBeGreaterThan(0);
  expect(inbox.data?.tickets.nodes[0].contact.urns[0]).toMatch(/^tel:\+250/);
  const groups = await srv.gql<{ contactGroups: Array<{ name: string; count: number }> }>(
    `{ contactGroups { name count } }`,
    {},
    login.data?.logIn.token,
  );
  expect(groups.data?.contactGroups).toEqual([{ name: "Open Tickets", count: expect.any(Number) }]);
  expect(groups.data?.contactGroups[0].count).toBeGreaterThan(0);
}, 120_000);
