import { toGlobalId } from "../schema/global-id";
import type { Result, UserError } from "../services/user-error";

/**
 * A mutation's payload from a service's result: the changed object under `key`, mapped to its
 * GraphQL class, and no userErrors; or null under `key` with the service's userErrors.
 */
export function payloadOf<K extends string, T, O>(
  key: K,
  result: Result<T>,
  map: (value: T) => O,
): { [P in K]: O | null } & { userErrors: UserError[] } {
  const value = result.ok ? map(result.value) : null;
  return { [key]: value, userErrors: result.ok ? [] : result.errors } as { [P in K]: O | null } & { userErrors: UserError[] };
}

/** A delete's payload: the global id of what was deleted, or null with the userErrors. */
export function deletedPayload(type: string, result: Result<string>): { deletedId: string | null; userErrors: UserError[] } {
  return payloadOf("deletedId", result, (id) => toGlobalId(type, id));
}
