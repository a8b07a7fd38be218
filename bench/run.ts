/**
 * npm run bench: seeds a benchmark database once (reused when present), runs every scenario
 * against our server and, side by side in the same run, PostGraphile and a raw-SQL floor,
 * prints a table and writes bench/results.json.
 *
 *   npm run bench                                         # 100,000 tickets, a few minutes
 *   npm run bench -- --tickets 1000000 --contacts 200000  # the scale figures
 *   npm run bench -- --duration 20 --connections 16 --only inbox,detail --skip-postgraphile
 *
 * Scenarios (--only): inbox, deep, detail, writes, hard, compare (ours, PostGraphile and the
 * raw floor side by side, --rounds turns each), export (a CSV export of every ticket: rows per
 * second and the server's peak memory), webhooks (deliveries per second to one endpoint and to 100,
 * commit-to-delivery latency: bench/webhooks.ts), subscriptions, statistics (ticketStatistics over a year of
 * --tickets tickets against a scan of them, on a database of its own: bench/statistics.ts, written
 * to bench/results-statistics.json).
 *
 *   npm run bench -- --only export --skip-postgraphile --skip-subscriptions --tickets 1000000
 *   npm run bench -- --only statistics --tickets 1000000
 *
 * Uses BENCH_DATABASE_URL (a PostgreSQL server it may create databases on), else TEST_DATABASE_URL,
 * else the local one.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { explainStatements, type Explained } from "./explain";
import { startPostGraphile } from "./postgraphile";
import { startRawFloor } from "./raw-floor";
import { runStatisticsScenario, statisticsTable } from "./statistics";
import { runSubscriptionScenario } from "./subscriptions";
import { runExportScenario } from "./export";
import { runWebhookScenario } from "./webhooks";
import { type LoadResult, runLoad } from "./load";
import { body, DETAIL_QUERY, inboxBody, inboxQuery, OPEN_INBOX, WRITES } from "./queries";
import { printTable, rankings, type Row } from "./report";
import { databaseName, prepareScenarios, readState, seedDatabase, sh, withDatabase, writeState } from "./seed";
import { backendCpu, cpuBetween, cpuMillis, startOurServer } from "./server";

interface Options {
  tickets: number;
  contacts: number;
  duration: number;
  warmup: number;
  connections: number;
  only: Set<string> | undefined;
  postgraphile: boolean;
  subscriptions: boolean;
  subscriberScale: number;
  subscriptionSeconds: number;
  rounds: number;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    tickets: 100_000,
    contacts: 0,
    duration: 10,
    warmup: 3,
    connections: 10,
    only: undefined,
    postgraphile: true,
    subscriptions: true,
    subscriberScale: 1,
    subscriptionSeconds: 30,
    rounds: 3,
    out: path.join(__dirname, "results.json"),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    if (flag === "--tickets") o.tickets = Math.round(num());
    else if (flag === "--contacts") o.contacts = Math.round(num());
    else if (flag === "--duration") o.duration = num();
    else if (flag === "--warmup") o.warmup = num();
    else if (flag === "--connections") o.connections = Math.max(1, Math.round(num()));
    else if (flag === "--only") o.only = new Set(value().split(","));
    else if (flag === "--skip-postgraphile") o.postgraphile = false;
    else if (flag === "--skip-subscriptions") o.subscriptions = false;
    else if (flag === "--subscriber-scale") o.subscriberScale = num();
    else if (flag === "--subscription-seconds") o.subscriptionSeconds = num();
    else if (flag === "--rounds") o.rounds = Math.max(1, Math.round(num()));
    else if (flag === "--out") o.out = path.resolve(value());
    else throw new Error(`unknown option ${flag}; see the top of bench/run.ts`);
  }
  if (o.contacts === 0) o.contacts = Math.max(10, Math.ceil(o.tickets / 2.5));
  return o;
}

const log = (line: string) => console.log(`bench: ${line}`);

/** A load's figures with the CPU per request of the target, of its database backends, and both. */
type Measured = LoadResult & { cpuPerRequest: number | null; databaseCpuPerRequest: number | null; totalCpuPerRequest: number | null };

