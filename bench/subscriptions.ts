/**
 * Scenario 5: live subscriptions in one server process.
 *
 * Many small workspaces with a few subscribers each, and one busy workspace with many
 * subscribers of every kind (administrators, editors, agents of two teams, agents without a
 * team), all subscribed to `ticketEvents` with an inbox selection, while notes are written over
 * HTTP at a steady rate in the busy workspace and spread over the others. Subscribers live in
 * separate processes (bench/subscribers-worker.ts) so that the server's figures are its own.
 *
 * Measured: the latency of each delivery from just before the addTicketNote request that
 * caused it is sent until the subscriber has parsed it (an upper bound on commit-to-receipt: it
 * includes the mutation's own HTTP round trip, reported beside it), deliveries per second, and
 * the server's resident memory (VmRSS) before connecting and with every connection open.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createDataSource } from "../ormconfig";
import { hashPassword } from "../src/auth/password";
import { migrate, withMigrationLock } from "../src/db/migrate";
import { toGlobalId } from "../src/schema/global-id";
import { quantile, type SubscriberClient, type SubscribersCommand, type SubscribersReply } from "./subscriptions-protocol";

export interface SubscriptionScenarioOptions {
  databaseUrl: string;
  startServer: () => Promise<{ url: string; wsUrl: string; pid: number; stop(): Promise<void> }>;
  workspaces: number;
  perWorkspace: number;
  busySubscribers: number;
  busyRate: number;
  otherRate: number;
  durationSeconds: number;
  log: (line: string) => void;
}

/** The selection an inbox subscribes with. */
export const INBOX_SUBSCRIPTION = `subscription { ticketEvents { cursor type ticketVersion ticket { id status topic { name } assignee { name } } note } }`;

const WORKER_PROCESSES = 2;
const SMALL_PREFIX = "Subscriptions bench ";
const BUSY_NAME = "Subscriptions bench busy";
const OPEN_TICKETS_PER_SMALL = 3;
const BUSY_OPEN_TICKETS = 200;
/**
 * Tokens of the benchmark's members are derived from this and a label, so that a prepared
 * database can be reused without keeping its tokens anywhere. Benchmark databases only.
 */
const TOKEN_SECRET = "handover-subscriptions-benchmark";
const tokenFor = (label: string): string => `hov_${createHmac("sha256", TOKEN_SECRET).update(label).digest("base64url")}`;
const hashOf = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

const BUSY_TOPICS = ["Sales", "Support", "Billing", "Returns"];
const BUSY_TEAMS: Record<string, string[]> = { "Front desk": ["Sales", "Billing"], Care: ["Support", "Returns"] };
/** The busy workspace's members: subscribers are spread over them in turn. */
const BUSY_MEMBERS: Array<{ role: "ADMINISTRATOR" | "EDITOR" | "AGENT"; team?: string; count: number }> = [
  { role: "ADMINISTRATOR", count: 2 },
  { role: "EDITOR", count: 3 },
  { role: "AGENT", count: 5 },
  { role: "AGENT", team: "Care", count: 25 },
  { role: "AGENT", team: "Front desk", count: 15 },
];

const pad = (i: number) => String(i).padStart(4, "0");
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SmallWorkspace {
  index: number;
  token: string;
  tickets: string[];
}

interface BusyWorkspace {
  adminToken: string;
  tickets: Array<{ id: string; topicId: string }>;
  members: Array<{ token: string; topicIds: string[] | null }>;
}

/** Creates what is missing of the scenario's workspaces, in a few statements per thousand. */
async function prepare(databaseUrl: string, workspaces: number, log: (line: string) => void): Promise<void> {
  const ds = createDataSource({ url: databaseUrl, poolSize: 2 });
  await ds.initialize();
  try {
    await withMigrationLock(ds, () => migrate(ds));
  } finally {
    await ds.destroy();
  }
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const existing = new Set(
      (await db.query<{ name: string }>(`SELECT name FROM workspaces WHERE name LIKE $1`, [`${SMALL_PREFIX}%`])).rows.map((r) => r.name),
    );
    const missing = Array.from({ length: workspaces }, (_, i) => i + 1).filter((i) => !existing.has(SMALL_PREFIX + pad(i)));
    const passwordHash = await hashPassword(randomUUID());
    if (missing.length > 0) {
      const started = Date.now();
      for (let i = 0; i < missing.length; i += 500) await createSmallWorkspaces(db, missing.slice(i, i + 500), passwordHash);
      log(`subscriptions: created ${missing.length} small workspaces in ${Date.now() - started} ms`);
    }
    if (!existing.has(BUSY_NAME)) {
      await createBusyWorkspace(db, passwordHash);
      log(`subscriptions: created the busy workspace`);
    }
  } finally {
    await db.end();
  }
}

