import type { ApolloServerPlugin } from "@apollo/server";
import { type ASTVisitor, GraphQLError, Kind, type ValidationContext, type ValueNode } from "graphql";

const NUL = "\u0000";

/** The dotted path of the first string holding U+0000 in a variables object. */
function firstNul(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === "string") return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = firstNul(item, [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const found = firstNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

const message = (field: string) => `${field} must not contain the NUL character (U+0000).`;

/**
 * PostgreSQL text cannot hold U+0000: refuse it in any input before it reaches a resolver, as
 * BAD_USER_INPUT naming the field, instead of a database error. Variables are checked here;
 * string literals in the document by `noNulLiterals`.
 */
export const nulGuard: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request }) {
        const variables = request.variables ?? {};
        const path = firstNul(variables, []);
        if (path) {
          // Relative to the argument, as other shape errors are: $input.name is "name".
          const field = path.length > 1 ? path.slice(1).join(".") : path[0];
          throw new GraphQLError(message(field), { extensions: { code: "BAD_USER_INPUT", field, http: { status: 400 } } });
        }
      },
    };
  },
};

/** Whether a literal (or a list of literals) holds a string with U+0000. */
function holdsNul(value: ValueNode): boolean {
  if (value.kind === Kind.STRING) return value.value.includes(NUL);
  if (value.kind === Kind.LIST) return value.values.some(holdsNul);
  return false;
}

/** The validation rule for string literals written in the document itself. */
export function noNulLiterals(context: ValidationContext): ASTVisitor {
  const report = (field: string, node: ValueNode) =>
    context.reportError(new GraphQLError(message(field), { nodes: node, extensions: { code: "BAD_USER_INPUT", field } }));
  return {
    Argument(node) {
      if (holdsNul(node.value)) report(node.name.value, node.value);
    },
    ObjectField(node) {
      if (holdsNul(node.value)) report(node.name.value, node.value);
    },
  };
}
