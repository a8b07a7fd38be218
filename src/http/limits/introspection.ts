import type { ValidationRule } from "graphql";
import { limitError } from "./limit-error";
import { deepestPath } from "./selections";

/** Introspection fields that list a schema's or a type's members. */
const MEMBER_LISTS = new Set([
  "__Schema.types",
  "__Type.fields",
  "__Type.inputFields",
  "__Type.interfaces",
  "__Type.possibleTypes",
  "__Type.enumValues",
]);

/** `types { fields }`, or `__type { fields { type { fields } } }`: what introspecting tools ask for. */
const MAX_MEMBER_LISTS = 2;

/**
 * Introspection answers from memory but can still fan out: `types { fields { type { fields { … } } } }`
 * lists every field of every type for every field of every type. Tools (GraphiQL, code generators)
 * never nest member lists more than two deep, so deeper nesting is refused as QUERY_TOO_DEEP.
 */
export const introspectionDepthRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    const schema = context.getSchema();
    const nesting = deepestPath(
      schema,
      (name) => context.getFragment(name),
      operation.selectionSet,
      schema.getRootType(operation.operation) ?? undefined,
      (parent, field) => (MEMBER_LISTS.has(`${parent?.name}.${field}`) ? 1 : 0),
    );
    if (nesting > MAX_MEMBER_LISTS) {
      context.reportError(
        limitError(
          "QUERY_TOO_DEEP",
          `The operation nests introspection lists (types, fields, inputFields, interfaces, possibleTypes, enumValues) ${nesting} deep; ` +
            `at most ${MAX_MEMBER_LISTS} are allowed.`,
          { limit: MAX_MEMBER_LISTS, requested: nesting },
          operation,
        ),
      );
    }
  },
});

/** With INTROSPECTION=false: `__schema` and `__type` are refused (`__typename` still works). */
export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name === "__schema" || name === "__type") {
      context.reportError(
        limitError("INTROSPECTION_DISABLED", `Introspection is turned off on this server: ${name} is not available.`, {}, node),
      );
    }
  },
});
