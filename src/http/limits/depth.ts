import type { ValidationRule } from "graphql";
import { limitError } from "./limit-error";
import { deepestPath } from "./selections";

/**
 * Refuses an operation whose fields nest deeper than `max` (QUERY_TOO_DEEP), fragments
 * included. `{ viewer { user { name } } }` is 3 deep. Introspection's `ofType` does not count:
 * it follows one type's list and non-null wrappers, a chain that never fans out, and that the
 * standard introspection query (GraphiQL's) nests nine times.
 */
export function maxDepthRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const depth = deepestPath(
        schema,
        (name) => context.getFragment(name),
        operation.selectionSet,
        schema.getRootType(operation.operation) ?? undefined,
        (parent, field) => (parent?.name === "__Type" && field === "ofType" ? 0 : 1),
      );
      if (depth > max) {
        context.reportError(
          limitError(
            "QUERY_TOO_DEEP",
            `The operation nests fields ${depth} deep; at most ${max} levels are allowed.`,
            { limit: max, requested: depth },
            operation,
          ),
        );
      }
    },
  });
}
