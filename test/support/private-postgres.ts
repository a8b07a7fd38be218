import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own, in a temporary directory on a free port, that the test
 * may stop and start at will (the machine's shared PostgreSQL serves everyone else's tests and
 * is never touched). As root, initdb and pg_ctl run as the `postgres` user, which owns the
 * directory; otherwise as the current user.
 */
export interface PrivatePostgres {
  /** postgres://handover@127.0.0.1:PORT/handover (trust authentication, loopback only). */
  url: string;
  port: number;
  /** pg_ctl stop: "fast" disconnects sessions and shuts down cleanly; "immediate" is a crash. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** The server's own log (startup, shutdown, errors). */
  log(): string;
  /** Stops it if running and removes its directory. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory, if any. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")) && existsSync(path.join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], "bin") : undefined;
}

/** Why a private cluster cannot be made here, or undefined when it can (checked without side effects). */
export function privatePostgresUnavailable(): string | undefined {
  if (!postgresBinDir()) return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin";
  if (process.getuid?.() !== 0) return undefined;
  if (!["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].some((p) => existsSync(p))) return "running as root without runuser";
  if (!postgresUser()) return "running as root and there is no postgres user to run PostgreSQL as";
  return undefined;
}

/** A TCP port nothing listens on at the moment, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The `postgres` user's ids, which servers started by tests run as when the tests run as root. */
export function postgresUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL server binaries");
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), "handover-private-pg-"));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  if (asRoot) {
    const user = postgresUser();
    if (!user) throw new Error("no postgres user to run PostgreSQL as");
    chownSync(dir, user.uid, user.gid);
  }
  // As root, run as postgres (cd / so that it does not complain about root's home directory).
  const exec = (command: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { cwd: "/" }) : run(path.join(bin, command), args);

  await exec("initdb", ["-D", data, "-U", "handover", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  // Loopback only, the socket in the private directory; no fsync: the data is thrown away.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
  const start = async () => {
    await exec("pg_ctl", ["-D", data, "-o", options, "-l", logFile, "-w", "-t", "60", "start"]);
  };
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    await exec("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
  };
  await start();
  const admin = new pg.Client({ connectionString: `postgres://handover@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE handover`);
  } finally {
    await admin.end();
  }
  let destroyed = false;
  return {
    url: `postgres://handover@127.0.0.1:${port}/handover`,
    port,
    start,
    stop,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop("immediate").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
