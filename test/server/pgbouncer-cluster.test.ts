import pg from "pg";
import { MIGRATIONS } from "../../src/migrations";
import { createTestDatabase, TEST_DATABASE_URL } from "../support/database";
import { uuid } from "../support/fixtures";
import { checkApiInvariants, checkDatabaseInvariants, expectOrderedLog, type Gql, type Sql } from "../support/invariants";
import { pgbouncerUnavailable, startPgBouncer, type PgBouncer } from "../support/pgbouncer";
import { Dice, prng } from "../support/prng";
import { ensureRedis, redisUnavailable } from "../support/redis";
import { call, spawnServer, until, type ServerProcess } from "../support/server-process";
import { connection, logSubscriber } from "../support/subscriber";

/**
 * Several server processes behind a load balancer on one PostgreSQL, with PgBouncer in front of
 * it in transaction pooling mode, as production runs them when one process is not enough. Through
 * such a pooler each transaction (or statement outside one) may run on another server connection:
 * LISTEN hears nothing, a session advisory lock outlives its release, a SET leaks to other clients
 * and named prepared statements vanish. The server's pool needs none of these once
 * DB_PREPARED_STATEMENTS=false (its default prepares repeated statements); what needs a
 * session goes through DATABASE_DIRECT_URL (the feed listener's LISTEN, the migration lock), or
 * the wake-ups go through Redis (REDIS_URL) and the migration lock holds through the pooler.
 *
 * Every process runs with FEED_SWEEP_INTERVAL_MS=600000, so the periodic sweep (the safety net for
 * lost notifications) cannot be what delivers, and SESSION_RECHECK_INTERVAL_MS at its default (a
 * minute), so only an announcement closes a revoked token's sockets within seconds.
 */
const NO_SWEEP = "600000";
const POOL_SIZE = 4;
const ADMIN = { HANDOVER_ADMIN_EMAIL: "admin@example.com", HANDOVER_ADMIN_PASSWORD: "bootstrap-password" };
const PROBE_WARNING = /did not hear a test notification/;

const noBouncer = pgbouncerUnavailable(TEST_DATABASE_URL);
const noRedis = redisUnavailable();
if (noBouncer) process.stderr.write(`pgbouncer-cluster: skipping every test: ${noBouncer}\n`);
else if (noRedis) process.stderr.write(`pgbouncer-cluster: skipping the Redis test: ${noRedis}\n`);

let bouncer: PgBouncer;
let redis: { url: string; stop(): void } | undefined;
const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];
const servers: ServerProcess[] = [];
const subscribers: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  if (noBouncer) return;
  bouncer = await startPgBouncer({ upstreamUrl: TEST_DATABASE_URL, defaultPoolSize: POOL_SIZE });
});
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  redis?.stop();
  // Dropped through the direct URL: pgbouncer may still hold server connections to them.
  await bouncer?.stop();
  for (const d of databases) await d.drop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs `check` while other clients through pgbouncer hold, each in a transaction, server
 * connections until one holds the server connection whose backend is `pid`.
 */
async function whileHeldByAnother(through: string, pid: number, check: () => Promise<void>): Promise<void> {
  const others: pg.Client[] = [];
  try {
    let holdsIt = false;
    while (!holdsIt && others.length < POOL_SIZE - 1) {
      const other = new pg.Client({ connectionString: through });
      await other.connect();
      others.push(other);
      await other.query("BEGIN");
      holdsIt = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid === pid;
    }
    expect(holdsIt).toBe(true);
    await check();
  } finally {
    for (const other of others) await other.end();
  }
}

function gqlOver(url: string): Gql {
  return async (query, variables, token) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: never; errors?: Array<{ message: string }> };
  };
}

async function logIn(url: string): Promise<{ token: string; userId: string; workspaceId: string }> {
  const data = await call<{ logIn: { token: string; viewer: { user: { id: string }; workspace: { id: string } } } }>(
    url,
    `mutation($i: LogInInput!) { logIn(input: $i) { token viewer { user { id } workspace { id } } } }`,
    { i: { email: ADMIN.HANDOVER_ADMIN_EMAIL, password: ADMIN.HANDOVER_ADMIN_PASSWORD } },
  );
  return { token: data.logIn.token, userId: data.logIn.viewer.user.id, workspaceId: data.logIn.viewer.workspace.id };
}

/**
 * A subscriber with the stock client, resuming from its last cursor as docs/integrators.md "Resuming" says
 * (a busy machine may close a socket: 1013 when a read fails, 4408 when connection_init is late).
 */
function subscriber(url: string, token: string, after: string) {
  const sub = logSubscriber(url, token, after, { attempts: 20, waitMs: 200 });
  subscribers.push(sub);
  return sub;
}

