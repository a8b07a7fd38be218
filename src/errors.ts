import { GraphQLError } from "graphql";

/** The top-level error codes a client can rely on (DESIGN.md "Errors a client can rely on"). */
export type ErrorCode =
  "BAD_USER_INPUT" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "RATE_LIMITED" | "SERVICE_UNAVAILABLE" | "INTERNAL_SERVER_ERROR";

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
