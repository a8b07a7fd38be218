import { type ASTVisitor, GraphQLError, Kind, type ValidationContext, type ValueNode } from "graphql";
import { fieldForms } from "../errors";

const NUL = "\u0000";

/**
 * The dotted path of the first string holding U+0000 in a variables object. Walks with an
 * explicit stack, each entry pointing at its parent (the path is built only for a hit):
 * variables are client input, and may nest tens of thousands deep.
 */
function firstNul(value: unknown): string[] | undefined {
  interface Step {
    value: unknown;
    key: string | undefined;
    parent: Step | undefined;
  }
  const stack: Step[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const v = step.value;
    if (typeof v === "string") {
      if (!v.includes(NUL)) continue;
      const path: string[] = [];
      for (let s: Step | undefined = step; s?.key !== undefined; s = s.parent) path.unshift(s.key);
      return path;
    }
    if (v && typeof v === "object") {
      const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
      // Pushed last first, so the first string in document order is found first.
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], key: entries[i][0], parent: step });
    }
  }
  return undefined;
}

const message = (field: string) => `${field} must not contain the NUL character (U+0000).`;

/**
 * PostgreSQL text cannot hold U+0000: refuse it in any input before it reaches a resolver, as
 * BAD_USER_INPUT naming the field, instead of a database error. Variables are checked here
 * (by the operation policy, for HTTP and WebSocket alike); string literals in the document by
 * `noNulLiterals`.
 */
export function refuseNulVariables(variables: Record<string, unknown>): void {
  const path = firstNul(variables);
  if (!path) return;
  // Relative to the argument, as other shape errors are: $input.name is "name".
  const field = path.length > 1 ? path.slice(1).join(".") : path[0];
  throw new GraphQLError(message(field), { extensions: { code: "BAD_USER_INPUT", ...fieldForms(field), http: { status: 400 } } });
}

/** Whether a literal (or a list of literals) holds a string with U+0000. */
function holdsNul(value: ValueNode): boolean {
  if (value.kind === Kind.STRING) return value.value.includes(NUL);
  if (value.kind === Kind.LIST) return value.values.some(holdsNul);
  return false;
}

/** The validation rule for string literals written in the document itself. */
export function noNulLiterals(context: ValidationContext): ASTVisitor {
  const report = (field: string, node: ValueNode) =>
    context.reportError(new GraphQLError(message(field), { nodes: node, extensions: { code: "BAD_USER_INPUT", ...fieldForms(field) } }));
  return {
    Argument(node) {
      if (holdsNul(node.value)) report(node.name.value, node.value);
    },
    ObjectField(node) {
      if (holdsNul(node.value)) report(node.name.value, node.value);
    },
  };
}
