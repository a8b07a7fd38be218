/**
 * Before/after of a change, on the bench database: builds an earlier commit beside the working
 * tree, starts both servers on the same database and loads them in turns (A, B, A, B, ...), so
 * that whatever else the machine does falls on both alike. Prints each round and the median
 * ratios.
 *
 *   npm run bench:compare -- <git-ref> [--after <git-ref>] [--rounds 4] [--duration 5] [--scenario inbox|inbox-nocount|team|detail] [--tickets N]
 *
 * Without --after, the working tree is the "after".
 *
 * The bench database must exist (npm run bench seeds it).
 */
import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import path from "node:path";
import { runLoad, type LoadResult } from "./load";
import { body, DETAIL_QUERY, inboxQuery } from "./queries";
import { databaseName, readState, sh, withDatabase } from "./seed";
import pg from "pg";
import { backendCpu, cpuBetween, cpuMillis, startOurServer } from "./server";

const ROOT = path.resolve(__dirname, "..");

async function buildRef(ref: string): Promise<string> {
  // By commit, not by name: HEAD or a branch moves.
  const sha = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = path.join(ROOT, "bench", "db", `ref-${sha}`);
  if (!existsSync(dir)) {
    await sh("git", ["worktree", "add", "--detach", dir, sha]);
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  }
  await sh("npx", ["tsc", "-p", path.join(dir, "tsconfig.build.json")]);
  return dir;
}

type Measured = LoadResult & { serverCpu: number; databaseCpu: number; totalCpu: number };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ref = args[0];
  if (!ref || ref.startsWith("--"))
    throw new Error("usage: npm run bench:compare -- <git-ref> [--rounds N] [--duration S] [--scenario inbox|inbox-nocount|team|detail]");
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i > 0 ? args[i + 1] : fallback;
  };
  const rounds = Number(option("rounds", "4"));
  const duration = Number(option("duration", "5"));
  const scenario = option("scenario", "inbox");
  const tickets = Number(option("tickets", "100000"));
  const contacts = Math.max(10, Math.ceil(tickets / 2.5));
  const adminUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://handover:handover@127.0.0.1:5432/postgres";
  const url = withDatabase(adminUrl, databaseName(tickets, contacts));
  const state = await readState(url);
  if (!state) throw new Error("no bench database of that size: run npm run bench first");

  await sh("npm", ["run", "--silent", "build"]);
  const quiet = { log: () => undefined };
  const before = await startOurServer(url, { ...quiet, dir: await buildRef(ref) });
  const afterRef = option("after", "");
  const after = await startOurServer(url, { ...quiet, dir: afterRef ? await buildRef(afterRef) : ROOT });
  // The database's CPU counts too: the backends connected to the bench database during a load
  // serve the server being loaded (the other one idles), this observer left out.
  const observer = new pg.Client({ connectionString: url });
  await observer.connect();
  const database = new URL(url).pathname.slice(1);
  try {
    // "team": the inbox of an agent whose team sees one topic, 1% of the tickets.
    const logIn = await fetch(after.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation($i: LogInInput!) { logIn(input: $i) { token } }`,
        variables: { i: { email: scenario === "team" ? state.teamAgentEmail : state.adminEmail, password: state.password } },
      }),
    });
    const token = ((await logIn.json()) as { data: { logIn: { token: string } } }).data.logIn.token;
    const bodies =
      scenario === "detail"
        ? state.detailTickets.map((id) => body(DETAIL_QUERY, { id }))
        : [body(inboxQuery(scenario !== "inbox-nocount"), { filter: { folder: "ALL", status: "OPEN" }, first: 25 })];
    const results: Record<"before" | "after", Array<Measured>> = { before: [], after: [] };
    for (let round = 0; round < rounds; round++) {
      for (const [label, server] of [
        ["before", before],
        ["after", after],
      ] as const) {
        const spec = { url: server.url, headers: { authorization: `Bearer ${token}` }, bodies, connections: 10, warmupSeconds: 0 };
        await runLoad({ ...spec, durationSeconds: 1 }); // warm-up
        const cpuBefore = cpuMillis(server.pid);
        const backendsBefore = await backendCpu(observer, database);
        const load = await runLoad({ ...spec, durationSeconds: duration });
        // CPU per request: steadier than latency on a busy machine.
        const serverCpu = (cpuMillis(server.pid) - cpuBefore) / load.requests;
        const databaseCpu = cpuBetween(backendsBefore, await backendCpu(observer, database)) / load.requests;
        const r = { ...load, serverCpu, databaseCpu, totalCpu: serverCpu + databaseCpu };
        results[label].push(r);
        console.log(
          `round ${round + 1} ${label.padEnd(6)} ${r.throughput.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, CPU ms/req: server ${serverCpu.toFixed(2)}, database ${databaseCpu.toFixed(2)}, total ${r.totalCpu.toFixed(2)}; ${r.sqlPerRequest?.toFixed(2)} SQL/req, ${r.errors} errors`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = (pick: (r: Measured) => number) =>
      median(results.after.map((r, i) => pick(r) / pick(results.before[i]))).toFixed(2);
    console.log(
      `${scenario} after/before (median of ${rounds} paired rounds): throughput x${ratio((r) => r.throughput)}, p50 x${ratio((r) => r.p50)}, p99 x${ratio((r) => r.p99)}, CPU per request: server x${ratio((r) => r.serverCpu)}, database x${ratio((r) => r.databaseCpu)}, total x${ratio((r) => r.totalCpu)}`,
    );
  } finally {
    await observer.end();
    await Promise.all([before.stop(), after.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
