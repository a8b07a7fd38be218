import {
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
} from "graphql";

/** The definition of a selected field, introspection's meta fields included; undefined when unknown. */
export function fieldDefinition(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent !== undefined && parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/**
 * The largest sum of per-field weights along any path of fields from the selection set down,
 * through inline fragments and fragment spreads. A fragment's answer is computed once, so a
 * document that spreads fragments into each other many times costs no more than its size; a
 * fragment cycle (refused by validation anyway) counts as nothing.
 */
export function deepestPath(
  schema: GraphQLSchema,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  root: SelectionSetNode,
  rootType: GraphQLNamedType | undefined,
  weight: (parent: GraphQLNamedType | undefined, field: string) => number,
): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let deepest = 0;
    for (const selection of set.selections) {
      let depth: number;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const definition = fieldDefinition(schema, parent, name);
        const below = selection.selectionSet ? walk(selection.selectionSet, definition && getNamedType(definition.type)) : 0;
        depth = weight(parent, name) + below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = walk(
          selection.selectionSet,
          selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? undefined) : parent,
        );
      } else {
        const name = selection.name.value;
        const known = memo.get(name);
        const definition = fragment(name);
        if (known !== undefined) depth = known;
        else if (!definition || visiting.has(name)) depth = 0;
        else {
          visiting.add(name);
          depth = walk(definition.selectionSet, schema.getType(definition.typeCondition.name.value) ?? undefined);
          visiting.delete(name);
          memo.set(name, depth);
        }
      }
      deepest = Math.max(deepest, depth);
    }
    return deepest;
  };
  return walk(root, rootType);
}
