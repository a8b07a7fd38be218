import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server the suite runs on; `.ci/run` makes sure it exists. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://handover:handover@127.0.0.1:5432/postgres";

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh, empty database for one test file; `drop()` removes it. */
export async function createTestDatabase(label = "t"): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `handover_${label.replace(/\W/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`.toLowerCase();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_DATABASE_URL, name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Waits until some session of the same database is blocked by `holder`'s transaction, asking through
 * `observer` (which may be `holder` itself). Gives up after `timeoutMs`: a test that waited forever would
 * keep `holder`'s transaction open and hold back every event reader of the whole cluster.
 */
export async function untilBlockedBy(holder: pg.Client, observer: pg.Client = holder, timeoutMs = 20_000): Promise<void> {
  const { rows } = await holder.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const waiting = await observer.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND $1::int = ANY (pg_blocking_pids(pid))`,
      [rows[0].pid],
    );
    if (waiting.rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no session was blocked by the holding transaction within ${timeoutMs} ms`);
}
