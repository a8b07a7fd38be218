import type { DataSource } from "typeorm";

/** Advisory lock key shared by every Handover process on one database ("handover" in ASCII). */
const MIGRATION_LOCK = 0x68616e646f766572n;

/**
 * Runs `fn` while holding the migration lock, so that processes starting together migrate and
 * bootstrap one after the other instead of racing.
 */
export async function withMigrationLock<T>(db: DataSource, fn: () => Promise<T>): Promise<T> {
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
