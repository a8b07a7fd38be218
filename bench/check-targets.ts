/**
 * Checks that the comparison targets answer the same inbox page as our server, on a seeded
 * database (scripts/seed-demo.ts), before any of them is measured:
 *
 *   node -r @swc-node/register bench/check-targets.ts <databaseUrl> <workspaceId> [--requests 2000 --concurrency 10]
 *
 * The expected page comes from SQL: the open tickets of the workspace ordered as the inbox index
 * (status DESC, last_activity_at DESC, id DESC), each with contact name and URNs, topic and
 * assignee names, and the open count. Our server (run from source, logged in as the workspace's
 * demo administrator), PostGraphile and the raw floor (with our token) must return the same 25 tickets, in the
 * same order, with the same fields. With --requests, each target then answers that many
 * requests at a fixed concurrency, for an informal look at its throughput (not the benchmark).
 */
import path from "node:path";
import pg from "pg";
import { startPostGraphile } from "./postgraphile";
import { inboxBody, OPEN_INBOX } from "./queries";
import { startRawFloor } from "./raw-floor";
import { freePort, startProcess, waitUntilReady } from "./target-process";

const ROOT = path.resolve(__dirname, "..");
const FIRST = 25;

interface PageTicket {
  id: string;
  lastActivityMs: number;
  contactName: string | null;
  urns: string[];
  topic: string;
  assignee: string | null;
}

interface Page {
  totalCount: number;
  hasNextPage: boolean;
  tickets: PageTicket[];
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  read(json: unknown): Page;
  stop(): Promise<void>;
}

