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

/** Counts a transaction run again. */
export function transactionRetried(): void {
  retried += 1;
}

/** A deadlock or a serialization failure: the whole transaction can simply be run again. */
export function isRetryable(error: unknown): boolean {
  return RETRYABLE.has(sqlState(error) ?? "");
}

/** A short random pause before the attempt after `attempt`, so that the transactions that collided part ways. */
export function pauseBeforeRetry(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
}

/**
 * Runs `work` in one transaction, running it again (up to `attempts` times, with a short random
 * pause) after a deadlock or serialization failure. For work outside requests (the first
 * administrator, background jobs); a request's writes run in its unit of work (unit-of-work.ts).
 */
export async function inTransaction<T>(db: DataSource, work: (em: EntityManager) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      transactionRetried();
      await pauseBeforeRetry(attempt);
    }
  }
}
