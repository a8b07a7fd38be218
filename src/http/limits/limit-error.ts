import { type ASTNode, GraphQLError } from "graphql";

/** Codes of the request limits (README "Limits"), each refusing the whole request before it runs. */
export type LimitCode = "QUERY_TOO_DEEP" | "QUERY_TOO_COSTLY" | "TOO_MANY_ALIASES" | "INTROSPECTION_DISABLED";

/** Every code a limit may answer with, for the error formatter to pass through. */
export const LIMIT_CODES: ReadonlySet<string> = new Set<string>([
  "QUERY_TOO_DEEP",
  "QUERY_TOO_COSTLY",
  "TOO_MANY_ALIASES",
  "INTROSPECTION_DISABLED",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
]);

/** The extensions a limit error shows besides its code: the limit, what the request asked, and how long to wait. */
export const LIMIT_DETAILS = ["limit", "requested", "retryAfter"] as const;

/** A request refused by a limit: HTTP 400, `limit` and `requested` in extensions. */
export function limitError(
  code: LimitCode,
  message: string,
  details: { limit?: number; requested?: number },
  nodes?: ASTNode,
): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, ...details, http: { status: 400 } } });
}
