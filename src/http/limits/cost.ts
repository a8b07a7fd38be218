import {
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  GraphQLError,
  type GraphQLSchema,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  valueFromASTUntyped,
} from "graphql";
import { BadInputError } from "../../errors";
import { MAX_PAGE } from "../../schema/connection";
import { maxItemsOf, minCostOf } from "../../schema/list-bounds";
import { limitError } from "./limit-error";
import { fieldDefinition } from "./selections";

/**
 * What a connection reads when first and last are left out and neither the schema gives a default
 * nor the field a maximum (src/schema/connection.ts).
 */
export const DEFAULT_PAGE = 25;

type Variables = Readonly<Record<string, unknown>>;

/** The cost of a selection set, per object it is selected on: `once`, plus `perItem` for each item of a connection. */
interface Tally {
  once: number;
  perItem: number;
}

/** A connection: an object type listing its items in `nodes` and `edges`. */
function isConnection(type: GraphQLNamedType | undefined): boolean {
  if (!isObjectType(type)) return false;
  const fields = type.getFields();
  return fields.nodes !== undefined || fields.edges !== undefined;
}

/**
 * Computes an operation's cost, in the manner of GitHub's node limit: the most objects it can
 * return. Every field of an object type counts one per object it is selected on; a field paged by
 * first/last (a connection, or a list such as flowStarts) counts its items as first (or last, or
 * its default) each; nodes(ids:) counts one per id; any other list counts its declared maximum
 * (MaxItems, src/schema/list-bounds.ts) of items. Scalars are free. Fragments count where they
 * are spread, @skip/@include are honoured, variables are read (with their defaults).
 *
 * Checks first/last on the way: outside 1..100 is BAD_USER_INPUT naming the argument, before
 * anything runs.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  stopAfter = Number.MAX_SAFE_INTEGER,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }

  /** An argument's value as sent: `given` is false when it is left out (the schema default then applies). */
  const argument = (node: ArgumentNode | undefined): { given: boolean; value: unknown } => {
    if (!node) return { given: false, value: undefined };
    if (node.value.kind === Kind.VARIABLE) {
      const name = node.value.name.value;
      if (Object.prototype.hasOwnProperty.call(variables, name)) return { given: true, value: variables[name] };
      return variableDefaults.has(name) ? { given: true, value: variableDefaults.get(name) } : { given: false, value: undefined };
    }
    return { given: true, value: valueFromASTUntyped(node.value, variables) };
  };

  const included = (directives: readonly DirectiveNode[] | undefined): boolean => {
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name !== "skip" && name !== "include") continue;
      const condition = argument(directive.arguments?.find((a) => a.name.value === "if")).value;
      if (name === "skip" && condition === true) return false;
      if (name === "include" && condition === false) return false;
    }
    return true;
  };

  /**
   * How many items a paged field returns as asked (first/last, else their schema default), null for
   * a paged field asked without a size and with no schema default, undefined for a field that is not
   * paged.
   */
  const pageOf = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number | null | undefined => {
    let size: number | undefined;
    let paged = false;
    for (const name of ["first", "last"]) {
      const declared = definition.args.find((a) => a.name === name);
      if (!declared) continue;
      paged = true;
      const { given, value } = argument(node.arguments?.find((a) => a.name.value === name));
      // Not an integer: the variable's coercion reports it when the operation runs.
      if (!given || typeof value !== "number" || !Number.isInteger(value)) continue;
      if (value < 1 || value > MAX_PAGE) throw new BadInputError(name, `${name} must be between 1 and ${MAX_PAGE}.`);
      size = Math.max(size ?? 0, value);
    }
    if (paged) {
      if (size !== undefined) return size;
      const declared = definition.args.find((a) => a.name === "first" || a.name === "last");
      return typeof declared?.defaultValue === "number" ? declared.defaultValue : null;
    }
    const ids = definition.args.find((a) => a.name === "ids");
    const idsType = ids && (isNonNullType(ids.type) ? ids.type.ofType : ids.type);
    if (ids && isListType(idsType)) {
      const { value } = argument(node.arguments?.find((a) => a.name.value === "ids"));
      return Array.isArray(value) ? value.length : 1;
    }
    return undefined;
  };

  /**
   * How many items a list field can hold in the answer: its page, never above its declared maximum;
   * without a page size its declared maximum, else DEFAULT_PAGE; undefined for a field that is
   * neither paged nor bounded (one object, or a list of scalars).
   */
  const itemsOf = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number | undefined => {
    const page = pageOf(node, definition);
    const max = maxItemsOf(definition);
    if (page === undefined) return max;
    if (page === null) return max ?? DEFAULT_PAGE;
    return max === undefined ? page : Math.min(page, max);
  };

  const memo = new Map<string, Tally>();
  const tally = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, into: Tally = { once: 0, perItem: 0 }): Tally => {
    const connection = isConnection(parent);
    for (const selection of set.selections) {
      if (!included(selection.directives)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const definition = fieldDefinition(schema, parent, name);
        if (!definition) continue;
        const cost = fieldCost(selection, definition);
        if (connection && (name === "nodes" || name === "edges")) into.perItem += cost;
        else into.once += cost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? undefined) : parent;
        const inner = tally(selection.selectionSet, type);
        into.once += inner.once;
        into.perItem += inner.perItem;
      } else {
        const name = selection.name.value;
        let inner = memo.get(name);
        const definition = fragments.get(name);
        if (!inner && definition) {
          inner = tally(definition.selectionSet, schema.getType(definition.typeCondition.name.value) ?? undefined);
          memo.set(name, inner);
        }
        into.once += inner?.once ?? 0;
        into.perItem += inner?.perItem ?? 0;
      }
    }
    return into;
  };

  /** A field's cost for one object it is selected on. */
  const fieldCost = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number => {
    if (definition === SchemaMetaFieldDef || definition === TypeMetaFieldDef) return introspectionCost(node, definition);
    const type = getNamedType(definition.type);
    const self = isCompositeType(type) ? 1 : 0;
    const below = node.selectionSet ? tally(node.selectionSet, type) : { once: 0, perItem: 0 };
    const items = itemsOf(node, definition);
    const least = minCostOf(definition);
    if (items === undefined) return Math.max(least, self + below.once + below.perItem);
    if (isConnection(type)) return Math.max(least, self + below.once + items * below.perItem);
    return Math.max(least, items * (self + below.once + below.perItem));
  };

  /**
   * Introspection answers from the schema alone, so what it returns is counted exactly: the objects
   * of this schema the selection reaches (its types, their fields, arguments, values…), walked as
   * graphql-js would resolve them. The walk stops once it passes `stopAfter`: the operation is
   * refused then anyway, and the count costs no more than that.
   */
  let introspected = 0;
  const introspectionCost = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number => {
    const before = introspected;
    const root =
      definition === SchemaMetaFieldDef
        ? schema
        : schema.getType(String(argument(node.arguments?.find((a) => a.name.value === "name")).value));
    walkIntrospection(node.selectionSet, definition === SchemaMetaFieldDef ? "__Schema" : "__Type", root);
    return introspected - before;
  };
  const walkIntrospection = (set: SelectionSetNode | undefined, typeName: string, value: unknown): void => {
    if (!set || value === null || value === undefined || introspected > stopAfter) return;
    introspected += 1;
    const type = schema.getType(typeName);
    if (!isObjectType(type)) return;
    const visit = (selections: SelectionSetNode): void => {
      for (const selection of selections.selections) {
        if (!included(selection.directives)) continue;
        if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
        else if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments.get(selection.name.value);
          if (fragment) visit(fragment.selectionSet);
        } else {
          const field = type.getFields()[selection.name.value];
          const target = field && getNamedType(field.type);
          if (!field?.resolve || !target || !isCompositeType(target)) continue;
          const args: Record<string, unknown> = {};
          for (const arg of selection.arguments ?? []) args[arg.name.value] = argument(arg).value;
          const result: unknown = field.resolve(value, args, undefined, { schema } as GraphQLResolveInfo);
          for (const item of Array.isArray(result) ? result : [result]) walkIntrospection(selection.selectionSet, target.name, item);
        }
        if (introspected > stopAfter) return;
      }
    };
    visit(set);
  };

  const total = tally(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  return total.once + total.perItem;
}

/**
 * The operation's cost (operationCost), or the error that refuses it before anything runs:
 * QUERY_TOO_COSTLY over `limit`, BAD_USER_INPUT for a first/last outside 1..100. Over HTTP and
 * over WebSocket alike.
 */
export function checkedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  limit: number,
): number {
  let requested: number;
  try {
    requested = operationCost(schema, document, operation, variables, limit);
  } catch (error) {
    // Refused before anything ran: a bad request, as Apollo answers shape errors of variables.
    if (error instanceof BadInputError)
      throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
    throw error;
  }
  if (requested > limit) {
    throw limitError(
      "QUERY_TOO_COSTLY",
      `The operation could return ${requested} objects; at most ${limit} are allowed. Ask for smaller pages (first/last) or fewer nested lists.`,
      { limit, requested },
    );
  }
  return requested;
}
