import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort, startProcess, waitUntilReady } from "./target-process";

const ROOT = path.resolve(__dirname, "..");

export interface RunningTarget {
  url: string;
  wsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Our server as it runs in production (`node dist/src/main.js`, built beforehand, from `dir`:
 * the working tree or an earlier commit's), with the statement count exposed and no rate
 * limit, so the load measures the server, not its limits.
 */
export async function startOurServer(
  databaseUrl: string,
  opts: { env?: Record<string, string>; dir?: string; log?: (line: string) => void } = {},
): Promise<RunningTarget> {
  const port = await freePort();
  const proc = startProcess({
    name: "handover",
    command: process.execPath,
    args: [...(process.env.BENCH_NODE_OPTIONS?.split(" ").filter(Boolean) ?? []), "dist/src/main.js"],
    cwd: opts.dir ?? ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      EXPOSE_SQL_COUNT: "true",
      RATE_LIMIT_PER_SECOND: "0",
      DB_POOL_SIZE: "10",
      NODE_ENV: "production",
      ...opts.env,
    },
    log: opts.log ?? ((line) => console.log(line)),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, "the server", async () => (await fetch(`${base}/readyz`)).ok, 60);
  return { url: `${base}/graphql`, wsUrl: `ws://127.0.0.1:${port}/graphql`, pid: proc.child.pid!, stop: () => proc.stop() };
}

/** CPU time a process has used so far (user + system), in milliseconds; Linux only. */
export function cpuMillis(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Clock ticks per second, as /proc counts CPU time (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * CPU used so far by each PostgreSQL backend connected to `database`, by pid, in ms (the server
 * runs on this machine). `observer` is a connection of its own, left out.
 */
export async function backendCpu(
  observer: { query: (sql: string, values: unknown[]) => Promise<{ rows: Array<{ pid: number }> }> },
  database: string,
): Promise<Map<number, number>> {
  const { rows } = await observer.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, cpuMillis(pid));
    } catch {
      // A backend that ended meanwhile: its CPU is lost to both readings alike.
    }
  }
  return cpu;
}

/** The CPU the backends used between two readings: one that started meanwhile counts whole. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
