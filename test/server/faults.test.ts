/**
 * Faults under load, on a server run as its own process:
 *
 * (a) PostgreSQL goes away and comes back. The cluster is a private one of this test (the
 *     machine's shared PostgreSQL serves everyone else's tests). While it is down /readyz says
 *     503, /healthz stays 200, and requests fail cleanly with SERVICE_UNAVAILABLE, HTTP 503 and
 *     Retry-After (no stack, no SQL), whether they fail in authentication or in a resolver; once
 *     it is back the same process serves again without a restart, and a subscriber that resumes as
 *     docs/integrators.md "Resuming" says has lost no event.
 * (b) SIGTERM in the middle of bulk changes: each finishes or rolls back whole, WebSockets close
 *     with 1012, and the process exits 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { checkResponse } from "../support/clean-response";
import { createTestDatabase } from "../support/database";
import { newUrn } from "../support/fixtures";
import { checkApiInvariants, checkDatabaseInvariants, expectOrderedLog, type Gql, type Sql } from "../support/invariants";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres";
import { type ServerProcess, spawnServer, until } from "../support/server-process";
import { logSubscriber, subscribe } from "../support/subscriber";

const ADMIN_PASSWORD = "faults-admin-password";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const uuidOf = (globalId: string) => Buffer.from(globalId, "base64").toString("utf8").split(":")[1];

interface Answer {
  status: number;
  codes: string[];
  problems: string[];
  data?: Record<string, unknown>;
  retryAfter?: string | null;
  /** The request never got an answer (connection refused or reset). */
  unanswered?: string;
}

/** POSTs an operation and checks the answer is clean, whatever it is. */
async function post(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string | undefined,
  secrets: string[],
): Promise<Answer> {
  const body = JSON.stringify({ query, variables });
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return { status: 0, codes: [], problems: [], unanswered: String((error as Error).cause ?? error) };
  }
  const text = await response.text();
  const checked = checkResponse(response.status, response.headers.get("content-type"), text, body, {
    secrets,
    alsoAllowed: ["SERVICE_UNAVAILABLE"],
    allowedServerStatuses: [503],
  });
  const data = (checked.body as { data?: Record<string, unknown> } | undefined)?.data;
  return {
    status: response.status,
    codes: checked.codes,
    problems: checked.problems,
    data: data ?? undefined,
    retryAfter: response.headers.get("retry-after"),
  };
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
  const res = await post(
    url,
    `mutation($i: LogInInput!) { logIn(input: $i) { token viewer { user { id } workspace { id } } } }`,
    { i: { email: "admin@example.com", password: ADMIN_PASSWORD } },
    undefined,
    [],
  );
  const payload = res.data?.logIn as { token: string; viewer: { user: { id: string }; workspace: { id: string } } } | undefined;
  if (!payload?.token) throw new Error(`logIn failed: ${JSON.stringify(res)}`);
  return { token: payload.token, userId: payload.viewer.user.id, workspaceId: payload.viewer.workspace.id };
}

const OPEN = `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } failures { code } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } failures { code } } }`;
const REOPEN = `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { tickets { id } failures { code } } }`;
const ASSIGN = `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { tickets { id } failures { code } } }`;
const unavailable = privatePostgresUnavailable();
if (unavailable) process.stdout.write(`faults: skipping the PostgreSQL restart test: ${unavailable}\n`);