/** Opens a socket with `victim`, logs it out through `through`, and returns the close codes seen within five seconds. */
async function closeCodesAfterLogOut(wsUrls: string[], through: string, victim: string): Promise<number[][]> {
  const sockets = wsUrls.map((url) => connection(url, victim));
  try {
    await Promise.all(sockets.map((s) => s.connected()));
    await call(through, `mutation { logOut }`, {}, victim);
    await until(() => sockets.every((s) => s.closes.length > 0), "every socket to close", 500);
    return sockets.map((s) => s.closes);
  } finally {
    await Promise.all(sockets.map((s) => s.stop()));
  }
}

const BULK = `tickets { id } failures { code }`;
const OPS = {
  open: `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code } } }`,
  assign: `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { ${BULK} } }`,
  note: `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { ${BULK} } }`,
  topic: `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { ${BULK} } }`,
  close: `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { ${BULK} } }`,
  reopen: `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { ${BULK} } }`,
} as const;
type Op = keyof typeof OPS;

/**
 * Three processes through pgbouncer on a fresh database, started together: each migrates or
 * waits for the one that does. `session` is what carries what needs a session: the direct URL,
 * or Redis.
 */
function cluster(label: string, session: () => Record<string, string>, listening: number) {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let procs: ServerProcess[] = [];
  let admin: { token: string; userId: string; workspaceId: string };
  const sql: Sql = async (text, params) => withClient(database.url, async (c) => (await c.query(text, params as unknown[])).rows);

  it("three processes started together migrate and bootstrap once", async () => {
    database = await createTestDatabase(label);
    databases.push(database);
    const env = {
      DATABASE_URL: bouncer.urlFor(database.url),
      FEED_SWEEP_INTERVAL_MS: NO_SWEEP,
      DB_POOL_SIZE: "6",
      // Named statements would land on server connections that never parsed them (see the premise).
      DB_PREPARED_STATEMENTS: "false",
      LOG_LEVEL: "info",
      ...ADMIN,
      ...session(),
    };
    const started = Date.now();
    procs = await Promise.all([0, 1, 2].map(() => spawnServer(env)));
    servers.push(...procs);
    process.stdout.write(`pgbouncer-cluster (${label}): three processes ready in ${Date.now() - started} ms\n`);

    // One process applied the migrations, under the lock; the others found them applied.
    expect(procs.filter((p) => /"migrations applied"/.test(p.output()))).toHaveLength(1);
    const applied = await sql<{ name: string }>(`SELECT name FROM migrations ORDER BY id`);
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    // One first administrator, in one workspace.
    expect(await sql(`SELECT count(*)::int AS n FROM users`)).toEqual([{ n: 1 }]);
    expect(await sql(`SELECT count(*)::int AS n FROM workspaces`)).toEqual([{ n: 1 }]);
    // Nothing holds the migration lock any more (a session lock taken through pgbouncer would).
    expect(
      await sql(`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                       WHERE l.locktype = 'advisory' AND d.datname = current_database()`),
    ).toEqual([{ n: 0 }]);

    // The feed listeners LISTEN on direct connections (none with Redis).
    let listeners = -1;
    for (let i = 0; i < 300 && listeners !== listening; i++) {
      if (i > 0) await sleep(10);
      [{ n: listeners }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'handover-listener' AND query ILIKE 'LISTEN%'`,
      );
    }
    expect(listeners).toBe(listening);
    admin = await logIn(procs[0].url);
  }, 120_000);

  it("a subscriber on each process receives every event written through any of them, in order, and counts stay exact", async () => {
    const dice = new Dice(prng(20260301));
    const gqls = procs.map((p) => gqlOver(p.url));
    const workspaceUuid = uuid(admin.workspaceId);
    // Global ids, as the API takes them.
    const topics = (await call<{ topics: Array<{ id: string }> }>(procs[0].url, `{ topics { id } }`, {}, admin.token)).topics.map(
      (t) => t.id,
    );
    for (const [i, p] of procs.entries()) {
      const created = await call<{ createTopic: { topic: { id: string } } }>(
        p.url,
        `mutation($n: String!) { createTopic(input: { name: $n }) { topic { id } } }`,
        { n: `Topic ${i}` },
        admin.token,
      );
      topics.push(created.createTopic.topic.id);
    }
    const urns = Array.from({ length: 40 }, (_, i) => `tel:+1555900${String(i).padStart(4, "0")}`);
    const tickets: string[] = [];
    for (const [i, p] of procs.entries()) {
      const data = await call<{ openTicket: { ticket: { id: string } } }>(p.url, OPS.open, { i: { contactUrn: urns[i] } }, admin.token);
      tickets.push(data.openTicket.ticket.id);
    }

    const start = (await call<{ tickets: { eventCursor: string } }>(procs[1].url, `{ tickets(first: 1) { eventCursor } }`, {}, admin.token))
      .tickets.eventCursor;
    const subs = procs.map((p) => subscriber(p.wsUrl, admin.token, start));
    // Notes through each process in turn until every subscription is live on its process.
    const warmUpUntil = Date.now() + 30_000;
    for (let i = 0; subs.some((s) => s.events.length === 0); i++) {
      if (Date.now() > warmUpUntil) {
        const oldest = await sql(
          `SELECT datname, application_name, state, now() - xact_start AS open_for FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL ORDER BY xact_start LIMIT 1`,
        );
        throw new Error(
          `a subscription never received a warm-up note: ${JSON.stringify(subs.map((s) => ({ events: s.events.length, errors: s.errors, closes: s.closes })))}; ` +
            `oldest writing transaction on the server: ${JSON.stringify(oldest)}`,
        );
      }
      await call(procs[i % 3].url, OPS.note, { i: { ticketIds: [tickets[0]], note: `warm-up ${i}` } }, admin.token);
      await sleep(50);
    }

    // The burst: three writers on each process, changes that move every count.
    const problems: string[] = [];
    const byOp: Record<string, number> = {};
    const started = Date.now();
    await Promise.all(
      procs.flatMap((p, pi) =>
        [0, 1, 2].map(async (w) => {
          for (let n = 0; n < 20; n++) {
            const op: Op = dice.pick(["open", "assign", "assign", "note", "topic", "close", "close", "reopen"] as const);
            const ids = dice.some(tickets, 1, 3);
            const input = {
              open: () => ({ contactUrn: dice.pick(urns), topicId: dice.pick(topics) }),
              assign: () => ({ ticketIds: ids, assigneeId: dice.chance(0.3) ? null : admin.userId }),
              note: () => ({ ticketIds: ids, note: `p${pi} w${w} n${n}` }),
              topic: () => ({ ticketIds: ids, topicId: dice.pick(topics) }),
              close: () => ({ ticketIds: ids }),
              reopen: () => ({ ticketIds: ids }),
            }[op]();
            byOp[op] = (byOp[op] ?? 0) + 1;
            const res = await gqls[pi]<Record<string, { ticket?: { id: string } | null }>>(OPS[op], { i: input }, admin.token);
            if (res.errors || !res.data) problems.push(`${op} on process ${pi}: ${JSON.stringify(res.errors ?? res)}`);
            const opened = res.data?.openTicket?.ticket;
            if (opened) tickets.push(opened.id);
          }
        }),
      ),
    );
    const burstMs = Date.now() - started;
    expect(problems.slice(0, 10)).toEqual([]);

    // Every event written after the start, in cursor order, as the table holds them: each
    // subscriber received exactly these, once each, in this order.
    const [startTx, startSeq] = start.split(".");
    const written = await sql<{ id: string; cursor: string }>(
      `SELECT id, tx_id::text || '.' || seq::text AS cursor FROM ticket_events
        WHERE workspace_id = $1 AND (tx_id, seq) > ($2::bigint, $3::bigint) ORDER BY tx_id, seq`,
      [workspaceUuid, startTx, startSeq],
    );
    for (const s of subs) await until(() => s.events.length >= written.length, "every event on every process");
    for (const s of subs) {
      expect(s.errors).toEqual([]);
      expectOrderedLog(s.events);
      expect(s.events.map((e) => e.cursor)).toEqual(written.map((e) => e.cursor));
      expect(s.events.map((e) => e.id)).toEqual(written.map((e) => e.id));
    }

    // Counts agree with COUNT(*) over the tables, as each process reads them.
    const figures = await checkDatabaseInvariants(sql);
    for (const g of gqls) await checkApiInvariants(sql, g, { workspaceUuid, token: admin.token, userUuid: uuid(admin.userId) });
    process.stdout.write(
      `pgbouncer-cluster (${label}): 180 mutations through 3 processes in ${burstMs} ms ${JSON.stringify(byOp)}; ` +
        `${written.length} events delivered to each of 3 subscribers (sockets closed and resumed: ${JSON.stringify(subs.map((s) => s.closes))}); ` +
        `${figures.tickets} tickets, ${figures.openTickets} open\n`,
    );

    // All of it went through pgbouncer, on at most POOL_SIZE server connections to this database.
    const pools = await bouncer.show<{ database: string; pool_mode: string; sv_active: number; sv_idle: number; sv_used: number }>("POOLS");
    const pool = pools.find((p) => p.database === database.name);
    expect(pool?.pool_mode).toBe("transaction");
    expect(pool!.sv_active + pool!.sv_idle + pool!.sv_used).toBeLessThanOrEqual(POOL_SIZE);
    const stats = await bouncer.show<{ database: string; total_xact_count: string }>("STATS");
    expect(Number(stats.find((s) => s.database === database.name)?.total_xact_count)).toBeGreaterThan(180);
  }, 120_000);

  it("a token revoked through one process closes its sockets on the others with 4403", async () => {
    const victim = (await logIn(procs[1].url)).token;
    expect(await closeCodesAfterLogOut([procs[1].wsUrl, procs[2].wsUrl], procs[0].url, victim)).toEqual([[4403], [4403]]);
  }, 30_000);

  it("no process warns that its listener hears nothing", () => {
    for (const p of procs) expect(p.output()).not.toMatch(PROBE_WARNING);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGTERM")));
  });

  return {
    database: () => database,
  };
}

(noBouncer ? describe.skip : describe)("PgBouncer in transaction pooling mode", () => {
  it("drops named prepared statements: the next use lands on a server connection that never saw them", async () => {
    const database = await createTestDatabase("bouncerprepared");
    databases.push(database);
    const through = bouncer.urlFor(database.url);
    await withClient(through, async (client) => {
      const named = { name: "premise", text: "SELECT $1::int + 1 AS v, pg_backend_pid() AS pid" };
      const [{ pid }] = (await client.query<{ v: number; pid: number }>({ ...named, values: [1] })).rows;
      // Another client takes the server connection that parsed it, inside a transaction.
      await whileHeldByAnother(through, pid, async () => {
        // The driver remembers the statement as parsed and only binds it: on another server connection.
        await expect(client.query({ ...named, values: [2] })).rejects.toMatchObject({ code: "26000" });
      });
    });
  });

  it("drops what needs a session: LISTEN hears nothing, a session lock outlives its unlock", async () => {
    const [config] = await bouncer.show<{ key: string; value: string }>("CONFIG").then((rows) => rows.filter((r) => r.key === "pool_mode"));
    expect(config.value).toBe("transaction");
    const database = await createTestDatabase("bouncerpremise");
    databases.push(database);
    const through = bouncer.urlFor(database.url);
    await withClient(database.url, async (direct) => {
      const heard = { direct: 0, through: 0 };
      direct.on("notification", () => heard.direct++);
      await direct.query("LISTEN premise");
      await withClient(through, async (listener) => {
        listener.on("notification", () => heard.through++);
        await listener.query("LISTEN premise");
        await withClient(through, async (writer) => {
          // NOTIFY inside a transaction through pgbouncer: delivered at commit, to direct listeners.
          await writer.query("BEGIN");
          await writer.query("SELECT pg_notify('premise', 'in a transaction')");
          await writer.query("COMMIT");
          await writer.query("BEGIN");
          await writer.query("SELECT pg_notify('premise', 'rolled back')");
          await writer.query("ROLLBACK");
          // A session lock taken through pgbouncer, and released on another server connection: that
          // of the lock is busy with another client's transaction meanwhile.
          const [{ pid }] = (await writer.query<{ pid: number }>("SELECT pg_advisory_lock(4242), pg_backend_pid() AS pid")).rows;
          await whileHeldByAnother(through, pid, async () => {
            const [{ released }] = (await writer.query<{ released: boolean }>("SELECT pg_advisory_unlock(4242) AS released")).rows;
            expect(released).toBe(false);
            // The lock stays with a server connection that pgbouncer hands to whoever comes next.
            expect(
              (await direct.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242`)).rows,
            ).toEqual([{ n: 1 }]);
          });
        });
        await sleep(300);
      });
      expect(heard).toEqual({ direct: 1, through: 0 });
    });
  });

  describe("with DATABASE_DIRECT_URL for the listener and the migration lock", () => {
    const run = cluster("bouncerdirect", () => ({ DATABASE_DIRECT_URL: run.database().url }), 3);

    it("without it nor Redis, a process warns that its listener hears nothing", async () => {
      const alone = await spawnServer({
        DATABASE_URL: bouncer.urlFor(run.database().url),
        DB_PREPARED_STATEMENTS: "false",
        FEED_SWEEP_INTERVAL_MS: NO_SWEEP,
        ...ADMIN,
      });
      servers.push(alone);
      await until(() => PROBE_WARNING.test(alone.output()), "the listener's warning", 1000);
      expect(alone.output()).toMatch(/Set DATABASE_DIRECT_URL to a direct connection, or REDIS_URL/);
      await alone.stop("SIGTERM");
    }, 30_000);
  });

  (noRedis ? describe.skip : describe)("with REDIS_URL for the wake-ups, and no direct connection at all", () => {
    beforeAll(async () => {
      redis = await ensureRedis("pgbouncer-cluster");
    });
    cluster("bouncerredis", () => ({ REDIS_URL: redis!.url }), 0);
  });
});