async function createSmallWorkspaces(db: pg.Client, indexes: number[], passwordHash: string): Promise<void> {
  const ids = () => indexes.map(() => randomUUID());
  const [ws, users, memberships, tokens, topics, groups] = [ids(), ids(), ids(), ids(), ids(), ids()];
  const perTicket = <T>(f: (w: number, t: number) => T): T[] =>
    indexes.flatMap((_, w) => Array.from({ length: OPEN_TICKETS_PER_SMALL }, (_unused, t) => f(w, t)));
  const ticketWs = perTicket((w) => ws[w]);
  const ticketUser = perTicket((w) => users[w]);
  const ticketTopic = perTicket((w) => topics[w]);
  const contacts = perTicket(() => randomUUID());
  const tickets = perTicket(() => randomUUID());
  await db.query("BEGIN");
  try {
    await db.query(`INSERT INTO workspaces (id, name) SELECT * FROM unnest($1::uuid[], $2::text[])`, [
      ws,
      indexes.map((i) => SMALL_PREFIX + pad(i)),
    ]);
    await db.query(
      `INSERT INTO users (id, email, name, password_hash) SELECT id, email, 'Bench Admin', $3 FROM unnest($1::uuid[], $2::text[]) AS x(id, email)`,
      [users, indexes.map((i) => `subs-bench-${pad(i)}@bench.example.com`), passwordHash],
    );
    await db.query(
      `INSERT INTO memberships (id, workspace_id, user_id, role) SELECT id, w, u, 'ADMINISTRATOR' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS x(id, w, u)`,
      [memberships, ws, users],
    );
    await db.query(
      `INSERT INTO api_tokens (id, workspace_id, user_id, kind, name, token_hash)
       SELECT id, w, u, 'API', 'subscriptions bench', h FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bytea[]) AS x(id, w, u, h)`,
      [tokens, ws, users, indexes.map((i) => hashOf(tokenFor(`ws-${i}`)))],
    );
    await db.query(
      `INSERT INTO topics (id, workspace_id, name, is_system) SELECT id, w, 'General', true FROM unnest($1::uuid[], $2::uuid[]) AS x(id, w)`,
      [topics, ws],
    );
    await db.query(
      `INSERT INTO contact_groups (id, workspace_id, name, is_system) SELECT id, w, 'Open Tickets', true FROM unnest($1::uuid[], $2::uuid[]) AS x(id, w)`,
      [groups, ws],
    );
    await insertOpenTickets(db, { ws: ticketWs, contacts, tickets, topics: ticketTopic, assignees: ticketUser, openedBy: ticketUser });
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}

/** Contacts with one open ticket each, opened by a member, with their OPENED event and counts. */
async function insertOpenTickets(
  db: pg.Client,
  t: { ws: string[]; contacts: string[]; tickets: string[]; topics: string[]; assignees: string[]; openedBy: string[] },
): Promise<void> {
  await db.query(
    `INSERT INTO contacts (id, workspace_id, name) SELECT id, w, 'Bench contact ' || n FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS x(id, w, n)`,
    [t.contacts, t.ws],
  );
  await db.query(
    `INSERT INTO contact_urns (id, workspace_id, contact_id, urn, priority)
     SELECT gen_random_uuid(), w, c, 'tel:+25079' || lpad(n::text, 7, '0'), 0 FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS x(c, w, n)`,
    [t.contacts, t.ws],
  );
  await db.query(
    `INSERT INTO tickets (id, workspace_id, contact_id, topic_id, assignee_id, status, opened_by_id)
     SELECT id, w, c, topic, assignee, 'OPEN', opener FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[]) AS x(id, w, c, topic, assignee, opener)`,
    [t.tickets, t.ws, t.contacts, t.topics, t.assignees, t.openedBy],
  );
  await db.query(
    `INSERT INTO ticket_events (id, workspace_id, ticket_id, ticket_version, type, actor_id, topic_id, assignee_id)
     SELECT gen_random_uuid(), w, id, 1, 'OPENED', opener, topic, assignee FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[]) AS x(id, w, topic, assignee, opener)`,
    [t.tickets, t.ws, t.topics, t.assignees, t.openedBy],
  );
  await db.query(
    `INSERT INTO ticket_count_deltas (workspace_id, status, topic_id, assignee_id, delta)
     SELECT w, 'OPEN', topic, assignee, count(*) FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS x(w, topic, assignee) GROUP BY 1, 2, 3, 4`,
    [t.ws, t.topics, t.assignees],
  );
}

async function createBusyWorkspace(db: pg.Client, passwordHash: string): Promise<void> {
  const ws = randomUUID();
  await db.query("BEGIN");
  try {
    await db.query(`INSERT INTO workspaces (id, name) VALUES ($1, $2)`, [ws, BUSY_NAME]);
    const general = randomUUID();
    await db.query(`INSERT INTO topics (id, workspace_id, name, is_system) VALUES ($1, $2, 'General', true)`, [general, ws]);
    await db.query(`INSERT INTO contact_groups (id, workspace_id, name, is_system) VALUES ($1, $2, 'Open Tickets', true)`, [
      randomUUID(),
      ws,
    ]);
    const topicIds = new Map<string, string>([["General", general]]);
    for (const name of BUSY_TOPICS) {
      const id = randomUUID();
      topicIds.set(name, id);
      await db.query(`INSERT INTO topics (id, workspace_id, name) VALUES ($1, $2, $3)`, [id, ws, name]);
    }
    const teamIds = new Map<string, string>();
    for (const [name, topics] of Object.entries(BUSY_TEAMS)) {
      const id = randomUUID();
      teamIds.set(name, id);
      await db.query(`INSERT INTO teams (id, workspace_id, name) VALUES ($1, $2, $3)`, [id, ws, name]);
      for (const topic of topics)
        await db.query(`INSERT INTO team_topics (workspace_id, team_id, topic_id) VALUES ($1, $2, $3)`, [ws, id, topicIds.get(topic)]);
    }
    const users: string[] = [];
    let n = 0;
    for (const kind of BUSY_MEMBERS) {
      for (let i = 0; i < kind.count; i++, n++) {
        const user = randomUUID();
        users.push(user);
        await db.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)`, [
          user,
          `subs-bench-busy-${n}@bench.example.com`,
          `Busy ${kind.role.toLowerCase()} ${n}`,
          passwordHash,
        ]);
        await db.query(`INSERT INTO memberships (id, workspace_id, user_id, role, team_id) VALUES ($1, $2, $3, $4, $5)`, [
          randomUUID(),
          ws,
          user,
          kind.role,
          kind.team ? teamIds.get(kind.team) : null,
        ]);
        await db.query(
          `INSERT INTO api_tokens (id, workspace_id, user_id, kind, name, token_hash) VALUES ($1, $2, $3, 'API', 'subscriptions bench', $4)`,
          [randomUUID(), ws, user, hashOf(tokenFor(`busy-${n}`))],
        );
      }
    }
    const topics = [...topicIds.values()];
    const count = BUSY_OPEN_TICKETS;
    await insertOpenTickets(db, {
      ws: Array.from({ length: count }, () => ws),
      contacts: Array.from({ length: count }, () => randomUUID()),
      tickets: Array.from({ length: count }, () => randomUUID()),
      topics: Array.from({ length: count }, (_, i) => topics[i % topics.length]),
      assignees: Array.from({ length: count }, (_, i) => users[i % users.length]),
      openedBy: Array.from({ length: count }, () => users[0]),
    });
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}

async function layout(databaseUrl: string, workspaces: number): Promise<{ small: SmallWorkspace[]; busy: BusyWorkspace }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const small = await db.query<{ name: string; tickets: string[] }>(
      `SELECT w.name, array_agg(t.id ORDER BY t.id) AS tickets
         FROM workspaces w JOIN tickets t ON t.workspace_id = w.id AND t.status = 'OPEN'
        WHERE w.name LIKE $1 AND w.name <> $2 GROUP BY w.name`,
      [`${SMALL_PREFIX}%`, BUSY_NAME],
    );
    const byIndex = new Map(small.rows.map((r) => [Number(r.name.slice(SMALL_PREFIX.length)), r.tickets]));
    const smallWorkspaces = Array.from({ length: workspaces }, (_, i) => {
      const tickets = byIndex.get(i + 1);
      if (!tickets?.length) throw new Error(`workspace ${SMALL_PREFIX}${pad(i + 1)} has no open ticket`);
      return { index: i + 1, token: tokenFor(`ws-${i + 1}`), tickets };
    });
    const busyTickets = await db.query<{ id: string; topic_id: string }>(
      `SELECT t.id, t.topic_id FROM tickets t JOIN workspaces w ON w.id = t.workspace_id WHERE w.name = $1 AND t.status = 'OPEN'`,
      [BUSY_NAME],
    );
    const members = await db.query<{ email: string; role: string; topic_ids: string[] | null }>(
      `SELECT u.email, m.role,
              CASE WHEN m.role = 'AGENT' AND tm.id IS NOT NULL AND NOT tm.all_topics
                   THEN array(SELECT tt.topic_id FROM team_topics tt WHERE tt.team_id = tm.id) END AS topic_ids
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id JOIN users u ON u.id = m.user_id
         LEFT JOIN teams tm ON tm.id = m.team_id
        WHERE w.name = $1`,
      [BUSY_NAME],
    );
    const busyMembers = members.rows
      .map((m) => ({ n: Number(/busy-(\d+)@/.exec(m.email)?.[1]), topicIds: m.topic_ids, role: m.role }))
      .sort((a, b) => a.n - b.n);
    return {
      small: smallWorkspaces,
      busy: {
        adminToken: tokenFor(`busy-${busyMembers.find((m) => m.role === "ADMINISTRATOR")!.n}`),
        tickets: busyTickets.rows.map((t) => ({ id: t.id, topicId: t.topic_id })),
        members: busyMembers.map((m) => ({ token: tokenFor(`busy-${m.n}`), topicIds: m.topicIds })),
      },
    };
  } finally {
    await db.end();
  }
}

/** A subscriber process, with a queue of replies. */
class SubscriberProcess {
  private readonly replies: SubscribersReply[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly child: ChildProcess;

  constructor() {
    this.child = fork(path.join(__dirname, "subscribers-worker.ts"), [], {
      execArgv: ["-r", "@swc-node/register"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (reply: SubscribersReply) => {
      this.replies.push(reply);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(command: SubscribersCommand): void {
    this.child.send(command);
  }

  async reply<K extends SubscribersReply["type"]>(type: K, timeoutMs = 600_000): Promise<Extract<SubscribersReply, { type: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.replies.findIndex((r) => r.type === type);
      if (index >= 0) return this.replies.splice(index, 1)[0] as Extract<SubscribersReply, { type: K }>;
      if (Date.now() > deadline) throw new Error(`subscriber process: no ${type} reply`);
      if (this.child.exitCode !== null) throw new Error(`subscriber process exited with ${this.child.exitCode}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  async ask<K extends SubscribersReply["type"]>(command: SubscribersCommand, type: K): Promise<Extract<SubscribersReply, { type: K }>> {
    this.send(command);
    return this.reply(type);
  }
}

/** The soft limit of open files of this process, which the server and the subscriber processes inherit. */
function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return !match || match[1] === "unlimited" ? Infinity : Number(match[1]);
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine's idle and total CPU time so far (in ticks). */
function machineTicks(): { idle: number; total: number } {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: cpu[3] + cpu[4], total: cpu.reduce((a, b) => a + b, 0) };
}

const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } failures { code message } userErrors { code message } } }`;

/** Writes one bench note; resolves with its round trip in ms, or throws with what went wrong. */
async function writeNote(
  url: string,
  token: string,
  ticketId: string,
  kind: "probe" | "load",
  id: number,
): Promise<{ sentAt: number; answeredAt: number }> {
  const sentAt = now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: NOTE,
      variables: { i: { ticketIds: [toGlobalId("Ticket", ticketId)], note: `bench ${kind} ${id} ${sentAt.toFixed(3)}` } },
    }),
  });
  const body = (await response.json()) as {
    data?: { addTicketNote: { tickets: unknown[]; failures: unknown[]; userErrors: unknown[] } };
    errors?: unknown[];
  };
  if (body.errors || !body.data || body.data.addTicketNote.tickets.length !== 1)
    throw new Error(`addTicketNote failed (${response.status}): ${JSON.stringify(body).slice(0, 300)}`);
  return { sentAt, answeredAt: now() };
}

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)];
const percentile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export async function runSubscriptionScenario(opts: SubscriptionScenarioOptions): Promise<Record<string, number | string>> {
  const { log } = opts;
  await prepare(opts.databaseUrl, opts.workspaces, log);
  const { small, busy } = await layout(opts.databaseUrl, opts.workspaces);

  // Group 0 is the busy workspace, group i the small workspace i.
  const clients: Array<SubscriberClient & { topicIds: string[] | null }> = [];
  for (let i = 0; i < opts.busySubscribers; i++) {
    const member = busy.members[i % busy.members.length];
    clients.push({ token: member.token, query: INBOX_SUBSCRIPTION, group: 0, topicIds: member.topicIds });
  }
  for (const w of small)
    for (let i = 0; i < opts.perWorkspace; i++) clients.push({ token: w.token, query: INBOX_SUBSCRIPTION, group: w.index, topicIds: null });
  const receiversOf = (group: number, topicId: string | undefined): number =>
    group === 0
      ? clients.filter((c) => c.group === 0 && (c.topicIds === null || (topicId !== undefined && c.topicIds.includes(topicId)))).length
      : opts.perWorkspace;

  // The server holds every connection: raise the limit (ulimit -n) before running, if need be.
  const files = openFilesLimit();
  if (files < clients.length + 1000)
    throw new Error(`subscriptions: ${clients.length} connections need more open files than the limit of ${files} (ulimit -n)`);

  const server = await opts.startServer();
  const url = /\/graphql$/.test(server.url) ? server.url : new URL("/graphql", server.url).toString();
  const workers: SubscriberProcess[] = [];
  try {
    await sleep(1000);
    const rssBaseline = rssKb(server.pid);
    log(
      `subscriptions: server ${server.pid} RSS ${Math.round(rssBaseline / 1024)} MB before connecting; opening ${clients.length} connections`,
    );

    const connectStarted = Date.now();
    for (let i = 0; i < WORKER_PROCESSES; i++) workers.push(new SubscriberProcess());
    await Promise.all(workers.map((w) => w.reply("ready")));
    workers.forEach((w, i) =>
      w.send({
        type: "connect",
        wsUrl: server.wsUrl,
        clients: clients.filter((_, n) => n % WORKER_PROCESSES === i).map(({ token, query, group }) => ({ token, query, group })),
      }),
    );
    const connected = await Promise.all(workers.map((w) => w.reply("status")));
    const acked = connected.reduce((sum, s) => sum + s.acked, 0);
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    log(`subscriptions: ${acked}/${clients.length} connections acknowledged in ${connectSeconds.toFixed(1)} s`);
    if (acked < clients.length) log(`subscriptions: first errors ${JSON.stringify(connected.flatMap((s) => s.firstErrors))}`);

    // Subscribed = has received an event: probe every workspace until every open client has one.
    // A probe of the busy workspace is a note in each topic: every team sees one.
    const probeTickets = (group: number) =>
      group === 0 ? [...new Map(busy.tickets.map((t) => [t.topicId, t.id])).values()] : [pick(small[group - 1].tickets)];
    const tokenOf = (group: number) => (group === 0 ? busy.adminToken : small[group - 1].token);
    let pending: number[] = [0, ...small.map((w) => w.index)];
    let probe = 0;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= 20) throw new Error(`subscriptions: ${pending.length} workspaces still have unsubscribed clients`);
      for (let i = 0; i < pending.length; i += 25)
        await Promise.all(
          pending.slice(i, i + 25).flatMap((g) => probeTickets(g).map((ticket) => writeNote(url, tokenOf(g), ticket, "probe", ++probe))),
        );
      await sleep(1000 + round * 500);
      const statuses = await Promise.all(workers.map((w) => w.ask({ type: "status" }, "status")));
      pending = [...new Set(statuses.flatMap((s) => s.unprobedGroups))];
      log(`subscriptions: probe round ${round + 1}: ${pending.length} workspaces with clients still waiting`);
    }
    const statuses = await Promise.all(workers.map((w) => w.ask({ type: "status" }, "status")));
    const open = statuses.reduce((sum, s) => sum + s.clients - s.closed, 0);
    const rssConnected = rssKb(server.pid);
    log(`subscriptions: ${open} subscribed; server RSS ${Math.round(rssConnected / 1024)} MB`);

    // The load: notes at fixed rates, open loop (a slow answer does not delay the next note).
    await Promise.all(workers.map((w) => w.ask({ type: "measure" }, "measuring")));
    const cpuBefore = cpuSeconds(server.pid);
    const machineBefore = machineTicks();
    const roundTrips: number[] = [];
    const answered = new Map<number, number>();
    let written = 0;
    let failed = 0;
    let firstFailure = "";
    let expected = 0;
    let peakRss = rssConnected;
    const inFlight = new Set<Promise<void>>();
    const write = (group: number) => {
      const ticket = group === 0 ? pick(busy.tickets) : { id: pick(small[group - 1].tickets), topicId: undefined };
      const receivers = receiversOf(group, ticket.topicId);
      const id = ++written;
      const p = writeNote(url, tokenOf(group), ticket.id, "load", id).then(
        ({ sentAt, answeredAt }) => {
          roundTrips.push(answeredAt - sentAt);
          answered.set(id, answeredAt);
          expected += receivers;
        },
        (error: unknown) => {
          failed += 1;
          firstFailure ||= String(error);
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    const started = now();
    const end = started + opts.durationSeconds * 1000;
    let nextBusy = started;
    let nextOther = started;
    let nextSample = started + 1000;
    while (now() < end) {
      const t = now();
      while (opts.busyRate > 0 && nextBusy <= t) {
        write(0);
        nextBusy += 1000 / opts.busyRate;
      }
      while (opts.otherRate > 0 && small.length > 0 && nextOther <= t) {
        write(pick(small).index);
        nextOther += 1000 / opts.otherRate;
      }
      if (t >= nextSample) {
        peakRss = Math.max(peakRss, rssKb(server.pid));
        nextSample += 1000;
      }
      await sleep(Math.max(0, Math.min(nextBusy, nextOther, nextSample) - now()));
    }
    await Promise.all(inFlight);
    const writeSeconds = (now() - started) / 1000;
    // Let the last deliveries arrive: until every expected one has, 10 s pass without progress,
    // or as long again as the load lasted (a server that fell behind is reported as it is).
    let delivered = 0;
    const drainUntil = Date.now() + Math.max(30_000, opts.durationSeconds * 1000);
    for (let lastProgress = Date.now(); delivered < expected && Date.now() - lastProgress < 10_000 && Date.now() < drainUntil;) {
      await sleep(250);
      const statuses = await Promise.all(workers.map((w) => w.ask({ type: "status" }, "status")));
      const total = statuses.reduce((sum, s) => sum + s.deliveries, 0);
      if (total > delivered) lastProgress = Date.now();
      delivered = total;
    }
    log(`subscriptions: ${delivered}/${expected} deliveries ${((now() - started) / 1000 - writeSeconds).toFixed(1)} s after the last note`);
    const cpuUsed = cpuSeconds(server.pid) - cpuBefore;
    const machineAfter = machineTicks();
    const rssAfter = rssKb(server.pid);
    const reports = await Promise.all(workers.map((w) => w.ask({ type: "report" }, "report")));
    const histogram = new Map<number, number>();
    for (const r of reports) for (const [index, count] of r.buckets) histogram.set(index, (histogram.get(index) ?? 0) + count);
    const overflow = reports.flatMap((r) => r.overflow);
    const deliveries = reports.reduce((sum, r) => sum + r.deliveries, 0);
    const errors = reports.reduce((sum, r) => sum + r.errors, 0);
    const firstErrors = reports.flatMap((r) => r.firstErrors);
    if (failed > 0) log(`subscriptions: ${failed} notes failed, first: ${firstFailure}`);
    if (errors > 0) log(`subscriptions: ${errors} subscription errors, first: ${firstErrors.join(" | ")}`);
    roundTrips.sort((a, b) => a - b);
    // Per note, from the mutation's answer (after its commit) to its first and its last delivery.
    const spans = new Map<number, [number, number]>();
    for (const r of reports)
      for (const [id, [first, last]] of r.perNote) {
        const known = spans.get(id);
        spans.set(id, known ? [Math.min(known[0], first), Math.max(known[1], last)] : [first, last]);
      }
    const firstAfterAnswer: number[] = [];
    const lastAfterAnswer: number[] = [];
    for (const [id, [first, last]] of spans) {
      const at = answered.get(id);
      if (at === undefined) continue;
      firstAfterAnswer.push(first - at);
      lastAfterAnswer.push(last - at);
    }
    firstAfterAnswer.sort((a, b) => a - b);
    lastAfterAnswer.sort((a, b) => a - b);
    const closedDuring = statuses.reduce((sum, s) => sum + s.closed, 0);
    const finalStatuses = await Promise.all(workers.map((w) => w.ask({ type: "status" }, "status")));
    const closeCodes: Record<string, number> = {};
    for (const s of finalStatuses) for (const [code, n] of Object.entries(s.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
    const idle = machineAfter.idle - machineBefore.idle;
    const total = machineAfter.total - machineBefore.total;
    const figures: Record<string, number | string> = {
      connections: clients.length,
      subscribed: open,
      closedBeforeLoad: closedDuring,
      closedAtEnd: finalStatuses.reduce((sum, s) => sum + s.closed, 0),
      closeCodes: JSON.stringify(closeCodes),
      connectSeconds: round(connectSeconds),
      rssBaselineMB: round(rssBaseline / 1024),
      rssConnectedMB: round(rssConnected / 1024),
      rssPeakMB: round(Math.max(peakRss, rssAfter) / 1024),
      rssPerConnectionKB: round((rssConnected - rssBaseline) / clients.length),
      notesWritten: written,
      notesFailed: failed,
      writeSeconds: round(writeSeconds),
      deliveries,
      expectedDeliveries: expected,
      deliveriesPerSecond: round(deliveries / writeSeconds, 0),
      latencyFrom: "just before the addTicketNote request is sent, to the subscriber parsing the event (upper bound on commit-to-receipt)",
      latencyP50Ms: round(quantile(histogram, overflow, deliveries, 0.5)),
      latencyP90Ms: round(quantile(histogram, overflow, deliveries, 0.9)),
      latencyP99Ms: round(quantile(histogram, overflow, deliveries, 0.99)),
      latencyMaxMs: round(quantile(histogram, overflow, deliveries, 1)),
      noteRoundTripP50Ms: round(percentile(roundTrips, 0.5)),
      noteRoundTripP99Ms: round(percentile(roundTrips, 0.99)),
      firstDeliveryAfterAnswerP50Ms: round(percentile(firstAfterAnswer, 0.5)),
      lastDeliveryAfterAnswerP50Ms: round(percentile(lastAfterAnswer, 0.5)),
      lastDeliveryAfterAnswerP99Ms: round(percentile(lastAfterAnswer, 0.99)),
      serverCpuPercent: round((cpuUsed / writeSeconds) * 100, 0),
      machineBusyPercent: total > 0 ? round((1 - idle / total) * 100, 0) : NaN,
      subscriptionErrors: errors,
    };
    return figures;
  } finally {
    await Promise.all(
      workers.map(async (w) => {
        if (w.child.exitCode === null) {
          w.send({ type: "close" });
          await w.reply("closed", 10_000).catch(() => undefined);
        }
      }),
    );
    await server.stop();
  }
}
