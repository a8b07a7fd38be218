/**
 * The benchmark database: seeded once per size and reused. The big workspace comes from the
 * demo seed (scripts/seed-demo.ts, plain SQL, consistent events and counts); what the
 * scenarios add on top (long threads, contact fields, a notepad, a rare topic with its team)
 * goes through the API, as a client would do it. A table of the bench's own records that all
 * of it finished, so an interrupted seed is started again rather than reused.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";

const ROOT = path.resolve(__dirname, "..");

export interface BenchState {
  workspaceId: string;
  /** Global ids. */
  detailTickets: string[];
  writeTickets: string[];
  rareTopicId: string;
  rareTickets: number;
  adminEmail: string;
  mineEmail: string;
  teamAgentEmail: string;
  password: string;
}

export function databaseName(tickets: number, contacts: number): string {
  return `handover_bench_${tickets}_${contacts}`;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs a command, streaming its output to the terminal; rejects on a non-zero exit. */
export function sh(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

export async function readState(url: string): Promise<BenchState | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  try {
    const exists = await client.query(`SELECT to_regclass('bench_state') IS NOT NULL AS ok`);
    if (!exists.rows[0].ok) return undefined;
    const { rows } = await client.query<{ value: BenchState }>(`SELECT value FROM bench_state WHERE key = 'ready'`);
    return rows[0]?.value;
  } finally {
    await client.end();
  }
}

export async function writeState(url: string, state: BenchState): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS bench_state (key text PRIMARY KEY, value jsonb NOT NULL)`);
    await client.query(`INSERT INTO bench_state VALUES ('ready', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [state]);
  } finally {
    await client.end();
  }
}

/** Drops and creates the database, then fills its big workspace with the demo seed. */
export async function seedDatabase(adminUrl: string, name: string, tickets: number, contacts: number): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await sh(
    process.execPath,
    ["-r", "@swc-node/register", "scripts/seed-demo.ts", "--tickets", String(tickets), "--contacts", String(contacts)],
    {
      DATABASE_URL: url,
    },
  );
  return url;
}

type Gql = <T>(query: string, variables: Record<string, unknown>, token?: string) => Promise<T>;

const toGlobal = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

/** What the scenarios need beyond the demo seed, made through the API. */
export async function prepareScenarios(url: string, gql: Gql, log: (line: string) => void): Promise<BenchState> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const password = "demo-password";
    const { rows: people } = await db.query<{ email: string; name: string; role: string; user_id: string; workspace_id: string }>(
      `SELECT u.email, u.name, m.role, u.id AS user_id, m.workspace_id FROM users u JOIN memberships m ON m.user_id = u.id ORDER BY u.email`,
    );
    const admin = people.find((p) => p.role === "ADMINISTRATOR")!;
    const mine = people.find((p) => p.name === "Amina")!;
    const teamAgent = people.find((p) => p.name === "Bruno")!;
    const workspaceId = admin.workspace_id;
    const logIn = async (email: string) =>
      (await gql<{ logIn: { token: string } }>(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email, password } }))
        .logIn.token;
    const token = await logIn(admin.email);
    const { rows: counted } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = $1`, [
      workspaceId,
    ]);
    const total = counted[0].n;

    // Ticket detail: 40 open tickets with a 50-event thread, fields and a notepad on their contacts.
    const { rows: open } = await db.query<{ id: string; contact_id: string }>(
      `SELECT id, contact_id FROM tickets WHERE workspace_id = $1 AND status = 'OPEN' ORDER BY id LIMIT 140`,
      [workspaceId],
    );
    const detail = open.slice(0, 40);
    const writes = open.slice(40, 140);
    const detailIds = detail.map((t) => toGlobal("Ticket", t.id));
    const { rows: versions } = await db.query<{ v: number }>(`SELECT min(version)::int AS v FROM tickets WHERE id = ANY($1)`, [
      detail.map((t) => t.id),
    ]);
    log(`adding notes to ${detail.length} tickets for 50-event threads`);
    for (let v = versions[0].v; v < 50; v++) {
      await gql(
        `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { failures { code } } }`,
        { i: { ticketIds: detailIds, note: `Looked into it (step ${v}): the customer's order is on its way.` } },
        token,
      );
    }
    for (const [i, name] of ["Order number", "Plan", "Country", "Loyalty tier", "Preferred time"].entries()) {
      await gql(
        `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { userErrors { code } } }`,
        { i: { name, type: "TEXT", featured: i < 2, agentAccess: i < 3 ? "EDIT" : "VIEW" } },
        token,
      );
    }
    for (const t of detail) {
      const contactId = toGlobal("Contact", t.contact_id);
      await gql(
        `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code } } }`,
        {
          i: {
            contactId,
            values: [
              { key: "order_number", value: `A-${t.id.slice(0, 8)}` },
              { key: "plan", value: "Premium" },
              { key: "country", value: "Rwanda" },
              { key: "loyalty_tier", value: "Gold" },
              { key: "preferred_time", value: "Mornings" },
            ],
          },
        },
        token,
      );
      await gql(
        `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { userErrors { code } } }`,
        { i: { contactId, text: "Prefers to be called back in the morning. Asked twice about delivery." } },
        token,
      );
    }

    // A topic holding 1% of the tickets, and a team agent limited to it.
    const rare = await gql<{ createTopic: { topic: { id: string } } }>(
      `mutation { createTopic(input: { name: "Rare" }) { topic { id } } }`,
      {},
      token,
    );
    const rareTopicId = rare.createTopic.topic.id;
    const { rows: moving } = await db.query<{ id: string }>(
      `SELECT id FROM tickets WHERE workspace_id = $1 AND status = 'OPEN' AND NOT (id = ANY($3)) ORDER BY md5(id::text) LIMIT $2`,
      [workspaceId, Math.max(1, Math.round(total / 100)), open.map((t) => t.id)],
    );
    log(`moving ${moving.length} tickets to the rare topic`);
    for (let i = 0; i < moving.length; i += 100) {
      await gql(
        `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { failures { code } } }`,
        { i: { ticketIds: moving.slice(i, i + 100).map((t) => toGlobal("Ticket", t.id)), topicId: rareTopicId } },
        token,
      );
    }
    const team = await gql<{ createTeam: { team: { id: string } } }>(
      `mutation($t: ID!) { createTeam(input: { name: "Rare cases", topicIds: [$t] }) { team { id } } }`,
      { t: rareTopicId },
      token,
    );
    const { rows: member } = await db.query<{ id: string }>(`SELECT id FROM memberships WHERE user_id = $1`, [teamAgent.user_id]);
    await gql(
      `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { userErrors { code } } }`,
      { i: { id: toGlobal("Member", member[0].id), teamId: team.createTeam.team.id } },
      token,
    );
    await db.query("ANALYZE");
    return {
      workspaceId,
      detailTickets: detailIds,
      writeTickets: writes.map((t) => toGlobal("Ticket", t.id)),
      rareTopicId,
      rareTickets: moving.length,
      adminEmail: admin.email,
      mineEmail: mine.email,
      teamAgentEmail: teamAgent.email,
      password,
    };
  } finally {
    await db.end();
  }
}