/** Where the bench server writes its exports (one file per run of the export scenario, kept for a look). */
const BENCH_EXPORT_DIR = path.join(os.tmpdir(), "handover-bench-exports");

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  let postgres = "";
  try {
    postgres = execFileSync("psql", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    postgres = "unknown";
  }
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    postgres,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const wanted = (name: string) => !options.only || options.only.has(name);
  const adminUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://handover:handover@127.0.0.1:5432/postgres";
  if (!(await reachable(adminUrl))) {
    log("PostgreSQL is not reachable; starting the local one");
    await sh("bash", ["scripts/ensure-postgres.sh"]);
  }
  log("building the server");
  await sh("npm", ["run", "--silent", "build"]);

  if (wanted("statistics")) {
    const statistics = await runStatisticsScenario(adminUrl, { tickets: options.tickets, runs: 30 }, log);
    console.log(`\n${statisticsTable(statistics.rows)}\n`);
    const out = path.join(path.dirname(options.out), "results-statistics.json");
    writeFileSync(out, `${JSON.stringify({ machine: machine(), at: new Date().toISOString(), ...statistics }, null, 2)}\n`);
    log(`wrote ${out}`);
    if (options.only && [...options.only].every((s) => s === "statistics")) return;
  }

  const name = databaseName(options.tickets, options.contacts);
  let url = withDatabase(adminUrl, name);
  let state = await readState(url);
  let seedSeconds: number | null = null;
  if (state) log(`reusing ${name}`);
  else {
    const started = Date.now();
    log(`seeding ${name}: ${options.tickets} tickets, ${options.contacts} contacts`);
    url = await seedDatabase(adminUrl, name, options.tickets, options.contacts);
    const server = await startOurServer(url);
    try {
      state = await prepareScenarios(url, gqlAt(server.url), log);
    } finally {
      await server.stop();
    }
    await writeState(url, state);
    seedSeconds = (Date.now() - started) / 1000;
    log(`seeded in ${seedSeconds.toFixed(0)} s`);
  }
  const fixture = state;

  const rows: Row[] = [];
  const explains: Record<string, Explained[]> = {};
  const extra: Record<string, unknown> = {};
  // Every target reads the same database, one target loaded at a time: the CPU its backends use
  // during a load is that target's (an observer connection of its own is left out).
  const observer = new pg.Client({ connectionString: url });
  await observer.connect();
  /**
   * A warm-up, then the measured load, with the CPU per request over the measured part of the
   * target process, of the PostgreSQL backends serving it, and of the load generator.
   */
  const load = async (target: { url: string; pid: number }, headers: Record<string, string>, bodies: string[]) => {
    const spec = { url: target.url, headers, bodies, connections: options.connections, warmupSeconds: 0 };
    if (options.warmup > 0) await runLoad({ ...spec, durationSeconds: options.warmup });
    const cpuBefore = cpuMillis(target.pid);
    const backendsBefore = await backendCpu(observer, name);
    const result = await runLoad({ ...spec, durationSeconds: options.duration });
    const server = cpuMillis(target.pid) - cpuBefore;
    const database = cpuBetween(backendsBefore, await backendCpu(observer, name));
    const per = (ms: number) => (result.requests ? ms / result.requests : null);
    return {
      ...result,
      cpuPerRequest: per(server),
      databaseCpuPerRequest: per(database),
      totalCpuPerRequest: per(server + database),
    };
  };
  const record = (scenario: string, target: string, result: Measured, note = "") => {
    rows.push({ scenario, target, note, ...result });
    log(
      `${scenario} / ${target}: ${result.throughput.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms` +
        (result.sqlPerRequest !== null ? `, ${result.sqlPerRequest.toFixed(2)} SQL/req` : "") +
        (result.cpuPerRequest !== null ? `, server CPU ${result.cpuPerRequest.toFixed(2)} ms/req` : "") +
        (result.databaseCpuPerRequest !== null ? `, database CPU ${result.databaseCpuPerRequest.toFixed(2)} ms/req` : "") +
        (result.errors ? `, ${result.errors} errors (${result.firstError})` : ""),
    );
  };

  // Webhook receivers run on loopback, in this process.
  const server = await startOurServer(url, { env: { EXPORT_DIR: BENCH_EXPORT_DIR, WEBHOOK_ALLOW_PRIVATE: "true" } });
  try {
    const gql = gqlAt(server.url);
    const logIn = async (email: string) =>
      (
        await gql<{ logIn: { token: string } }>(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
          i: { email, password: fixture.password },
        })
      ).logIn.token;
    const [admin, mine, teamAgent] = [await logIn(fixture.adminEmail), await logIn(fixture.mineEmail), await logIn(fixture.teamAgentEmail)];
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    // The topic with the most open tickets, but General: a topic's inbox as a busy team sees it.
    const topics = await gql<{ ticketCounts: { topics: Array<{ id: string; isSystem: boolean; openCount: number }> } }>(
      `{ ticketCounts { topics { id isSystem openCount } } }`,
      {},
      admin,
    );
    const busiest = () => topics.ticketCounts.topics.filter((t) => !t.isSystem).sort((a, b) => b.openCount - a.openCount)[0].id;
    const open = OPEN_INBOX;
    const inbox = (filter: Record<string, unknown>, extraVars: Record<string, unknown> = {}, count = true) =>
      Object.keys(extraVars).length === 0
        ? [inboxBody(filter, { withTotalCount: count })]
        : [body(inboxQuery(count), { filter, first: 25, ...extraVars })];

    if (wanted("inbox")) {
      record("inbox ALL open", "handover", await load(server, auth(admin), inbox(open)));
      record("inbox MINE open", "handover", await load(server, auth(mine), inbox({ folder: "MINE", status: "OPEN" })));
      record("inbox topic open", "handover", await load(server, auth(admin), inbox({ ...open, topicId: busiest() })));
    }

    if (wanted("deep")) {
      // Deep pages over the whole folder (open, then closed), so that page 1,000 exists at 100,000 tickets.
      const both = { folder: "ALL", status: null };
      const { cursor, page } = await walkPages(gql, admin, both, 999);
      extra.deepPage = page + 1;
      record("deep page 1", "handover", await load(server, auth(admin), inbox(both)));
      record(`deep page ${page + 1}`, "handover", await load(server, auth(admin), inbox(both, { after: cursor })));
      explains[`deep page ${page + 1}`] = await explainStatements(url, admin, { kind: "inbox", filter: both, after: cursor });
    }

    if (wanted("detail")) {
      const bodies = fixture.detailTickets.map((id) => body(DETAIL_QUERY, { id }));
      record("ticket detail", "handover", await load(server, auth(admin), bodies));
    }

    if (wanted("writes")) {
      const amina = await gql<{ viewer: { user: { id: string } } }>(`{ viewer { user { id } } }`, {}, mine);
      const bodies: string[] = [];
      // Round k applies one kind of change to every ticket, so concurrent requests touch different tickets.
      for (const [k, write] of [WRITES.assign, WRITES.note, WRITES.close, WRITES.reopen].entries()) {
        for (const id of fixture.writeTickets) {
          const input: Record<string, unknown> = { ticketIds: [id] };
          if (k === 0) input.assigneeId = amina.viewer.user.id;
          if (k === 1) input.note = "Called the customer back; waiting for the courier.";
          bodies.push(body(write, { i: input }));
        }
      }
      record("writes (assign, note, close, reopen)", "handover", await load(server, auth(admin), bodies));
    }

    if (wanted("hard")) {
      record(
        "team agent, 1% of tickets",
        "handover",
        await load(server, auth(teamAgent), inbox(open)),
        `${fixture.rareTickets} tickets in the team's topic`,
      );
      explains["team agent, 1% of tickets"] = await explainStatements(url, teamAgent, { kind: "inbox", filter: open });
      const search = { ...open, search: "Contact 12" };
      record("search", "handover", await load(server, auth(admin), inbox(search)), `search "Contact 12"`);
      explains.search = await explainStatements(url, admin, { kind: "inbox", filter: search });
      explains["inbox ALL open"] = await explainStatements(url, admin, { kind: "inbox", filter: open });
    }

    if (wanted("export")) {
      const figures = await runExportScenario({ gql, pid: server.pid, token: admin, exportDir: BENCH_EXPORT_DIR });
      extra.export = figures;
      log(
        `export of ${figures.rows} tickets: ${figures.seconds} s, ${figures.rowsPerSecond} rows/s, ${figures.fileMiB} MiB; ` +
          `server RSS ${figures.rssBeforeMiB} MiB before, ${figures.rssPeakMiB} MiB at most during it (VmHWM ${figures.vmHwmMiB} MiB)`,
      );
    }

    if (wanted("webhooks")) {
      extra.webhooks = await runWebhookScenario({ gql, pid: server.pid, observer, database: name, adminToken: admin, log });
    }

    if (wanted("compare")) {
      // The three answer the same inbox page side by side: all running, loaded in turns, round
      // after round, so that whatever else the machine does falls on each alike; medians reported.
      const raw = await startRawFloor({ databaseUrl: url, log });
      const pgl = options.postgraphile ? await startPostGraphile({ databaseUrl: url, log }) : undefined;
      try {
        if (pgl) extra.postgraphileVersion = pgl.version;
        const contenders: Array<[string, string, { url: string; pid: number }, Record<string, string>, string[]]> = [
          ["inbox ALL open", "handover", server, auth(admin), inbox(open)],
          ["inbox ALL open, no totalCount", "handover", server, auth(admin), inbox(open, {}, false)],
          ["inbox ALL open", "raw SQL", raw, auth(admin), [raw.body({ first: 25, withTotalCount: true })]],
          ["inbox ALL open, no totalCount", "raw SQL", raw, auth(admin), [raw.body({ first: 25, withTotalCount: false })]],
        ];
        if (pgl) {
          const bodyOf = (withTotalCount: boolean) => [pgl.body({ workspaceId: fixture.workspaceId, first: 25, withTotalCount })];
          contenders.push(["inbox ALL open", "postgraphile", pgl, {}, bodyOf(true)]);
          contenders.push(["inbox ALL open, no totalCount", "postgraphile", pgl, {}, bodyOf(false)]);
        }
        const rounds = contenders.map(() => [] as Measured[]);
        for (let round = 0; round < options.rounds; round++) {
          // Each round starts with the next contender, so that none is always loaded first or after the same one.
          const order = contenders.map((_, i) => (i + round) % contenders.length);
          for (const k of order) {
            const [scenario, target, process, headers, bodies] = contenders[k];
            rounds[k].push(await load(process, headers, bodies));
            log(`round ${round + 1}: ${scenario} / ${target}: ${rounds[k][round].throughput.toFixed(0)} req/s`);
          }
        }
        for (const [k, [scenario, target]] of contenders.entries()) record(`${scenario} (side by side)`, target, medianOf(rounds[k]));
      } finally {
        await Promise.all([raw.stop(), pgl?.stop()]);
      }
    }
  } finally {
    await server.stop();
    await observer.end();
  }

  if (options.subscriptions && wanted("subscriptions")) {
    const scale = options.subscriberScale;
    extra.subscriptions = await runSubscriptionScenario({
      databaseUrl: url,
      startServer: () => startOurServer(url),
      workspaces: Math.round(1000 * scale),
      perWorkspace: 10,
      busySubscribers: Math.round(1000 * scale),
      busyRate: 20,
      otherRate: 1,
      durationSeconds: options.subscriptionSeconds,
      log,
    });
  }

  const ratios = computeRatios(rows, extra);
  const results = {
    when: new Date().toISOString(),
    machine: machine(),
    options: { ...options, only: options.only ? [...options.only] : null },
    database: { name, tickets: options.tickets, contacts: options.contacts, seedSeconds },
    rows,
    rankings: rankings(rows),
    ratios,
    extra,
    explains,
  };
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  printTable(rows, ratios, extra);
  log(`wrote ${path.relative(process.cwd(), options.out)}`);
}

