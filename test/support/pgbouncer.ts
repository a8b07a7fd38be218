import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, chownSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort, postgresUser } from "./private-postgres";

/**
 * A PgBouncer of a test's own, in front of an existing PostgreSQL: Debian's pgbouncer started on
 * a free port with a configuration and a user list in a temporary directory, in transaction
 * pooling mode (each transaction, or each statement outside one, may run on another server
 * connection), which is how production pools are usually run. As root it runs as the
 * `postgres` user (pgbouncer refuses to run as root).
 */
export interface PgBouncer {
  port: number;
  /** The upstream URL with host and port replaced by this pgbouncer's (same user, password and database). */
  urlFor(upstreamUrl: string): string;
  /** Runs a command of pgbouncer's admin console (SHOW POOLS, SHOW STATS, SHOW CONFIG) and returns its rows. */
  show<T = Record<string, unknown>>(what: string): Promise<T[]>;
  /** Everything pgbouncer printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const CANDIDATES = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer", "/usr/local/sbin/pgbouncer"];

/** The pgbouncer binary: on PATH or where Debian puts it (/usr/sbin, often not on a user's PATH). */
export function pgbouncerBinary(): string | undefined {
  const onPath = (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "pgbouncer"));
  for (const candidate of [...onPath, ...CANDIDATES]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Why a pgbouncer cannot be started here in front of `upstreamUrl`, or undefined when it can
 * (checked without side effects).
 */
export function pgbouncerUnavailable(upstreamUrl: string): string | undefined {
  if (!new URL(upstreamUrl).password) return "the database URL has no password for pgbouncer to log in with";
  if (!pgbouncerBinary()) {
    return "pgbouncer is not installed (apt-get install pgbouncer; .ci/run installs it) and could not be found on PATH or in /usr/sbin";
  }
  if (process.getuid?.() === 0 && !postgresUser()) return "running as root and there is no postgres user to run pgbouncer as";
  return undefined;
}

export interface PgBouncerOptions {
  /** The PostgreSQL to pool: its host, port, user and password (the user must log in with a password). */
  upstreamUrl: string;
  /** Server connections per database and user: kept small, so that clients queue for them. */
  defaultPoolSize: number;
  maxClientConn?: number;
  /** More [pgbouncer] settings, such as query_wait_timeout. */
  settings?: Record<string, string | number>;
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error("no pgbouncer binary");
  const upstream = new URL(options.upstreamUrl);
  const user = decodeURIComponent(upstream.username);
  const password = decodeURIComponent(upstream.password);
  if (!user || !password) throw new Error("the upstream URL needs a user and a password for pgbouncer to log in with");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : undefined;
  if (asRoot && !owner) throw new Error("no postgres user to run pgbouncer as");

  const dir = mkdtempSync(path.join(os.tmpdir(), "handover-pgbouncer-"));
  const port = await freePort();
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const files: Record<string, string> = {
    // Plain-text passwords let pgbouncer answer SCRAM from clients and log in to PostgreSQL with SCRAM.
    "userlist.txt": `${quote(user)} ${quote(password)}\n`,
    "pgbouncer.ini": [
      "[databases]",
      // Any database name: each test database goes through the same pgbouncer.
      `* = host=${upstream.hostname} port=${upstream.port || "5432"}`,
      "",
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      "auth_type = scram-sha-256",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${options.defaultPoolSize}`,
      "min_pool_size = 0",
      "reserve_pool_size = 0",
      `max_client_conn = ${options.maxClientConn ?? 500}`,
      `admin_users = ${user}`,
      `stats_users = ${user}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "logfile = ",
      "log_connections = 0",
      "log_disconnections = 0",
      ...Object.entries(options.settings ?? {}).map(([key, value]) => `${key} = ${value}`),
      "",
    ].join("\n"),
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    if (owner) chownSync(file, owner.uid, owner.gid);
  }
  if (owner) chownSync(dir, owner.uid, owner.gid);

  let out = "";
  const proc: ChildProcess = spawn(binary, [path.join(dir, "pgbouncer.ini")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const urlFor = (upstreamUrl: string) => {
    const url = new URL(upstreamUrl);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    return url.toString();
  };
  const stop = async () => {
    if (!gone) {
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready once a statement goes through it to PostgreSQL.
  const started = Date.now();
  for (;;) {
    if (gone) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pgbouncer exited at start:\n${out}`);
    }
    const client = new pg.Client({ connectionString: urlFor(options.upstreamUrl), connectionTimeoutMillis: 1000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() - started > 15_000) {
        await stop();
        throw new Error(`pgbouncer did not answer within 15 s: ${String(error)}\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return {
    port,
    urlFor,
    async show<T>(what: string): Promise<T[]> {
      const url = new URL(urlFor(options.upstreamUrl));
      url.pathname = "/pgbouncer";
      const admin = new pg.Client({ connectionString: url.toString() });
      await admin.connect();
      try {
        // The admin console speaks the simple query protocol only: no parameters.
        return (await admin.query(`SHOW ${what}`)).rows as T[];
      } finally {
        await admin.end();
      }
    },
    output: () => out,
    stop,
  };
}
