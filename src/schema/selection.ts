import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";

/**
 * The names of the fields a query selects at the end of a path below the current field (such as
 * ["edges", "node"] and ["nodes"] of a connection), through fragments and inline fragments.
 * Fields under @include/@skip count as selected: reading a little more is harmless.
 */
export function selectedFields(info: GraphQLResolveInfo, ...paths: string[][]): Set<string> {
  const found = new Set<string>();
  const fieldsOf = (set: SelectionSetNode | undefined, into: FieldNode[] = []): FieldNode[] => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) into.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, into);
      else fieldsOf(info.fragments[selection.name.value]?.selectionSet, into);
    }
    return into;
  };
  const walk = (nodes: readonly FieldNode[], path: string[]) => {
    const fields = nodes.flatMap((node) => fieldsOf(node.selectionSet));
    if (path.length === 0) {
      for (const field of fields) found.add(field.name.value);
      return;
    }
    walk(
      fields.filter((f) => f.name.value === path[0]),
      path.slice(1),
    );
  };
  for (const path of paths) walk(info.fieldNodes, path);
  return found;
}
