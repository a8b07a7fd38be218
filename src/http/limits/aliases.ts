import { type FragmentDefinitionNode, Kind, type SelectionSetNode, type ValidationRule } from "graphql";
import { limitError } from "./limit-error";

/**
 * The aliases an operation resolves: each aliased field counts once per place it is resolved, so
 * a fragment spread in several places counts its aliases in each. Computed once per fragment.
 */
function aliasCount(root: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | null | undefined): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const count = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += (selection.alias ? 1 : 0) + (selection.selectionSet ? count(selection.selectionSet) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += count(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const definition = fragment(name);
        let inFragment = memo.get(name);
        if (inFragment === undefined) {
          if (!definition || visiting.has(name)) continue;
          visiting.add(name);
          inFragment = count(definition.selectionSet);
          visiting.delete(name);
          memo.set(name, inFragment);
        }
        total += inFragment;
      }
    }
    return total;
  };
  return count(root);
}

/** Refuses an operation with more than `max` aliases (TOO_MANY_ALIASES): aliases multiply the work of one request. */
export function maxAliasesRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const aliases = aliasCount(operation.selectionSet, (name) => context.getFragment(name));
      if (aliases > max) {
        context.reportError(
          limitError(
            "TOO_MANY_ALIASES",
            `The operation uses ${aliases} aliases; at most ${max} are allowed.`,
            { limit: max, requested: aliases },
            operation,
          ),
        );
      }
    },
  });
}
