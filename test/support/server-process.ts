import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");

/** A server run as its own process, as `npm run dev` runs it. */
export interface ServerProcess {
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** ws://127.0.0.1:PORT/graphql */
  wsUrl: string;
  proc: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGKILL (a crash) or SIGTERM (a graceful stop), then waits for the exit. */
  stop(signal?: "SIGKILL" | "SIGTERM"): Promise<number | NodeJS.Signals | null>;
}

/**
 * Starts `node -r @swc-node/register src/main.ts` with the given environment (on top of this
 * process's, with PORT=0 and HOST=127.0.0.1) and resolves once it prints "Handover is ready".
 */
export function spawnServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  // The rate limit is off unless the test turns it on: tests send many requests a second with one token.
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", RATE_LIMIT_PER_SECOND: "0", ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete full[key];
  const proc = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
    cwd: root,
    env: full,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => proc.on("exit", (code, signal) => resolve(signal ?? code)));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const ready = /Handover is ready: (http:\/\/\S+)/.exec(out);
      if (!ready) return;
      proc.stdout?.off("data", onData);
      const url = ready[1].replace("localhost", "127.0.0.1");
      resolve({
        url,
        wsUrl: url.replace(/^http/, "ws"),
        proc,
        output: () => out,
        exited,
        async stop(signal = "SIGTERM") {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          return exited;
        },
      });
    };
    proc.stdout?.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

/**
 * Runs the server as `spawnServer` does, for a start that is expected to fail: resolves with its
 * exit code, what it wrote to stdout and stderr, and how long it ran. Killed after `timeoutMs`.
 */
export function runToExit(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ code: number | NodeJS.Signals | null; stdout: string; stderr: string; ms: number }> {
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete full[key];
  const started = Date.now();
  const proc = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
    cwd: root,
    env: full,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) =>
    proc.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code: signal ?? code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/** POSTs a GraphQL operation; fails on any top-level error. */
export async function call<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/** Waits for a condition, polling every 10 ms, at most `attempts` times. */
export async function until(check: () => boolean, what: string, attempts = 3000): Promise<void> {
  for (let i = 0; i < attempts && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`gave up waiting for ${what}`);
}

/** The first administrator a spawned server creates on a new database (spawnAsAdministrator). */
export const BOOTSTRAP_ADMIN = { email: "admin@example.com", password: "bootstrap-password" };

/**
 * A server process on a new database, as `npm start` leaves it: its first administrator created
 * from HANDOVER_ADMIN_EMAIL and HANDOVER_ADMIN_PASSWORD, then logged in.
 */
export async function spawnAsAdministrator(env: Record<string, string | undefined>): Promise<{ server: ServerProcess; token: string }> {
  const server = await spawnServer({
    ...env,
    HANDOVER_ADMIN_EMAIL: BOOTSTRAP_ADMIN.email,
    HANDOVER_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
  });
  const { logIn } = await call<{ logIn: { token: string } }>(server.url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
    i: BOOTSTRAP_ADMIN,
  });
  return { server, token: logIn.token };
}
