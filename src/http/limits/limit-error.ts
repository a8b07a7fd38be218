import { type ASTNode, GraphQLError } from "graphql";
import type { ErrorCode } from "../../errors";

/** Codes of the request limits (docs/operations.md "Limits"), each refusing the whole request before it runs. */
export type LimitCode = Extract<ErrorCode, "QUERY_TOO_DEEP" | "QUERY_TOO_COSTLY" | "TOO_MANY_ALIASES" | "INTROSPECTION_DISABLED">;

/** A request refused by a limit: HTTP 400, `limit` and `requested` in extensions. */
export function limitError(
  code: LimitCode,
  message: string,
  details: { limit?: number; requested?: number },
  nodes?: ASTNode,
): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, ...details, http: { status: 400 } } });
}
