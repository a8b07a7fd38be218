import { GraphQLError } from "graphql";

/**
 * Every top-level error code a client can meet (DESIGN.md "Errors a client can rely on"; the
 * limits of docs/operations.md), who raises it, and the extensions an answer keeps beside it.
 * This is the one list: the error formatter passes a code through only as this list says, and
 * answers anything else as INTERNAL_SERVER_ERROR; a code missing here cannot be raised (the
 * compiler refuses it). Business refusals in payloads are UserErrorCode.
 * - `server`: raised by the server's own code, passed through as raised;
 * - `request`: about the request itself, raised before anything ran (parsing, validation,
 *   persisted queries, CSRF, an unreadable body);
 * - `formatter`: written by the formatter itself.
 */
export const ERROR_CODES = {
  /** The input can never be valid; `field` and `fieldPath` name it. */
  BAD_USER_INPUT: { raisedBy: "server", details: ["field", "fieldPath"] },
  UNAUTHENTICATED: { raisedBy: "server", details: [] },
  FORBIDDEN: { raisedBy: "server", details: [] },
  NOT_FOUND: { raisedBy: "server", details: [] },
  /** Too many requests or failed logIns; wait `retryAfter` seconds. */
  RATE_LIMITED: { raisedBy: "server", details: ["retryAfter"] },
  QUERY_TOO_DEEP: { raisedBy: "server", details: ["limit", "requested"] },
  QUERY_TOO_COSTLY: { raisedBy: "server", details: ["limit", "requested"] },
  TOO_MANY_ALIASES: { raisedBy: "server", details: ["limit", "requested"] },
  INTROSPECTION_DISABLED: { raisedBy: "server", details: [] },
  PAYLOAD_TOO_LARGE: { raisedBy: "server", details: ["limit"] },
  /** Over WebSocket: the member's live subscriptions would exceed their number or their cost together. */
  TOO_MANY_SUBSCRIPTIONS: { raisedBy: "server", details: ["limit", "costLimit", "requested"] },
  BAD_REQUEST: { raisedBy: "request", details: [] },
  GRAPHQL_PARSE_FAILED: { raisedBy: "request", details: [] },
  GRAPHQL_VALIDATION_FAILED: { raisedBy: "request", details: [] },
  OPERATION_RESOLUTION_FAILURE: { raisedBy: "request", details: [] },
  PERSISTED_QUERY_NOT_FOUND: { raisedBy: "request", details: [] },
  PERSISTED_QUERY_NOT_SUPPORTED: { raisedBy: "request", details: [] },
  /** The database cannot be reached: retry. With `requestId`. */
  SERVICE_UNAVAILABLE: { raisedBy: "formatter", details: ["requestId", "retryAfter"] },
  /** Our fault, with `requestId`; the detail goes to the log. */
  INTERNAL_SERVER_ERROR: { raisedBy: "formatter", details: ["requestId"] },
} as const satisfies Record<string, { raisedBy: "server" | "request" | "formatter"; details: readonly string[] }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The code, if it is one of the list raised by `raisedBy`. */
export function codeRaisedBy(code: unknown, raisedBy: "server" | "request"): ErrorCode | undefined {
  if (typeof code !== "string" || !Object.hasOwn(ERROR_CODES, code)) return undefined;
  return ERROR_CODES[code as ErrorCode].raisedBy === raisedBy ? (code as ErrorCode) : undefined;
}

/** A shape error: the input can never be valid, whatever is stored. Nothing is changed. */
/**
 * Where in the input an error points, in both forms: `field` dotted ("ticketIds.0"), `fieldPath`
 * as a list (["ticketIds", "0"]), the form of a userError's `field`.
 */
export function fieldForms(field: string): { field: string; fieldPath: string[] } {
  return { field, fieldPath: field.split(".") };
}

export class BadInputError extends GraphQLError {
  constructor(field: string, message: string) {
    super(message, { extensions: { code: "BAD_USER_INPUT", ...fieldForms(field) } });
  }
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message = "Log in first: send Authorization: Bearer <token>.") {
    super(message, { extensions: { code: "UNAUTHENTICATED" } });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = "Your role does not allow this.") {
    super(message, { extensions: { code: "FORBIDDEN" } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(message = "Not found.") {
    super(message, { extensions: { code: "NOT_FOUND" } });
  }
}

/**
 * Something the server depends on outside the database failed (the mail server), so nothing was
 * changed. Still INTERNAL_SERVER_ERROR with a request id, but its message, written for the
 * client, says what failed; the cause goes to the log only.
 */
export class DependencyFailedError extends GraphQLError {
  constructor(message: string, cause: unknown) {
    super(message, { extensions: { code: "INTERNAL_SERVER_ERROR" }, originalError: cause instanceof Error ? cause : undefined });
  }
}

/**
 * Too many requests, or too many failed logIns: nothing was done. HTTP 429 with Retry-After, and
 * the same wait, in whole seconds, in extensions.retryAfter.
 */
export class RateLimitedError extends GraphQLError {
  constructor(
    readonly retryAfter: number,
    message: string,
  ) {
    super(message, {
      extensions: { code: "RATE_LIMITED", retryAfter, http: { status: 429, headers: new Map([["retry-after", String(retryAfter)]]) } },
    });
  }
}
