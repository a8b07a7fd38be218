import type { DataSource, EntityManager } from "typeorm";

/** SQLSTATEs after which the whole transaction can simply be run again. */
const RETRYABLE = new Set(["40001", "40P01"]);

export function sqlState(error: unknown): string | undefined {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.code ??
    (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return typeof code === "string" ? code : undefined;
}

/** The name of the constraint a unique violation (23505) hit, if that is what the error is. */
export function uniqueViolation(error: unknown): string | undefined {
  if (sqlState(error) !== "23505") return undefined;
  const e = error as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const name = e.constraint ?? e.driverError?.constraint;
  return typeof name === "string" ? name : "";
}

let retried = 0;

/** How many transactions this process ran again after a deadlock or serialization failure. */
export function retriedTransactions(): number {
  return retried;
}

/**
 * Runs a whole transaction (`once`), running it again (up to `attempts` times, after a short
 * random pause so that the transactions that collided part ways) after a deadlock or a
 * serialization failure, so that clients never see those.
 */
export async function withRetries<T>(once: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once();
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(sqlState(error) ?? "")) throw error;
      retried += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Runs `work` in one transaction, run again after a deadlock or serialization failure
 * (withRetries). For work outside requests (the first
 * administrator, background jobs); a request's writes run in its unit of work (unit-of-work.ts).
 */
export function inTransaction<T>(db: DataSource, work: (em: EntityManager) => Promise<T>, attempts = 5): Promise<T> {
  return withRetries(() => db.transaction(work), attempts);
}
