/**
 * Runs the subscriptions scenario on its own, against the built server (`npm run build` first):
 *
 *   node -r @swc-node/register bench/subscriptions-run.ts [--workspaces 1000] [--per-workspace 10]
 *     [--busy 1000] [--busy-rate 20] [--other-rate 1] [--duration 60] [--cpu-prof DIR]
 *
 * DATABASE_URL names the benchmark database (created when missing; its data is reused).
 * `--cpu-prof DIR` writes the server's CPU profile there when it stops; `--server DIR` runs the
 * build in DIR (default dist) instead.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { runSubscriptionScenario } from "./subscriptions";

const root = path.resolve(__dirname, "..");

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`expected --name value, got ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const db = new pg.Client({ connectionString: admin.toString() });
  await db.connect();
  try {
    const exists = await db.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (exists.rowCount === 0) await db.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await db.end();
  }
}

function startServer(databaseUrl: string, serverDir: string, cpuProfDir: string | undefined) {
  return async () => {
    const execArgs = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];
    const proc = spawn(process.execPath, [...execArgs, path.join(serverDir, "src/main.js")], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: "0",
        HOST: "127.0.0.1",
        EXPOSE_SQL_COUNT: "true",
        RATE_LIMIT_PER_SECOND: "0",
        LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const ready = /Handover is ready: (http:\/\/\S+)/.exec(out);
        if (ready) resolve(ready[1].replace("localhost", "127.0.0.1"));
      });
      void exited.then(() => reject(new Error(`server exited:\n${out}`)));
    });
    return {
      url,
      wsUrl: url.replace(/^http/, "ws"),
      pid: proc.pid!,
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
        await exited;
      },
    };
  };
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const databaseUrl = process.env.DATABASE_URL ?? "postgres://handover:handover@127.0.0.1:5432/handover_subscriptions_bench";
  await ensureDatabase(databaseUrl);
  const figures = await runSubscriptionScenario({
    databaseUrl,
    startServer: startServer(databaseUrl, path.resolve(a.server ?? "dist"), a["cpu-prof"] && path.resolve(a["cpu-prof"])),
    workspaces: Number(a.workspaces ?? 1000),
    perWorkspace: Number(a["per-workspace"] ?? 10),
    busySubscribers: Number(a.busy ?? 1000),
    busyRate: Number(a["busy-rate"] ?? 20),
    otherRate: Number(a["other-rate"] ?? 1),
    durationSeconds: Number(a.duration ?? 60),
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(figures, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
