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

const MIN_COST = "minCost";

/**
 * Declares the least a field counts toward the query cost, for a field whose work does not
 * follow from what is selected below it (a reading that sums many stored rows into a few): the
 * cost model counts it at least this much, so that aliases cannot multiply the work unseen.
 */
export function MinCost(cost: number): PropertyDecorator & MethodDecorator {
  if (!Number.isInteger(cost) || cost < 1) throw new Error(`MinCost needs a positive integer, not ${cost}`);
  return Extensions({ [MIN_COST]: cost });
}

/** The declared least cost of a field (MinCost), or 0. */
export function minCostOf(field: Pick<GraphQLField<unknown, unknown>, "extensions">): number {
  const value: unknown = field.extensions?.[MIN_COST];
  return typeof value === "number" ? value : 0;
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
      const least = minCostOf(field);
      if (least > 0) {
        const line = `Counts at least ${least.toLocaleString("en-US")} toward the query cost.`;
        field.description = field.description ? `${field.description}\n\n${line}` : line;
      }
      const max = maxItemsOf(field);
      if (max === undefined) continue;
      const line = `At most ${max.toLocaleString("en-US")} ${max === 1 ? "item" : "items"}.`;
      field.description = field.description ? `${field.description}\n\n${line}` : line;
    }
  }
}