function gqlAt(url: string) {
  return async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data?: T; errors?: unknown };
    if (json.errors || !json.data) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(json.errors)}`);
    return json.data;
  };
}

/** Follows endCursor up to `pages` times; returns the cursor that opens the last page reached. */
async function walkPages(
  gql: ReturnType<typeof gqlAt>,
  token: string,
  filter: Record<string, unknown>,
  pages: number,
): Promise<{ cursor: string; page: number }> {
  let cursor: string | null = null;
  let page = 0;
  for (; page < pages; page++) {
    const result: { tickets: { pageInfo: { endCursor: string; hasNextPage: boolean } } } = await gql(
      `query($filter: TicketFilter, $after: String) { tickets(filter: $filter, first: 25, after: $after) { pageInfo { endCursor hasNextPage } } }`,
      { filter, after: cursor },
      token,
    );
    if (!result.tickets.pageInfo.hasNextPage) break;
    cursor = result.tickets.pageInfo.endCursor;
  }
  if (!cursor) throw new Error("the folder has a single page");
  return { cursor, page };
}

/** The round with the median throughput: its figures stay consistent with each other. */
function medianOf<T extends LoadResult>(results: T[]): T {
  return [...results].sort((a, b) => a.throughput - b.throughput)[Math.floor(results.length / 2)];
}

function computeRatios(rows: Row[], extra: Record<string, unknown>): Record<string, number> {
  const find = (scenario: string, target: string) => rows.find((r) => r.scenario === scenario && r.target === target);
  const ratios: Record<string, number> = {};
  const pair = (label: string, a?: Row, b?: Row) => {
    if (!a || !b) return;
    ratios[`${label}: throughput`] = a.throughput / b.throughput;
    ratios[`${label}: p99`] = a.p99 / b.p99;
    if (a.totalCpuPerRequest && b.totalCpuPerRequest)
      ratios[`${label}: total CPU per request`] = a.totalCpuPerRequest / b.totalCpuPerRequest;
  };
  const side = (scenario: string, target: string) => find(`${scenario} (side by side)`, target);
  pair("ours / PostGraphile, inbox with totalCount", side("inbox ALL open", "handover"), side("inbox ALL open", "postgraphile"));
  pair(
    "ours / PostGraphile, inbox without totalCount",
    side("inbox ALL open, no totalCount", "handover"),
    side("inbox ALL open, no totalCount", "postgraphile"),
  );
  pair("ours / raw SQL floor, inbox with totalCount", side("inbox ALL open", "handover"), side("inbox ALL open", "raw SQL"));
  pair(
    "ours / raw SQL floor, inbox without totalCount",
    side("inbox ALL open, no totalCount", "handover"),
    side("inbox ALL open, no totalCount", "raw SQL"),
  );
  const first = find("deep page 1", "handover");
  const deep = find(`deep page ${String(extra.deepPage)}`, "handover");
  if (first && deep) {
    ratios["deep page / page 1: p50 latency"] = deep.p50 / first.p50;
    ratios["deep page / page 1: p99 latency"] = deep.p99 / first.p99;
  }
  return ratios;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
