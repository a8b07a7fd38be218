import Redis from "ioredis";
import pg from "pg";
import { uuid } from "../support/fixtures";
import { createTestDatabase } from "../support/database";
import { ensureRedis, redisUnavailable } from "../support/redis";
import { call, spawnServer, until, type ServerProcess } from "../support/server-process";
import { connection, subscribe } from "../support/subscriber";

/**
 * Several server processes on one PostgreSQL database: a subscriber on one process receives what
 * another commits (LISTEN/NOTIFY, or Redis pub/sub with REDIS_URL), and the stock graphql-ws
 * client fails over to another process when its own dies, resuming from its last cursor.
 *
 * Every process here runs with FEED_SWEEP_INTERVAL_MS=600000, so the periodic sweep (the safety
 * net for lost notifications) cannot be what delivers: only the notification path can.
 */
const NO_SWEEP = "600000";
const ADMIN = { HANDOVER_ADMIN_EMAIL: "admin@example.com", HANDOVER_ADMIN_PASSWORD: "bootstrap-password" };

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const servers: ServerProcess[] = [];
const subscribers: Array<{ stop(): Promise<void> }> = [];
let redis: { url: string; stop(): void } | undefined;

beforeAll(async () => {
  database = await createTestDatabase("cluster");
});
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  redis?.stop();
  await database?.drop();
});

async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = await spawnServer({ DATABASE_URL: database.url, FEED_SWEEP_INTERVAL_MS: NO_SWEEP, ...ADMIN, ...env });
  servers.push(server);
  return server;
}

interface Received {
  cursor: string;
  note: string | null;
}

const SUBSCRIBE = `subscription($after: String, $filter: TicketEventFilter) {
  ticketEvents(after: $after, filter: $filter) { cursor note }
}`;
const NOTES_ONLY = { types: ["NOTE_ADDED"] };

const logIn = async (url: string) =>
  (
    await call<{ logIn: { token: string } }>(url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
      i: { email: ADMIN.HANDOVER_ADMIN_EMAIL, password: ADMIN.HANDOVER_ADMIN_PASSWORD },
    })
  ).logIn.token;

let urnCounter = 0;
async function openTickets(url: string, token: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    urnCounter += 1;
    const data = await call<{ openTicket: { ticket: { id: string } } }>(
      url,
      `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
      { i: { contactUrn: `tel:+1555700${String(urnCounter).padStart(4, "0")}` } },
      token,
    );
    ids.push(data.openTicket.ticket.id);
  }
  return ids;
}

const addNote = (url: string, token: string, ticketIds: string[], note: string) =>
  call(url, `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`, { i: { ticketIds, note } }, token);

const eventCursor = async (url: string, token: string) =>
  (await call<{ tickets: { eventCursor: string } }>(url, `{ tickets(first: 1) { eventCursor } }`, {}, token)).tickets.eventCursor;

/** The NOTE_ADDED events of the log after a cursor, read until there are `count` of them. */
async function logAfter(url: string, token: string, after: string, count: number): Promise<Received[]> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const all: Received[] = [];
    let cursor = after;
    for (;;) {
      const page = await call<{ ticketEvents: { nodes: Received[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        url,
        `query($after: String, $filter: TicketEventFilter) {
          ticketEvents(after: $after, filter: $filter, first: 100) { nodes { cursor note } pageInfo { hasNextPage endCursor } } }`,
        { after: cursor, filter: NOTES_ONLY },
        token,
      );
      all.push(...page.ticketEvents.nodes);
      cursor = page.ticketEvents.pageInfo.endCursor ?? cursor;
      if (!page.ticketEvents.pageInfo.hasNextPage) break;
    }
    if (all.length >= count) return all;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the log never held ${count} events`);
}

/**
 * A subscriber with the stock client, resuming as an integrator should: the subscribe payload
 * keeps one `variables` object, whose `after` follows every received cursor, so that the
 * client's own retry sends the last cursor when it subscribes again.
 */
function resumingSubscriber(url: () => string, token: string, variables: { after: string; filter?: unknown }) {
  const sub = subscribe<{ ticketEvents: Received }>(url, token, SUBSCRIBE, {
    variables,
    resume: { attempts: 100, waitMs: 100, giveUpOn: [] },
  });
  subscribers.push(sub);
  /** `variables.after`, and how many events had arrived, each time the client (re)connected. */
  return { ...sub, resumedFrom: sub.connections };
}