describe("PostgreSQL restarted under load", () => {
  let pgServer: PrivatePostgres | undefined;
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  let sqlClient: pg.Client | undefined;
  let subscriber: ReturnType<typeof logSubscriber> | undefined;
  afterAll(async () => {
    await subscriber?.stop();
    await server?.stop("SIGKILL");
    await sqlClient?.end().catch(() => undefined);
    await pgServer?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  (unavailable ? it.skip : it)(
    "answers 503 on /readyz and SERVICE_UNAVAILABLE while it is down, recovers without a restart, and a resuming subscriber loses nothing",
    async () => {
      pgServer = await startPrivatePostgres();
      dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-faults-"));
      server = await spawnServer({
        DATABASE_URL: pgServer.url,
        DATA_DIR: dataDir,
        LOG_LEVEL: "info",
        HANDOVER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DB_POOL_SIZE: "6",
        FEED_SWEEP_INTERVAL_MS: "200",
        RATE_LIMIT_PER_SECOND: "0",
      });
      const url = server.url;
      const base = url.replace(/\/graphql$/, "");
      const admin = await logIn(url);
      const secrets = [admin.token, ADMIN_PASSWORD];
      const eventCursor = (
        (await post(url, `{ tickets(first: 1) { eventCursor } }`, {}, admin.token, secrets)).data!.tickets as { eventCursor: string }
      ).eventCursor;
      // A subscriber of every ticket event that resumes from its last cursor after any close.
      subscriber = logSubscriber(server.wsUrl, admin.token, eventCursor, { attempts: Infinity, waitMs: 300 });

      type Phase = "before" | "down" | "recovering" | "after";
      let phase: Phase = "before";
      // A request that started in one phase and ended in another is a "boundary" one.
      const answers: Record<Phase | "boundary", Answer[]> = { before: [], down: [], recovering: [], after: [], boundary: [] };
      let stopLoad = false;
      const worker = async (w: number) => {
        const mine: string[] = [];
        for (let i = 0; !stopLoad; i++) {
          const at = phase;
          let answer: Answer;
          if (mine.length === 0 || i % 3 === 0) {
            answer = await post(url, OPEN, { i: { contactUrn: newUrn(), note: `worker ${w}` } }, admin.token, secrets);
            const id = (answer.data?.openTicket as { ticket: { id: string } | null } | undefined)?.ticket?.id;
            if (id) mine.push(id);
          } else if (i % 3 === 1) {
            answer = await post(url, NOTE, { i: { ticketIds: mine.slice(-5), note: `note ${w}.${i}` } }, admin.token, secrets);
          } else {
            answer = await post(url, i % 2 ? CLOSE : REOPEN, { i: { ticketIds: mine.slice(-3) } }, admin.token, secrets);
          }
          answers[phase === at ? at : "boundary"].push(answer);
          if (answer.status !== 200) await sleep(50);
        }
      };
      const load = Promise.all([0, 1, 2, 3].map(worker));
      const ready = async () => (await fetch(`${base}/readyz`)).status;
      const healthy = async () => (await fetch(`${base}/healthz`)).status;

      await sleep(2000);
      expect(await ready()).toBe(200);

      // Down.
      phase = "down";
      await pgServer.stop("fast");
      const downAt = Date.now();
      let readyStatus = 0;
      while (Date.now() - downAt < 15_000 && (readyStatus = await ready()) !== 503) await sleep(100);
      expect(readyStatus).toBe(503);
      expect(await healthy()).toBe(200);
      await sleep(3000);
      const duringOutage = await post(url, `{ viewer { role } ticketCounts { folders { open } } }`, {}, admin.token, secrets);
      expect(duringOutage.problems).toEqual([]);
      expect(duringOutage.codes).toContain("SERVICE_UNAVAILABLE");
      expect(server.proc.exitCode).toBeNull();

      // Back, without restarting the server.
      phase = "recovering";
      await pgServer.start();
      const upAt = Date.now();
      while (Date.now() - upAt < 30_000 && (readyStatus = await ready()) !== 200) await sleep(100);
      expect(readyStatus).toBe(200);
      const recoveredIn = Date.now() - upAt;
      await sleep(1000);
      phase = "after";
      await sleep(3000);
      stopLoad = true;
      await load;

      const all = Object.values(answers).flat();
      const summary = Object.fromEntries(
        Object.entries(answers).map(([p, list]) => {
          const codes: Record<string, number> = {};
          for (const a of list) {
            const key = a.unanswered ? "unanswered" : a.codes.length > 0 ? [...new Set(a.codes)].join("+") : `ok ${a.status}`;
            codes[key] = (codes[key] ?? 0) + 1;
          }
          return [p, codes];
        }),
      );
      process.stdout.write(
        `faults (a): ready again ${recoveredIn} ms after PostgreSQL started; answers by phase ${JSON.stringify(summary)}\n`,
      );
      // With what the server logged under the request id of any failure.
      const logged = (problem: string) => {
        const id = /request id ([\w-]+)/.exec(problem)?.[1];
        const lines = id
          ? server!
              .output()
              .split("\n")
              .filter((l) => l.includes(id))
          : [];
        return lines.length > 0 ? `${problem}\n  log: ${lines.join("\n  log: ").slice(0, 1500)}` : problem;
      };
      expect(
        all
          .flatMap((a) => a.problems)
          .slice(0, 5)
          .map(logged),
      ).toEqual([]);
      // The server itself never stopped answering.
      expect(all.filter((a) => a.unanswered).map((a) => a.unanswered)).toEqual([]);
      // Before and after the outage everything succeeds; during it, only SERVICE_UNAVAILABLE.
      for (const p of ["before", "after"] as const) {
        expect(answers[p].length).toBeGreaterThan(0);
        expect(answers[p].filter((a) => a.codes.length > 0).map((a) => a.codes)).toEqual([]);
      }
      expect(answers.down.length).toBeGreaterThan(0);
      expect([...new Set(answers.down.flatMap((a) => a.codes))]).toEqual(["SERVICE_UNAVAILABLE"]);
      // Whether it failed in authentication or in a resolver: 503 with Retry-After.
      expect(
        answers.down
          .filter((a) => a.codes.length > 0)
          .filter((a) => a.status !== 503 || a.retryAfter !== "2")
          .map((a) => a.status),
      ).toEqual([]);

      // The subscriber resumed and has every event after its cursor, once, in order.
      sqlClient = new pg.Client({ connectionString: pgServer.url });
      await sqlClient.connect();
      const client = sqlClient;
      const sql: Sql = async (text, params) => (await client.query(text, params as unknown[])).rows;
      // The LISTEN connection that wakes subscribers on other processes' commits is back too.
      let listening = 0;
      for (let i = 0; i < 100 && listening === 0; i++) {
        [{ n: listening }] = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'handover-listener' AND query ILIKE 'LISTEN%'`,
        );
        if (listening === 0) await sleep(100);
      }
      expect(listening).toBe(1);
      const figures = await checkDatabaseInvariants(sql);
      const { events: log } = await checkApiInvariants(sql, gqlOver(url), {
        workspaceUuid: uuidOf(admin.workspaceId),
        token: admin.token,
        userUuid: uuidOf(admin.userId),
      });
      const live = subscriber;
      await until(() => live.events.length >= log.length, "the subscriber to catch up", 3000).catch((error: unknown) => {
        if (process.env.FAULTS_LOG) writeFileSync(process.env.FAULTS_LOG, server!.output());
        throw new Error(
          `${String(error)}: it has ${live.events.length} of ${log.length} events, closes ${JSON.stringify(live.closeDetails.slice(0, 12))}, ` +
            `errors ${JSON.stringify(live.errors).slice(0, 500)}; server log:\n${server!.output().slice(-3000)}`,
        );
      });
      expectOrderedLog(live.events);
      expect(live.events.map((e) => e.id)).toEqual(log.map((e) => e.id));
      expect(live.errors).toEqual([]);
      process.stdout.write(
        `faults (a): ${all.length} requests, ${figures.tickets} tickets, ${figures.events} events; the subscriber ` +
          `(closed ${live.closes.length} times: ${JSON.stringify(live.closes)}) got all ${live.events.length}\n`,
      );
      expect(server.proc.exitCode).toBeNull();
      expect(server.output()).not.toMatch(/uncaught|unhandled/i);
      for (const secret of secrets) expect(server.output().includes(secret)).toBe(false);
    },
    180_000,
  );
});

describe("A request that meets a lost database", () => {
  let pgServer: PrivatePostgres | undefined;
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await pgServer?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  (unavailable ? it.skip : it)(
    "answers 503 with Retry-After and SERVICE_UNAVAILABLE, whether it fails in a resolver or in authentication",
    async () => {
      pgServer = await startPrivatePostgres();
      dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-faults-"));
      server = await spawnServer({
        DATABASE_URL: pgServer.url,
        DATA_DIR: dataDir,
        HANDOVER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        // Who the first token acts for stays remembered through the outage: its requests get past
        // authentication and fail in their resolvers.
        AUTH_CACHE_MS: "60000",
      });
      const url = server.url;
      const remembered = (await logIn(url)).token;
      // Another session, never used on this process: authenticating it needs the database.
      const unknown = (await logIn(url)).token;
      const before = await post(url, `{ tickets(first: 1) { edges { node { id } } } }`, {}, remembered, [remembered, unknown]);
      expect(before).toMatchObject({ status: 200, codes: [] });

      await pgServer.stop("fast");

      const secrets = [remembered, unknown, ADMIN_PASSWORD];
      const answer = async (what: string, init: { method?: string; body?: string; token?: string; query?: string }) => {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (init.token) headers.authorization = `Bearer ${init.token}`;
        const target = init.query ? `${url}?query=${encodeURIComponent(init.query)}` : url;
        const response = await fetch(target, {
          method: init.method ?? "POST",
          headers,
          body: init.body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        const checked = checkResponse(response.status, response.headers.get("content-type"), text, init.body ?? "", {
          secrets,
          alsoAllowed: ["SERVICE_UNAVAILABLE"],
          allowedServerStatuses: [503],
        });
        return {
          what,
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
          codes: checked.codes,
          problems: checked.problems,
        };
      };
      const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
      const answers = [
        // Past authentication (the token is remembered): the resolvers fail.
        await answer("a query in its resolver", { token: remembered, body: body(`{ tickets(first: 1) { edges { node { id } } } }`) }),
        await answer("a mutation in its resolver", { token: remembered, body: body(OPEN, { i: { contactUrn: newUrn() } }) }),
        await answer("a GET query in its resolver", { method: "GET", token: remembered, query: `{ ticketCounts { folders { open } } }` }),
        await answer("an anonymous logIn in its resolver", {
          body: body(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
            i: { email: "admin@example.com", password: ADMIN_PASSWORD },
          }),
        }),
        // Authenticating the token needs the database: the request fails before GraphQL runs.
        await answer("a query in authentication", { token: unknown, body: body(`{ viewer { role } }`) }),
      ];
      const expected = answers.map(({ what }) => ({ what, status: 503, retryAfter: "2", codes: ["SERVICE_UNAVAILABLE"], problems: [] }));
      expect(
        answers.map(({ what, status, retryAfter, codes, problems }) => ({
          what,
          status,
          retryAfter,
          codes: [...new Set(codes)],
          problems,
        })),
      ).toEqual(expected);
      expect(server.proc.exitCode).toBeNull();
      for (const secret of secrets) expect(server.output().includes(secret)).toBe(false);
    },
    120_000,
  );
});

describe("SIGTERM under load", () => {
  it("lets in-flight bulk changes finish or roll back whole, closes sockets with 1012, and exits 0", async () => {
    const database = await createTestDatabase("faults");
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-faults-"));
    const db = new pg.Client({ connectionString: database.url });
    let server: ServerProcess | undefined;
    try {
      server = await spawnServer({
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        HANDOVER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DB_POOL_SIZE: "8",
        SHUTDOWN_GRACE_MS: "30000",
        RATE_LIMIT_PER_SECOND: "0",
      });
      const url = server.url;
      const admin = await logIn(url);
      const secrets = [admin.token, ADMIN_PASSWORD];
      const tickets: string[] = [];
      await Promise.all(
        [0, 1, 2, 3, 4].map(async () => {
          while (tickets.length < 150) {
            const res = await post(url, OPEN, { i: { contactUrn: newUrn() } }, admin.token, secrets);
            tickets.push((res.data!.openTicket as { ticket: { id: string } }).ticket.id);
          }
        }),
      );
      // A feed with nothing to deliver here: the bulk changes must not make it a slow subscriber (1013).
      const subscribers = [0, 1, 2].map(() =>
        subscribe(server!.wsUrl, admin.token, `subscription { ticketEvents(filter: { types: [MESSAGE_RECEIVED] }) { cursor } }`),
      );
      await sleep(500);

      // Bulk notes with a text of their own, so each call's effect can be counted afterwards.
      const calls: Array<{ note: string; ids: string[]; answer?: Answer }> = [];
      let stop = false;
      let signalled = false;
      // Requests of every kind sent after the signal: answered in full, or refused at the door.
      const afterSignal = { answered: 0, refused: 0 };
      const send = async (query: string, variables: Record<string, unknown>): Promise<Answer> => {
        const late = signalled;
        const answer = await post(url, query, variables, admin.token, secrets);
        if (late) afterSignal[answer.unanswered ? "refused" : "answered"] += 1;
        if (answer.unanswered) stop = true;
        return answer;
      };
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const ids = Array.from({ length: 100 }, (_, k) => tickets[(w * 37 + i * 11 + k) % tickets.length]);
          if (i % 4 === 3) {
            await send(i % 8 === 3 ? CLOSE : REOPEN, { i: { ticketIds: ids } });
            continue;
          }
          if (i % 4 === 2) {
            await send(ASSIGN, { i: { ticketIds: ids, assigneeId: i % 8 === 2 ? admin.userId : null } });
            continue;
          }
          const call: { note: string; ids: string[]; answer?: Answer } = { note: `bulk ${w}.${i}`, ids: [...new Set(ids)] };
          calls.push(call);
          call.answer = await send(NOTE, { i: { ticketIds: ids, note: call.note } });
        }
      };
      const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
      await sleep(1500);
      const inFlightAtSignal = calls.filter((c) => !c.answer).length;
      signalled = true;
      const exited = server.stop("SIGTERM");
      const code = await exited;
      stop = true;
      await load;
      await Promise.all(subscribers.map((s) => s.stop()));

      expect(code).toBe(0);
      expect(subscribers.map((s) => s.closes[0])).toEqual([1012, 1012, 1012]);
      const answered = calls.filter((c) => c.answer && !c.answer.unanswered);
      expect(answered.flatMap((c) => c.answer!.problems)).toEqual([]);

      // Each note call changed all of its tickets or none: never part of them.
      await db.connect();
      const counts = new Map(
        (
          await db.query<{ note: string; n: number }>(
            `SELECT note, count(*)::int AS n FROM ticket_events WHERE type = 'NOTE_ADDED' AND note LIKE 'bulk %' GROUP BY note`,
          )
        ).rows.map((r) => [r.note, r.n]),
      );
      const partial = calls
        .filter((c) => ![0, c.ids.length].includes(counts.get(c.note) ?? 0))
        .map((c) => `${c.note}: ${counts.get(c.note)} of ${c.ids.length}`);
      expect(partial).toEqual([]);
      // A call that was answered with its tickets was applied; one that was not answered at all was
      // applied whole or not at all (checked above).
      for (const c of answered.filter((c) => c.answer!.codes.length === 0)) expect(counts.get(c.note)).toBe(c.ids.length);
      const figures = await checkDatabaseInvariants(async (text, params) => (await db.query(text, params as unknown[])).rows);
      process.stdout.write(
        `faults (b): ${calls.length} bulk note calls of 100 ids (${inFlightAtSignal} in flight at SIGTERM), ${answered.length} answered, ` +
          `${calls.length - answered.length} cut off; applied whole: ${[...counts.values()].length}; requests sent after the signal: ` +
          `${afterSignal.answered} answered, ${afterSignal.refused} refused; ${figures.events} events; exit code ${code}\n`,
      );
      expect(server.output()).not.toMatch(/uncaught|unhandled|shutdown took too long/i);
    } finally {
      await server?.stop("SIGKILL");
      await db.end().catch(() => undefined);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