function parseArgs(argv: string[]): { databaseUrl: string; workspaceId: string; requests: number; concurrency: number } {
  const [databaseUrl, workspaceId, ...rest] = argv;
  if (!databaseUrl || !workspaceId) {
    throw new Error("usage: check-targets.ts <databaseUrl> <workspaceId> [--requests N] [--concurrency C]");
  }
  const options = { databaseUrl, workspaceId, requests: 0, concurrency: 10 };
  for (let i = 0; i < rest.length; i += 2) {
    const value = Number(rest[i + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${rest[i]} needs a positive whole number`);
    if (rest[i] === "--requests") options.requests = value;
    else if (rest[i] === "--concurrency") options.concurrency = value;
    else throw new Error(`unknown option ${rest[i]}`);
  }
  return options;
}

async function expectedPage(db: pg.Client, workspaceId: string): Promise<Page & { countStar: number }> {
  const { rows } = await db.query<{
    id: string;
    last_activity_at: Date;
    contact_name: string | null;
    urns: string[];
    topic: string;
    assignee: string | null;
  }>(
    `SELECT t.id, t.last_activity_at, c.name AS contact_name,
            array(SELECT u.urn FROM contact_urns u WHERE u.contact_id = c.id ORDER BY u.priority, u.urn) AS urns,
            tp.name AS topic, a.name AS assignee
       FROM tickets t JOIN contacts c ON c.id = t.contact_id JOIN topics tp ON tp.id = t.topic_id
       LEFT JOIN users a ON a.id = t.assignee_id
      WHERE t.workspace_id = $1 AND t.status = 'OPEN'
      ORDER BY t.status DESC, t.last_activity_at DESC, t.id DESC
      LIMIT $2`,
    [workspaceId, FIRST + 1],
  );
  const [{ deltas, star }] = (
    await db.query<{ deltas: string; star: string }>(
      `SELECT (SELECT coalesce(sum(delta), 0) FROM ticket_count_deltas WHERE workspace_id = $1 AND status = 'OPEN') AS deltas,
              (SELECT count(*) FROM tickets WHERE workspace_id = $1 AND status = 'OPEN') AS star`,
      [workspaceId],
    )
  ).rows;
  return {
    totalCount: Number(deltas),
    countStar: Number(star),
    hasNextPage: rows.length > FIRST,
    tickets: rows.slice(0, FIRST).map((r) => ({
      id: r.id,
      lastActivityMs: r.last_activity_at.getTime(),
      contactName: r.contact_name,
      urns: r.urns,
      topic: r.topic,
      assignee: r.assignee,
    })),
  };
}

/** The uuid inside a global ID: ours is base64 of "Ticket:uuid", PostGraphile's of ["Ticket","uuid"]. */
function uuidOfGlobalId(id: string): string {
  const decoded = Buffer.from(id, "base64").toString("utf8");
  if (decoded.startsWith("[")) return (JSON.parse(decoded) as string[])[1];
  return decoded.slice(decoded.indexOf(":") + 1);
}

const ms = (iso: string) => Math.floor(Date.parse(iso));

async function post(target: Pick<Target, "url" | "headers" | "body">): Promise<unknown> {
  const res = await fetch(target.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...target.headers },
    body: target.body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function graphqlData<T>(json: unknown): T {
  const { data, errors } = json as { data?: T; errors?: unknown };
  if (errors || !data) throw new Error(`GraphQL errors: ${JSON.stringify(errors).slice(0, 500)}`);
  return data;
}

/**
 * Our inbox page as the bench's document selects it (the floor answers the same shape): each
 * ticket with its cursor, and the page's end cursor its last ticket's.
 */
function readInboxPage(name: string, json: unknown): Page {
  type Node = {
    id: string;
    lastActivityAt: string;
    contact: { name: string | null; urns: string[] };
    topic: { name: string };
    assignee: { name: string } | null;
  };
  const { tickets } = graphqlData<{
    tickets: {
      totalCount: number;
      edges: Array<{ cursor: string; node: Node }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }>(json);
  if (tickets.edges.some((e) => typeof e.cursor !== "string" || e.cursor === "")) throw new Error(`${name}: an edge without a cursor`);
  if (tickets.pageInfo.endCursor !== (tickets.edges.at(-1)?.cursor ?? null))
    throw new Error(`${name}: endCursor is not the last edge's cursor`);
  return {
    totalCount: tickets.totalCount,
    hasNextPage: tickets.pageInfo.hasNextPage,
    tickets: tickets.edges.map(({ node }) => ({
      id: uuidOfGlobalId(node.id),
      lastActivityMs: ms(node.lastActivityAt),
      contactName: node.contact.name,
      urns: node.contact.urns,
      topic: node.topic.name,
      assignee: node.assignee?.name ?? null,
    })),
  };
}

async function startOurs(databaseUrl: string, workspaceId: string, db: pg.Client, log: (line: string) => void): Promise<Target> {
  const admin = (
    await db.query<{ email: string }>(
      `SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id
        WHERE m.workspace_id = $1 AND m.role = 'ADMINISTRATOR' AND u.email LIKE 'demo%@example.com' ORDER BY u.email LIMIT 1`,
      [workspaceId],
    )
  ).rows[0];
  if (!admin) throw new Error(`workspace ${workspaceId} has no demo administrator: seed it with scripts/seed-demo.ts`);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    RATE_LIMIT_PER_SECOND: "0",
    DB_POOL_SIZE: "10",
    NODE_ENV: "production",
  };
  delete env.NODE_OPTIONS;
  const proc = startProcess({
    name: "ours",
    command: process.execPath,
    args: ["-r", "@swc-node/register", "src/main.ts"],
    cwd: ROOT,
    env,
    log,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, "our server", async () => (await fetch(`${base}/readyz`)).ok, 90);
  const url = `${base}/graphql`;
  const login = graphqlData<{ logIn: { token: string | null; userErrors: unknown[] } }>(
    await post({
      url,
      headers: {},
      body: JSON.stringify({
        query: `mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code message } } }`,
        variables: {
          i: { email: admin.email, password: "demo-password", workspaceId: Buffer.from(`Workspace:${workspaceId}`).toString("base64") },
        },
      }),
    }),
  ).logIn;
  if (!login.token) throw new Error(`cannot log in as ${admin.email}: ${JSON.stringify(login.userErrors)}`);
  return {
    name: "ours",
    url,
    headers: { authorization: `Bearer ${login.token}` },
    // The very document and variables the bench loads (bench/queries.ts), cursors included.
    body: inboxBody(OPEN_INBOX, { first: FIRST }),
    read: (json) => readInboxPage("ours", json),
    stop: () => proc.stop(),
  };
}

async function startTheirs(databaseUrl: string, workspaceId: string, log: (line: string) => void): Promise<Target> {
  const target = await startPostGraphile({ databaseUrl, log });
  type Node = {
    id: string;
    lastActivityAt: string;
    contactByContactId: { name: string | null; contactUrnsByContactId: { nodes: Array<{ urn: string }> } };
    topicByTopicId: { name: string };
    userByAssigneeId: { name: string } | null;
  };
  return {
    name: target.name,
    url: target.url,
    headers: {},
    body: target.body({ workspaceId, first: FIRST, withTotalCount: true }),
    read(json) {
      const { allTickets } = graphqlData<{
        allTickets: { totalCount: number; edges: Array<{ node: Node }>; pageInfo: { hasNextPage: boolean } };
      }>(json);
      return {
        totalCount: allTickets.totalCount,
        hasNextPage: allTickets.pageInfo.hasNextPage,
        tickets: allTickets.edges.map(({ node }) => ({
          id: uuidOfGlobalId(node.id),
          lastActivityMs: ms(node.lastActivityAt),
          contactName: node.contactByContactId.name,
          urns: node.contactByContactId.contactUrnsByContactId.nodes.map((n) => n.urn),
          topic: node.topicByTopicId.name,
          assignee: node.userByAssigneeId?.name ?? null,
        })),
      };
    },
    stop: target.stop,
  };
}

/** The floor, asked with our token (it authenticates it as ours does) and read like our answer. */
async function startFloor(databaseUrl: string, headers: Record<string, string>, log: (line: string) => void): Promise<Target> {
  const target = await startRawFloor({ databaseUrl, log });
  return {
    name: target.name,
    url: target.url,
    headers,
    body: target.body({ first: FIRST, withTotalCount: true }),
    read: (json) => readInboxPage(target.name, json),
    stop: target.stop,
  };
}

/** The differences between a target's page and the expected one, as readable lines. */
function differences(expected: Page, actual: Page): string[] {
  const out: string[] = [];
  if (actual.totalCount !== expected.totalCount) out.push(`totalCount ${actual.totalCount}, expected ${expected.totalCount}`);
  if (actual.hasNextPage !== expected.hasNextPage) out.push(`hasNextPage ${actual.hasNextPage}, expected ${expected.hasNextPage}`);
  if (actual.tickets.length !== expected.tickets.length) out.push(`${actual.tickets.length} tickets, expected ${expected.tickets.length}`);
  expected.tickets.forEach((want, i) => {
    const got = actual.tickets[i];
    if (!got) return;
    for (const key of Object.keys(want) as Array<keyof PageTicket>) {
      if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
        out.push(`#${i + 1} ${key}: ${JSON.stringify(got[key])}, expected ${JSON.stringify(want[key])}`);
      }
    }
  });
  return out;
}

/** `requests` POSTs at `concurrency`, after a warm-up; requests per second and latencies. */
async function load(target: Target, requests: number, concurrency: number): Promise<string> {
  const send = async () => {
    const res = await fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...target.headers },
      body: target.body,
    });
    await res.arrayBuffer();
    return res.ok;
  };
  for (let i = 0; i < 100; i++) await send();
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t0 = performance.now();
        if (!(await send())) failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  return `${(requests / seconds).toFixed(0)} req/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ${failed} failed`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => {
    if (!line.includes("Server listening") && !line.includes("raw floor listening")) console.log(line);
  };
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  const targets: Target[] = [];
  let failures = 0;
  try {
    const expected = await expectedPage(db, options.workspaceId);
    console.log(
      `expected: ${expected.tickets.length} tickets, ${expected.totalCount} open by the count rows, ${expected.countStar} by COUNT(*), hasNextPage ${expected.hasNextPage}`,
    );
    if (expected.countStar !== expected.totalCount) console.log("warning: the count rows and COUNT(*) disagree");
    if (expected.tickets.length === 0) throw new Error("the workspace has no open ticket: nothing to compare");
    const ours = await startOurs(options.databaseUrl, options.workspaceId, db, log);
    targets.push(ours);
    targets.push(await startTheirs(options.databaseUrl, options.workspaceId, log));
    targets.push(await startFloor(options.databaseUrl, ours.headers, log));
    for (const target of targets) {
      const diff = differences(expected, target.read(await post(target)));
      if (diff.length === 0)
        console.log(`${target.name}: the same ${expected.tickets.length} tickets in the same order, same fields and count`);
      else {
        failures++;
        console.log(`${target.name}: DIFFERS\n  ${diff.slice(0, 20).join("\n  ")}`);
      }
    }
    if (options.requests > 0) {
      for (const target of targets) {
        console.log(
          `${target.name}: ${await load(target, options.requests, options.concurrency)} (${options.requests} at concurrency ${options.concurrency})`,
        );
      }
    }
  } finally {
    for (const target of targets) await target.stop();
    await db.end();
  }
  if (failures > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
