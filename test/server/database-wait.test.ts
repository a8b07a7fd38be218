/**
 * A server started while its database is down waits for it (DATABASE_WAIT_SECONDS), saying so
 * once, and comes up as soon as the database does; when the wait runs out it exits with one line
 * naming the database's host, port and the cause, and never its password. A database that answers
 * but refuses (a missing database, a wrong password) is not waited for.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TEST_DATABASE_URL } from "../support/database";
import { freePort, type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from "../support/private-postgres";
import { call } from "../support/server-process";

const root = path.resolve(__dirname, "..", "..");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const PASSWORD = "pw-that-must-not-show";

/** The server as its own process, as `npm run dev` runs it; killed after a minute at most. */
function startProcess(env: Record<string, string>) {
  const started = Date.now();
  const proc = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", RATE_LIMIT_PER_SECOND: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  const exited = new Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>((resolve) =>
    proc.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, ms: Date.now() - started, stdout, stderr });
    }),
  );
  return {
    proc,
    stdout: () => stdout,
    exited,
    /** Resolves once stdout matches, or fails when the process exits first. */
    async waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      let done = false;
      void exited.then(() => (done = true));
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (done) throw new Error(`the server exited before printing ${pattern}:\n${stdout}${stderr}`);
        await sleep(20);
      }
    },
  };
}

/** Runs the server to its exit; it is expected not to come up. */
const runToExit = (env: Record<string, string>) => startProcess(env).exited;

/** The `msg` of every JSON log line. */
const messages = (output: string): string[] =>
  output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => (JSON.parse(l) as { msg?: string }).msg ?? "");

describe("starting while the database is down", () => {
  it("retries for DATABASE_WAIT_SECONDS, saying so once, then exits with one line naming host, port and cause", async () => {
    const port = await freePort();
    const run = await runToExit({
      DATABASE_URL: `postgres://handover:${PASSWORD}@127.0.0.1:${port}/handover`,
      DATABASE_WAIT_SECONDS: "3",
      LOG_LEVEL: "debug",
    });
    expect(run.code).toBe(1);
    expect(run.ms).toBeGreaterThanOrEqual(3000);
    expect(run.ms).toBeLessThan(30_000);
    const logged = messages(run.stdout);
    expect(logged.filter((m) => m.startsWith("waiting for the database"))).toEqual([
      `waiting for the database at 127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`,
    ]);
    // It tried again and again meanwhile (each retry is a debug line).
    expect(logged.filter((m) => m.startsWith("the database is not reachable yet")).length).toBeGreaterThanOrEqual(3);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([
      `Handover failed to start: the database at 127.0.0.1:${port} (DATABASE_URL) could not be reached within 3 s (DATABASE_WAIT_SECONDS): connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
  }, 60_000);

  it("does not wait for a database that answers but refuses, and says why", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = "/handover_no_such_database";
    const run = await runToExit({ DATABASE_URL: url.toString(), DATABASE_WAIT_SECONDS: "60", LOG_LEVEL: "warn" });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(30_000);
    expect(messages(run.stdout).filter((m) => m.startsWith("waiting for the database"))).toEqual([]);
    const address = `${url.hostname}:${url.port || "5432"}`;
    expect(run.stderr.trim().split("\n")).toEqual([
      `Handover failed to start: the database at ${address} (DATABASE_URL) refused the connection: database "handover_no_such_database" does not exist`,
    ]);
  }, 60_000);

  const unavailable = privatePostgresUnavailable();
  describe("with a cluster that starts later", () => {
    let pgServer: PrivatePostgres | undefined;
    let server: ReturnType<typeof startProcess> | undefined;
    let dataDir: string | undefined;
    afterAll(async () => {
      server?.proc.kill("SIGKILL");
      await server?.exited;
      await pgServer?.destroy();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    (unavailable ? it.skip : it)(
      "comes up once the database does, without a restart",
      async () => {
        pgServer = await startPrivatePostgres();
        await pgServer.stop("fast");
        dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-wait-"));
        const cluster = pgServer;
        server = startProcess({
          DATABASE_URL: cluster.url,
          DATA_DIR: dataDir,
          DATABASE_WAIT_SECONDS: "60",
          LOG_LEVEL: "info",
          HANDOVER_ADMIN_PASSWORD: "wait-admin-password",
        });
        await server.waitFor(/waiting for the database/);
        // It keeps waiting: the database comes a few seconds later.
        await sleep(3000);
        expect(server.proc.exitCode).toBeNull();
        await cluster.start();
        const url = (await server.waitFor(/Handover is ready: (http:\/\/\S+)/))[1].replace("localhost", "127.0.0.1");
        const logged = messages(server.stdout());
        expect(logged.filter((m) => m.startsWith("waiting for the database"))).toEqual([
          `waiting for the database at 127.0.0.1:${cluster.port} (connect ECONNREFUSED 127.0.0.1:${cluster.port})`,
        ]);
        expect(logged).toContain(`the database at 127.0.0.1:${cluster.port} answers`);
        const logIn = await call<{ logIn: { token: string | null } }>(url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
          i: { email: "admin@example.com", password: "wait-admin-password" },
        });
        expect(logIn.logIn.token).toEqual(expect.any(String));
      },
      120_000,
    );
  });
});
