import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable";

/**
 * For Apollo's context function: a lost database while making the context becomes an error that
 * carries its HTTP status and Retry-After (Apollo answers a failed context with 500 otherwise, and
 * runs no plugin). The error formatter still sees the database error as its cause.
 */
export function rethrowUnavailable(error: unknown): never {
  if (!isDatabaseUnavailable(error)) throw error;
  throw new GraphQLError(DATABASE_UNAVAILABLE.message, {
    originalError: error instanceof Error ? error : Object.assign(new Error("database unavailable"), { cause: error }),
    extensions: {
      http: {
        status: DATABASE_UNAVAILABLE.status,
        headers: new HeaderMap([["retry-after", String(DATABASE_UNAVAILABLE.retryAfter)]]),
      },
    },
  });
}
