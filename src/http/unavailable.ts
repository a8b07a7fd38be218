import { type ApolloServerPlugin, type BaseContext, HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable";

/**
 * A GraphQL request that failed because the database could not be reached answers HTTP 503 with
 * Retry-After, wherever it failed: in a resolver (Apollo would answer 200 with the error in the
 * body), in a plugin, or while its context was made. A request refused before GraphQL runs (its
 * token could not be checked) gets the same from the Express error handler. The body keeps
 * whatever data was resolved before the failure, and the SERVICE_UNAVAILABLE error(s).
 */
export const serviceUnavailablePlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const errors = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
        if (!errors?.some((e) => e.extensions?.code === DATABASE_UNAVAILABLE.code)) return;
        response.http.status = DATABASE_UNAVAILABLE.status;
        response.http.headers.set("retry-after", String(DATABASE_UNAVAILABLE.retryAfter));
      },
    };
  },
};

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
