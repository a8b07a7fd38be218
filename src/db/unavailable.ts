import type { ErrorCode } from "../errors";

/**
 * Telling "the database cannot be reached" (PostgreSQL down, restarting, or the network to it
 * cut) from every other failure, so that clients get SERVICE_UNAVAILABLE (HTTP 503 where the
 * whole request failed) and can retry, rather than an INTERNAL_SERVER_ERROR, which means a bug.
 */

/** The client-facing code and message of a request that failed because the database could not be reached. */
export const DATABASE_UNAVAILABLE: { code: ErrorCode; status: number; retryAfter: number; message: string } = {
  code: "SERVICE_UNAVAILABLE",
  status: 503,
  /** Seconds a client may wait before retrying (the Retry-After header). */
  retryAfter: 2,
  message: "The database cannot be reached at the moment; try again shortly.",
};

/**
 * SQLSTATEs of a lost or refused connection: class 08 (connection exception), and the server
 * shutting down or starting up (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123])$/;
/** Socket errors of the driver when it cannot reach the server, or the server went away. */
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** What pg says, without a code, when its connection ended or never came. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
];
/**
 * TypeORM releases a transaction's query runner when its connection emits an error (the server
 * went away mid-transaction); the transaction's next statement then fails with one of these (a
 * unit of work never uses its runner after releasing it itself).
 */
const RELEASED_RUNNER = new Set(["QueryRunnerProviderAlreadyReleasedError", "QueryRunnerAlreadyReleasedError"]);

/** Whether an error, or one it wraps (TypeORM's driverError, a cause, GraphQL's originalError), is a lost database. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const e = pending.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const { name, code, message, driverError, cause, originalError, errors } = e as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
      originalError?: unknown;
      errors?: unknown;
    };
    if (typeof code === "string" && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return true;
    const constructorName = (e as { constructor?: { name?: unknown } }).constructor?.name;
    if (RELEASED_RUNNER.has(String(name)) || RELEASED_RUNNER.has(String(constructorName))) return true;
    pending.push(driverError, cause, originalError);
    // AggregateError (a connection refused on both IPv4 and IPv6).
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}