const cursors = (events: Received[]) => events.map((e) => e.cursor);

/**
 * Writes a note until the subscriber has received one: from then on its subscription is live on
 * its process. (A commit announced before a process has any subscriber of the workspace wakes
 * nothing there; if an older transaction still hid it from the new subscription's first read,
 * only a later wake-up reads it, and with no sweep here, only a later commit.) Returns how many
 * notes it wrote; every one of them is delivered.
 */
async function warmUp(write: (note: string) => Promise<unknown>, sub: { events: Received[] }): Promise<number> {
  for (let i = 0; i < 20; i++) {
    await write(`warm-up ${i}`);
    for (let j = 0; j < 100 && sub.events.length === 0; j++) await new Promise((r) => setTimeout(r, 10));
    if (sub.events.length > 0) return i + 1;
  }
  throw new Error("the subscription never received a warm-up note");
}

/** How many feed listeners (LISTEN handover_feed) the servers hold on the test database. */
async function listeners(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'handover-listener'`,
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/**
 * Connects to one process with a fresh session, logs that session out through another, and
 * returns the close codes the connection saw within five seconds (the periodic check runs
 * once a minute by default, so only the announcement can close it sooner).
 */
async function closeCodeAfterLogOut(wsUrl: string, httpUrl: string, victim: string): Promise<number[]> {
  const socket = connection(wsUrl, victim);
  try {
    await socket.connected();
    await call(httpUrl, `mutation { logOut }`, {}, victim);
    await until(() => socket.closes.length > 0, "the socket to close", 500);
    return socket.closes;
  } finally {
    await socket.stop();
  }
}

describe("two processes on one database, through LISTEN/NOTIFY", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  let start: string;
  let sub: ReturnType<typeof resumingSubscriber>;
  let aGone = false;
  let delivered = 0;

  it("delivers 1,000 events written on B to a subscriber on A, in commit order", async () => {
    [a, b] = await Promise.all([startServer({}), startServer({})]);
    token = await logIn(a.url);
    // Both processes wake each other through LISTEN/NOTIFY.
    for (let i = 0; i < 500 && (await listeners()) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await listeners()).toBe(2);

    const tickets = await openTickets(b.url, token, 20);
    start = await eventCursor(b.url, token);
    sub = resumingSubscriber(() => (aGone ? b.wsUrl : a.wsUrl), token, { after: start, filter: NOTES_ONLY });
    const warm = await warmUp((note) => addNote(b.url, token, [tickets[0]], note), sub);

    // Four concurrent writers on B, five tickets each: 4 × 50 calls × 5 events.
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let i = 0; i < 50; i++) await addNote(b.url, token, tickets.slice(w * 5, w * 5 + 5), `w${w}-${i}`);
      }),
    );
    delivered = warm + 1000;
    await until(() => sub.events.length >= delivered, "1,000 events on A");
    const log = await logAfter(b.url, token, start, delivered);
    expect(log).toHaveLength(delivered);
    expect(cursors(sub.events)).toEqual(cursors(log));
    expect(sub.events.map((e) => e.note)).toEqual(log.map((e) => e.note));
    expect(sub.errors).toEqual([]);
    expect(sub.resumedFrom).toEqual([{ after: start, received: 0 }]);
  }, 60_000);

  it("a token revoked through B closes its subscription on A with 4403", async () => {
    expect(await closeCodeAfterLogOut(a.wsUrl, b.url, await logIn(a.url))).toEqual([4403]);
  });

  it("A dies mid-stream: the stock client's retry resumes on B from the last cursor, every event once", async () => {
    const tickets = await openTickets(b.url, token, 10);
    let killedAt = -1;
    let produced = 0;
    // Enough has gone through B once the client resubscribed there and received 50 events since.
    const throughB = () => killedAt >= 0 && sub.resumedFrom.length >= 2 && sub.events.length >= killedAt + 50;
    const writers = [0, 1].map(async (w) => {
      let afterKill = 0;
      // Writes on until A has been dead for a while and B delivers; bounded in any case.
      for (let i = 0; i < 500 && !(afterKill >= 25 && throughB()); i++) {
        await addNote(b.url, token, tickets.slice(w * 5, w * 5 + 5), `failover w${w}-${i}`);
        produced += 5;
        if (killedAt >= 0) afterKill++;
      }
      if (!(afterKill >= 25 && throughB())) throw new Error("the writer stopped before the subscriber resumed on B");
    });
    // Once A has delivered part of the stream, it crashes: no 1012, no goodbye.
    await until(() => sub.events.length >= delivered + 100, "the stream to be under way on A");
    aGone = true;
    killedAt = sub.events.length;
    expect(await a.stop("SIGKILL")).toBe("SIGKILL");
    await Promise.all(writers);

    delivered += produced;
    await until(() => sub.events.length >= delivered, "every event, through B");
    const log = await logAfter(b.url, token, start, delivered);
    expect(log).toHaveLength(delivered);
    // No duplicate, no gap: exactly the log.
    expect(cursors(sub.events)).toEqual(cursors(log));
    expect(sub.errors).toEqual([]);
    expect(killedAt).toBeLessThan(delivered);
    // The socket to A closed abnormally (1006), and the client subscribed again on B with the
    // cursor of the last event it had received: its one variables object, updated.
    expect(sub.closes[0]).toBe(1006);
    expect(sub.resumedFrom.length).toBeGreaterThanOrEqual(2);
    const resumed = sub.resumedFrom[sub.resumedFrom.length - 1];
    expect(resumed.received).toBeGreaterThanOrEqual(killedAt);
    expect(resumed.after).toBe(sub.events[resumed.received - 1].cursor);
    await sub.stop();
  }, 60_000);

  afterAll(async () => {
    await b?.stop("SIGTERM");
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`subscriptions-cluster: ${noRedis}: skipping the Redis fan-out test\n`);

describe("two processes on one database, through Redis pub/sub (REDIS_URL)", () => {
  (noRedis ? it.skip : it)(
    "a commit on D reaches a subscriber on C through Redis, not through PostgreSQL",
    async () => {
      redis = await ensureRedis("subscriptions-cluster");
      const redisUrl = redis.url;
      const [c, d] = await Promise.all([startServer({ REDIS_URL: redisUrl }), startServer({ REDIS_URL: redisUrl })]);
      const token = await logIn(d.url);
      const workspace = uuid(
        (await call<{ viewer: { workspace: { id: string } } }>(d.url, `{ viewer { workspace { id } } }`, {}, token)).viewer.workspace.id,
      );
      // With REDIS_URL no process LISTENs: PostgreSQL cannot carry the wake-ups.
      expect(await listeners()).toBe(0);
      // What the processes publish, as Redis carries it.
      const spy = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      const published: string[] = [];
      spy.on("message", (_channel: string, payload: string) => published.push(payload));
      await spy.connect();
      await spy.subscribe("handover_feed");
      try {
        const tickets = await openTickets(d.url, token, 1);
        const from = await eventCursor(d.url, token);
        const sub = resumingSubscriber(() => c.wsUrl, token, { after: from, filter: NOTES_ONLY });
        const warm = await warmUp((note) => addNote(d.url, token, tickets, note), sub);
        await until(() => sub.events.length === warm, "the warm-up notes on C");
        // Each write after the subscription is live: nothing but a wake-up from Redis reads it on C
        // (C writes nothing itself, does not LISTEN, and sweeps every ten minutes).
        for (let i = 0; i < 20; i++) {
          await addNote(d.url, token, tickets, `redis ${i}`);
          await until(() => sub.events.length === warm + i + 1, `event ${i} on C`);
        }
        const log = await logAfter(d.url, token, from, warm + 20);
        expect(cursors(sub.events)).toEqual(cursors(log));
        expect(sub.errors).toEqual([]);
        // D published each commit's cursor on the channel.
        const ours = published.filter((p) => p.startsWith(`events ${workspace} `)).map((p) => p.split(" ")[2]);
        expect(ours).toEqual(expect.arrayContaining(cursors(log)));
        expect(await listeners()).toBe(0);
        await sub.stop();
        // Session changes travel the same way: a logOut on D closes the session's socket on C.
        expect(await closeCodeAfterLogOut(c.wsUrl, d.url, await logIn(d.url))).toEqual([4403]);
      } finally {
        spy.disconnect();
      }
      await Promise.all([c.stop("SIGTERM"), d.stop("SIGTERM")]);
    },
    60_000,
  );
});
