import pg from "pg";
import type { DataSource } from "typeorm";

/** Advisory lock key shared by every Handover process on one database ("handover" in ASCII). */
const MIGRATION_LOCK = 0x68616e646f766572n;

export interface MigrationLockOptions {
  /**
   * Takes the lock on a connection of its own to this URL, as a transaction-level lock held by a
   * transaction that stays open while `fn` runs. It needs no session: it holds through a pooler
   * in transaction mode (PgBouncer), which pins the transaction's server connection until it ends,
   * as well as on a direct connection. Without it, a session lock on one of `db`'s connections:
   * for the embedded database, which runs one transaction at a time, and scripts on a direct URL.
   */
  url?: string;
  /** Told when the lock's connection is lost while `fn` runs: the lock is gone with it. */
  onLost?: (error: Error) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` while holding the migration lock, so that processes starting together migrate and
 * bootstrap one after the other instead of racing.
 */
export async function withMigrationLock<T>(db: DataSource, fn: () => Promise<T>, options: MigrationLockOptions = {}): Promise<T> {
  if (options.url) return withTransactionLock(options.url, fn, options.onLost);
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK.toString()]);
    try {
      return await fn();
    } finally {
      await runner.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK.toString()]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * The lock as `pg_try_advisory_xact_lock` in an open transaction. Waiting processes do not block
 * in the lock, each pinning a pooler's server connection the holder may need for its migrations:
 * they try, end their transaction and try again shortly after.
 */
async function withTransactionLock<T>(url: string, fn: () => Promise<T>, onLost?: (error: Error) => void): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "handover-migrate" });
  let holding = false;
  client.on("error", (error) => {
    if (holding) onLost?.(error);
  });
  await client.connect();
  try {
    for (let pause = 25; ; pause = Math.min(pause * 2, 250)) {
      await client.query("BEGIN");
      // The transaction idles while migrations run on other connections: a server-wide
      // idle_in_transaction_session_timeout must not end it (and release the lock) meanwhile.
      await client.query("SET LOCAL idle_in_transaction_session_timeout = 0");
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [
        MIGRATION_LOCK.toString(),
      ]);
      if (rows[0]?.locked) break;
      await client.query("ROLLBACK");
      await sleep(pause);
    }
    holding = true;
    // A statement now and then, so that a pooler's idle_transaction_timeout does not end it either.
    const heartbeat = setInterval(() => void client.query("SELECT 1").catch(() => undefined), 5000);
    try {
      return await fn();
    } finally {
      clearInterval(heartbeat);
      holding = false;
      // The transaction wrote nothing: ending it releases the lock.
      await client.query("ROLLBACK").catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Applies pending migrations, each in its own transaction; returns their names. */
export async function migrate(db: DataSource): Promise<string[]> {
  const applied = await db.runMigrations({ transaction: "each" });
  return applied.map((m) => m.name);
}

/** True when every known migration is recorded as applied. */
export async function migrationsApplied(db: DataSource): Promise<boolean> {
  const rows = await db.query<Array<{ name: string }>>(`SELECT name FROM migrations`);
  const done = new Set(rows.map((r) => r.name));
  return db.migrations.every((m) => m.name !== undefined && done.has(m.name));
}
