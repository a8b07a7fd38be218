/**
 * The rows of an UPDATE or DELETE ... RETURNING run through TypeORM's `query`, which answers
 * those commands with `[rows, rowCount]` instead of the rows.
 */
export function returningRows<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === "number") return raw[0] as T[];
  return raw as T[];
}
