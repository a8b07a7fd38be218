import pg from "pg";
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "../db/unavailable";

/** Longest pause between two attempts: a database that comes back is noticed within it. */
const MAX_PAUSE_MS = 1000;
const FIRST_PAUSE_MS = 250;

/** `host:port` of a PostgreSQL URL, for messages: never its user or password. */
export function databaseAddress(url: string): string {
  const parsed = new URL(url);
  const host = parsed.searchParams.get("host") ?? (decodeURIComponent(parsed.hostname) || "localhost");
  const port = parsed.port || parsed.searchParams.get("port") || "5432";
  return `${host}:${port}`;
}

/** One line saying why a connection failed (the driver's messages name addresses and users, never a password). */
function causeOf(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; errors?: unknown };
  let text = typeof e?.message === "string" && e.message.trim() !== "" ? e.message : "";
  // A connection refused on every address of a name (IPv4 and IPv6) is an AggregateError without a message.
  if (!text && Array.isArray(e?.errors)) text = e.errors.map((inner) => causeOf(inner)).join("; ");
  if (!text && typeof e?.code === "string") text = e.code;
  if (!text) text = String(error);
  return text.replace(/\s+/g, " ").trim().slice(0, 500);
}

/** Connects once and asks `SELECT 1`; throws what the driver threw. */
async function probe(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: "handover" });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Waits, at start, for a database that cannot be reached yet (down, restarting, not started yet
 * beside the server): tries again, more slowly each time up to once a second, for `waitSeconds`,
 * saying once that it waits ("waiting for the database at host:port (cause)"). Throws a one-line
 * error naming host, port and cause when the time runs out, and at once when the database answers
 * but refuses (a wrong password, a missing database): waiting would not change that.
 */
export async function waitForDatabase(
  url: string,
  waitSeconds: number,
  log: Logger,
  connect: (url: string, timeoutMs: number) => Promise<void> = probe,
  /** The variable the URL came from, for messages. */
  variable = "DATABASE_URL",
): Promise<void> {
  const address = databaseAddress(url);
  const startedAt = Date.now();
  const deadline = startedAt + waitSeconds * 1000;
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await connect(url, Math.max(1000, Math.min(5000, deadline - Date.now())));
      if (attempt > 1)
        log.info({ database: address, attempts: attempt, waitedMs: Date.now() - startedAt }, `the database at ${address} answers`);
      return;
    } catch (error) {
      const cause = causeOf(error);
      if (!isDatabaseUnavailable(error)) throw new Error(`the database at ${address} (${variable}) refused the connection: ${cause}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `the database at ${address} (${variable}) could not be reached within ${waitSeconds} s (DATABASE_WAIT_SECONDS): ${cause}`,
        );
      }
      if (attempt === 1) log.warn({ database: address, waitSeconds }, `waiting for the database at ${address} (${cause})`);
      else log.debug({ database: address, attempt }, `the database is not reachable yet (${cause})`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }
}
