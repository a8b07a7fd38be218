import { type GraphQLField, type GraphQLSchema, isInterfaceType, isObjectType } from "graphql";
import { Extensions } from "type-graphql";

/**
 * Every list field of the API is either paged (`first`/`last`, 1 to 100) or declares here the
 * most items it can hold in one answer, a bound the domain enforces. The cost model
 * (src/http/limits/cost.ts) multiplies the field's cost by it, so `extensions.cost.requested` is
 * never below the objects an answer holds; test/security/bounded-lists.test.ts fails for an object list
 * that is neither.
 */
const MAX_ITEMS = "maxItems";

/**
 * Declares the most items a list field holds in an answer, next to the field: the bound must be
 * true, taken from the rule that enforces it (a service's limit, an input's size), so name that
 * rule's constant rather than repeating its number. On a paged field it is the most a page holds,
 * and what the cost model counts when first/last are left out.
 */
export function MaxItems(max: number): PropertyDecorator & MethodDecorator {
  if (!Number.isInteger(max) || max < 1) throw new Error(`MaxItems needs a positive integer, not ${max}`);
  return Extensions({ [MAX_ITEMS]: max });
}

/** The declared maximum of a field (MaxItems), or undefined when it declares none. */
export function maxItemsOf(field: Pick<GraphQLField<unknown, unknown>, "extensions">): number | undefined {
  const value: unknown = field.extensions?.[MAX_ITEMS];
  return typeof value === "number" ? value : undefined;
}

/**
 * Adds "At most N items." to the description of every field declaring a maximum, so that GraphiQL's docs
 * and the emitted SDL show the bound the cost model counts.
 */
export function describeListBounds(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if ((!isObjectType(type) && !isInterfaceType(type)) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>) {
      const max = maxItemsOf(field);
      if (max === undefined) continue;
      const line = `At most ${max.toLocaleString("en-US")} ${max === 1 ? "item" : "items"}.`;
      field.description = field.description ? `${field.description}\n\n${line}` : line;
    }
  }
}
