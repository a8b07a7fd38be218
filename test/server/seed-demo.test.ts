import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createTestDatabase } from "../support/database";
import { startTestServer, type TestServer } from "../support/harness";
import { spawnServer, type ServerProcess } from "../support/server-process";
import { checkApiInvariants, checkDatabaseInvariants, type Sql } from "../support/invariants";

/**
 * `npm run seed:demo` fills a workspace that tells the product's story, consistently: the
 * invariants every test checks hold, every feature is there, and every printed login works with
 * its role, a team agent seeing only their team's topics. Running it again changes nothing.
 */
const ROOT = path.resolve(__dirname, "..", "..");

function seed(env: Record<string, string>, args: string[] = []): string {
  return execFileSync(process.execPath, ["-r", "@swc-node/register", "scripts/seed-demo.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

interface PrintedLogin {
  email: string;
  password: string;
  role: string;
  team: string;
}

/** The rows of the printed table: login, password, role, team (topics), name. */
function printedLogins(output: string): PrintedLogin[] {
  const lines = output.split("\n");
  const header = lines.findIndex((l) => l.startsWith("login "));
  const rows: PrintedLogin[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim()) break;
    const [email, password, role, team] = line.split(/\s{2,}/);
    rows.push({ email, password, role, team });
  }
  return rows;
}

const STORY_TICKETS = 17;

let srv: TestServer | undefined;
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let db: pg.Client | undefined;
let mailDir: string | undefined;
afterAll(async () => {
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
  await db?.end();
  await srv?.close();
  await database?.drop();
});

describe("on PostgreSQL, with bulk volume", () => {
  let output: string;
  let sql: Sql;
  let token: (email: string) => Promise<string>;
  const gql = <T>(query: string, variables: Record<string, unknown>, bearer: string) => srv!.gql<T>(query, variables, bearer);
  async function ok<T>(query: string, variables: Record<string, unknown>, bearer: string): Promise<T> {
    const res = await gql<T>(query, variables, bearer);
    expect(res.errors).toBeUndefined();
    return res.data as T;
  }

  beforeAll(async () => {
    database = await createTestDatabase("seed");
    mailDir = mkdtempSync(path.join(tmpdir(), "handover-demo-mail-"));
    output = seed({ DATABASE_URL: database.url, DATA_DIR: mailDir }, ["--tickets", "600", "--contacts", "200"]);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    sql = async <T>(text: string, params?: unknown[]) => (await db!.query(text, params)).rows as T[];
    srv = await startTestServer({ DATABASE_URL: database.url, EXPORT_DIR: path.join(mailDir, "exports") });
    const tokens = new Map<string, string>();
    token = async (email) => {
      if (!tokens.has(email)) {
        const res = await srv!.gql<{ logIn: { token: string } }>(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
          i: { email, password: "demo-password" },
        });
        tokens.set(email, res.data!.logIn.token);
      }
      return tokens.get(email)!;
    };
  }, 180_000);

  it("keeps the invariants: exact counts, one open ticket per contact, versions and events, the log in order", async () => {
    expect(output).toContain(`Workspace "Demo Helpdesk": ${600 + STORY_TICKETS} tickets, `);
    const figures = await checkDatabaseInvariants(sql);
    expect(figures.tickets).toBe(600 + STORY_TICKETS);
    const [admin] = await sql<{ workspace_id: string; user_id: string }>(
      `SELECT m.workspace_id, m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'demo@example.com'`,
    );
    await checkApiInvariants(sql, gql, {
      workspaceUuid: admin.workspace_id,
      token: await token("demo@example.com"),
      userUuid: admin.user_id,
    });
    // Timestamps were moved to story time without breaking their order.
    const [order] = await sql<{ bad: number }>(
      `SELECT count(*)::int AS bad FROM tickets WHERE last_activity_at < opened_at OR closed_at < opened_at OR replied_at < opened_at
          OR last_activity_at > now()`,
    );
    expect(order.bad).toBe(0);
    const [events] = await sql<{ bad: number }>(
      `SELECT count(*)::int AS bad FROM ticket_events a JOIN ticket_events b ON a.ticket_id = b.ticket_id AND b.ticket_version = a.ticket_version + 1
        WHERE b.created_at < a.created_at`,
    );
    expect(events.bad).toBe(0);
  });

  it("prints every login with its password, role and team, and each works as printed", async () => {
    const logins = printedLogins(output);
    expect(logins.map((l) => l.role).sort()).toEqual(["ADMINISTRATOR", "AGENT", "AGENT", "AGENT", "AGENT", "EDITOR"]);
    for (const login of logins) {
      const res = await srv!.gql<{ logIn: { viewer: { role: string; team: { name: string } | null; workspace: { name: string } } } }>(
        `mutation($i: LogInInput!) { logIn(input: $i) { viewer { role team { name } workspace { name } } } }`,
        { i: { email: login.email, password: login.password } },
      );
      const viewer = res.data?.logIn.viewer;
      expect({ login: login.email, role: viewer?.role, workspace: viewer?.workspace.name }).toEqual({
        login: login.email,
        role: login.role,
        workspace: "Demo Helpdesk",
      });
      if (viewer?.team) expect(login.team).toContain(viewer.team.name);
      else expect(login.team).toMatch(/^(-|no team \(all topics\))$/);
    }
    expect(logins.some((l) => l.team.endsWith("(all topics)") && !l.team.startsWith("no team"))).toBe(true);
    expect(output).toMatch(/Pending invitation: \S+ \(AGENT, Finance/);
  });

  it("shows every feature: teams, fields of each type and access, notepad history, shortcuts, flows, a trigger and its starts", async () => {
    const admin = await token("demo@example.com");
    const data = await ok<{
      teams: Array<{ name: string; allTopics: boolean; topics: Array<{ name: string }> }>;
      members: Array<{ role: string; team: { name: string } | null }>;
      contactFields: Array<{ type: string; agentAccess: string; featured: boolean }>;
      shortcuts: Array<{ name: string }>;
      flows: Array<{ externalId: string }>;
      triggers: Array<{ type: string; flow: { externalId: string } }>;
      flowStarts: Array<{ ticket: { status: string } | null }>;
      invitations: Array<{ email: string; role: string; team: { name: string } | null }>;
      contacts: { nodes: Array<{ name: string; language: string | null; urns: string[] }> };
    }>(
      `{ teams { name allTopics topics { name } } members { role team { name } }
         contactFields { type agentAccess featured } shortcuts { name } flows { externalId }
         triggers { type flow { externalId } } flowStarts(first: 100) { ticket { status } }
         invitations { email role team { name } }
         contacts(first: 30) { nodes { name language urns } } }`,
      {},
      admin,
    );
    expect(data.teams.some((t) => t.allTopics)).toBe(true);
    expect(data.teams.filter((t) => !t.allTopics).every((t) => t.topics.length > 0)).toBe(true);
    expect(data.members.some((m) => m.role === "AGENT" && m.team === null)).toBe(true);
    expect(data.members.some((m) => m.role === "AGENT" && m.team !== null)).toBe(true);
    const kinds = new Set(data.contactFields.map((f) => `${f.type}/${f.agentAccess}`));
    for (const type of ["TEXT", "NUMBER", "DATETIME"])
      for (const access of ["NONE", "VIEW", "EDIT"]) expect(kinds).toContain(`${type}/${access}`);
    expect(data.contactFields.filter((f) => f.featured).length).toBeGreaterThan(0);
    const [unset] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM contact_fields f WHERE NOT EXISTS (SELECT 1 FROM contact_field_values v WHERE v.field_id = f.id)`,
    );
    expect(unset.n).toBe(0);
    expect(data.shortcuts.length).toBeGreaterThanOrEqual(5);
    expect(data.flows.length).toBe(2);
    expect(data.triggers).toEqual([{ type: "TICKET_CLOSED", flow: { externalId: expect.any(String) } }]);
    // Every close since the trigger exists asked for a flow start; the bulk history predates it.
    const [closes] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticket_events e JOIN triggers g ON g.workspace_id = e.workspace_id
        WHERE e.type = 'CLOSED' AND e.created_at > g.created_at`,
    );
    expect(closes.n).toBeGreaterThanOrEqual(4);
    expect(data.flowStarts.length).toBe(closes.n);
    expect(data.invitations).toEqual([{ email: expect.any(String), role: "AGENT", team: { name: expect.any(String) } }]);

    // Contacts with realistic names, in five languages, with URNs of every scheme.
    const contacts = data.contacts.nodes;
    expect(contacts.every((c) => c.name && !/^Contact \d+$/.test(c.name))).toBe(true);
    expect(new Set(contacts.map((c) => c.language))).toEqual(new Set(["eng", "fra", "spa", "kin", "swa"]));
    const schemes = new Set(contacts.flatMap((c) => c.urns.map((u) => u.split(":")[0])));
    for (const scheme of ["tel", "whatsapp", "telegram", "mailto"]) expect(schemes).toContain(scheme);

    // A notepad with several versions by different members, and field values an agent sees by access.
    const [marie] = await sql<{ id: string }>(`SELECT id FROM contacts WHERE name = 'Marie Dubois'`);
    const marieId = Buffer.from(`Contact:${marie.id}`).toString("base64");
    const CONTACT = `query($id: ID!) { node(id: $id) { ... on Contact { notepadHistory { author { name } }
      fields { field { agentAccess } value editable } } } }`;
    type ContactView = {
      node: {
        notepadHistory: Array<{ author: { name: string } }>;
        fields: Array<{ field: { agentAccess: string }; value: string | null; editable: boolean }>;
      };
    };
    const asAdmin = await ok<ContactView>(CONTACT, { id: marieId }, admin);
    expect(asAdmin.node.notepadHistory.length).toBeGreaterThanOrEqual(3);
    expect(new Set(asAdmin.node.notepadHistory.map((v) => v.author.name)).size).toBeGreaterThanOrEqual(3);
    expect(asAdmin.node.fields.some((f) => f.field.agentAccess === "NONE" && f.value)).toBe(true);
    const asAgent = await ok<ContactView>(CONTACT, { id: marieId }, await token("amina@demo.example.com"));
    expect(asAgent.node.fields.some((f) => f.field.agentAccess === "NONE")).toBe(false);
    expect(asAgent.node.fields.filter((f) => f.editable).every((f) => f.field.agentAccess === "EDIT")).toBe(true);
  });

  it("leaves each member notifications: the administrator three unseen, an agent those of their topics, and messages with attachments", async () => {
    const NOTIFICATIONS = `{ viewer { unseenNotificationCount } notifications(first: 100) { nodes { kind seen ticket { id } } } }`;
    type Listed = { viewer: { unseenNotificationCount: number }; notifications: { nodes: Array<{ kind: string; seen: boolean }> } };
    const grace = await ok<Listed>(NOTIFICATIONS, {}, await token("demo@example.com"));
    expect(grace.viewer.unseenNotificationCount).toBe(3);
    expect(grace.notifications.nodes.length).toBeGreaterThan(3);
    const bruno = await ok<Listed>(NOTIFICATIONS, {}, await token("bruno@demo.example.com"));
    expect(bruno.viewer.unseenNotificationCount).toBeGreaterThan(0);
    expect(new Set(bruno.notifications.nodes.map((n) => n.kind))).toContain("TICKET_ACTIVITY");
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE jsonb_array_length(attachments) > 0`);
    expect(n).toBeGreaterThanOrEqual(2);
  });

  it("leaves one agent restricted: Dmitri takes and answers his own tickets only", async () => {
    const { members } = await ok<{
      members: Array<{ user: { name: string }; role: string; canAssign: boolean; canReplyToOthers: boolean }>;
    }>(`{ members(first: 100) { user { name } role canAssign canReplyToOthers } }`, {}, await token("demo@example.com"));
    const restricted = members.filter((m) => !m.canAssign || !m.canReplyToOthers);
    expect(restricted).toEqual([{ user: { name: "Dmitri" }, role: "AGENT", canAssign: false, canReplyToOthers: false }]);
  });

  it("fills the ticket statistics over the days the story and its history happened", async () => {
    const STATS = `query($since: DateTime!, $until: DateTime!) { ticketStatistics(since: $since, until: $until, groupBy: [DAY]) {
      rows { period opened closed replies firstReply { count medianSeconds } resolution { count } } } }`;
    const [span] = await sql<{ first: Date; opened: number; closed: number }>(
      `SELECT min(created_at) AS first, count(*) FILTER (WHERE type = 'OPENED')::int AS opened,
              count(*) FILTER (WHERE type = 'CLOSED')::int AS closed FROM ticket_events`,
    );
    const { ticketStatistics } = await ok<{
      ticketStatistics: {
        rows: Array<{ period: string; opened: number; closed: number; firstReply: { count: number; medianSeconds: number | null } }>;
      };
    }>(
      STATS,
      { since: new Date(span.first.getTime() - 86_400_000).toISOString(), until: new Date(Date.now() + 86_400_000).toISOString() },
      await token("demo@example.com"),
    );
    const rows = ticketStatistics.rows;
    expect(rows.reduce((sum, r) => sum + r.opened, 0)).toBe(span.opened);
    expect(rows.reduce((sum, r) => sum + r.closed, 0)).toBe(span.closed);
    // Spread over many days, not all on the day it was seeded, with reply times to show.
    expect(rows.filter((r) => r.opened > 0).length).toBeGreaterThan(5);
    expect(rows.some((r) => r.firstReply.count > 0 && r.firstReply.medianSeconds! > 60)).toBe(true);
  });

  it("leaves the administrator a finished export of the whole inbox, downloadable", async () => {
    const admin = await token("demo@example.com");
    const { exports } = await ok<{ exports: Array<{ id: string; status: string; rowCount: number; downloadUrl: string }> }>(
      `{ exports { id status rowCount downloadUrl } }`,
      {},
      admin,
    );
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM tickets`);
    expect(exports).toEqual([expect.objectContaining({ status: "DONE", rowCount: n })]);
    const link = new URL(exports[0].downloadUrl);
    const res = await fetch(`${srv!.url}${link.pathname}${link.search}`);
    expect(res.status).toBe(200);
    expect((await res.text()).split("\r\n").filter(Boolean)).toHaveLength(n + 1);
  });

  it("has tickets in every state, with conversations, notes and deliveries", async () => {
    const [states] = await sql<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE status = 'OPEN' AND assignee_id IS NULL)::int AS open_unassigned,
              count(*) FILTER (WHERE status = 'OPEN' AND assignee_id IS NOT NULL AND replied_at IS NULL)::int AS open_assigned,
              count(*) FILTER (WHERE status = 'OPEN' AND replied_at IS NOT NULL)::int AS replied,
              count(*) FILTER (WHERE status = 'CLOSED')::int AS closed,
              count(*) FILTER (WHERE status = 'OPEN' AND EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'REOPENED'))::int AS reopened,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'TOPIC_CHANGED'))::int AS moved,
              count(*) FILTER (WHERE opened_in_id IS NULL)::int AS opened_by_hand,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'NOTE_ADDED'))::int AS with_notes
         FROM tickets t`,
    );
    for (const [state, n] of Object.entries(states)) expect({ state, some: n > 0 }).toEqual({ state, some: true });
    const statuses = await sql<{ status: string }>(`SELECT DISTINCT status FROM messages WHERE direction = 'OUTGOING'`);
    expect(statuses.map((s) => s.status).sort()).toEqual(["DELIVERED", "FAILED", "QUEUED", "SENT"]);
    const [threads] = await sql<{ long: number }>(
      `SELECT count(*)::int AS long FROM (SELECT ticket_id FROM messages WHERE ticket_id IS NOT NULL GROUP BY 1 HAVING count(*) >= 4) x`,
    );
    expect(threads.long).toBeGreaterThanOrEqual(3);

    // The inbox opens on the story: the newest open tickets have a message to show.
    const inbox = await ok<{ tickets: { nodes: Array<{ lastMessage: { text: string } | null }> } }>(
      `{ tickets(first: 10) { nodes { lastMessage { text } } } }`,
      {},
      await token("demo@example.com"),
    );
    expect(inbox.tickets.nodes.every((t) => t.lastMessage?.text)).toBe(true);
  });

  it("shows a team agent only their team's topics", async () => {
    const bruno = await token("bruno@demo.example.com");
    const seen = await ok<{
      viewer: { team: { topics: Array<{ name: string }> } };
      topics: Array<{ name: string }>;
      tickets: { totalCount: number; nodes: Array<{ topic: { name: string } }> };
    }>(
      `{ viewer { team { topics { name } } } topics { name } tickets(filter: { status: null }, first: 100) { totalCount nodes { topic { name } } } }`,
      {},
      bruno,
    );
    const mine = seen.viewer.team.topics.map((t) => t.name);
    expect(seen.topics.map((t) => t.name)).toEqual(mine);
    expect(seen.tickets.totalCount).toBeGreaterThan(0);
    expect(seen.tickets.nodes.every((t) => mine.includes(t.topic.name))).toBe(true);
    // A ticket of another topic does not exist for him.
    const [other] = await sql<{ id: string }>(
      `SELECT t.id FROM tickets t JOIN topics p ON p.id = t.topic_id WHERE NOT (p.name = ANY($1)) LIMIT 1`,
      [mine],
    );
    const res = await gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: Buffer.from(`Ticket:${other.id}`).toString("base64") },
      bruno,
    );
    expect(res.data?.node ?? null).toBeNull();
  });

  it("changes nothing when run again", async () => {
    const before = await sql<{ n: number }>(
      `SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_events) + (SELECT count(*) FROM workspaces) AS n`,
    );
    const again = seed({ DATABASE_URL: database!.url, DATA_DIR: mailDir! }, ["--tickets", "600", "--contacts", "200"]);
    expect(again).toContain(`Workspace "Demo Helpdesk" is already seeded`);
    expect(printedLogins(again)).toEqual(printedLogins(output));
    expect(
      await sql(`SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_events) + (SELECT count(*) FROM workspaces) AS n`),
    ).toEqual(before);
  }, 60_000);
});

it("seeds the embedded database as a newcomer would, and the server then serves it", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "handover-demo-"));
  let server: ServerProcess | undefined;
  try {
    const output = seed({ DATA_DIR: dataDir, DATABASE_URL: "" });
    expect(output).toContain(`Workspace "Demo Helpdesk": ${STORY_TICKETS} tickets, `);
    const eml = /The pending invitation's email: (\S+\.eml)/.exec(output)?.[1];
    expect(readFileSync(eml!, "utf8")).toContain("/invitations/accept?token=");
    // `npm start` with the same DATA_DIR: no administrator of its own, the demo's logins work.
    server = await spawnServer({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    expect(server.output()).not.toContain("First administrator created");
    const call = async <T>(query: string, token?: string): Promise<T> => {
      const res = await fetch(server!.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      return ((await res.json()) as { data: T }).data;
    };
    const { logIn } = await call<{ logIn: { token: string; viewer: { role: string } } }>(
      `mutation { logIn(input: { email: "chloe@demo.example.com", password: "demo-password" }) { token viewer { role } } }`,
    );
    expect(logIn.viewer.role).toBe("AGENT");
    const { tickets } = await call<{ tickets: { totalCount: number } }>(
      `{ tickets(filter: { folder: MINE }) { totalCount } }`,
      logIn.token,
    );
    expect(tickets.totalCount).toBeGreaterThan(0);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);
