import "reflect-metadata";
import "./enums";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  defaultFieldResolver,
  type GraphQLEnumType,
  type GraphQLField,
  GraphQLSchema,
  isObjectType,
  lexicographicSortSchema,
  Kind,
} from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchema, type NonEmptyArray, type PubSub } from "type-graphql";
import { authChecker } from "../auth/auth-checker";
import { AUTH_DIRECTIVE } from "../auth/requires";
import type { RequestContext } from "../context";
import { authDirective, contactFieldAccessDirective } from "./directives";
import { describeListBounds } from "./list-bounds";

/**
 * Appends "Requires: ..." to the description of every field carrying `@auth`, so the rule that
 * `@Requires` enforces is also read in GraphiQL's docs.
 */
function describeRequirements(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>) {
      const auth = field.astNode?.directives?.find((d) => d.name.value === AUTH_DIRECTIVE);
      const value = auth?.arguments?.[0]?.value;
      if (!value || value.kind !== Kind.LIST) continue;
      const roles = value.values.map((v) => (v.kind === Kind.ENUM ? v.value : "?"));
      const line = roles.length === 3 ? "Requires: any member (ADMINISTRATOR, EDITOR, AGENT)." : `Requires: ${roles.join(" or ")}.`;
      field.description = field.description ? `${field.description}\n\n${line}` : line;
    }
  }
}

/**
 * Every mutation runs in one transaction of its request's unit of work, committed when its
 * resolver returns (its payload's fields are then read after the commit) and run again after a
 * deadlock. Done here, for every field of the Mutation type, so that no mutation can be left out.
 */
function runMutationsInUnitsOfWork(schema: GraphQLSchema): void {
  const mutation = schema.getMutationType();
  if (!mutation) return;
  for (const field of Object.values(mutation.getFields()) as Array<GraphQLField<unknown, RequestContext>>) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, ctx, info) => ctx.work.run(async () => resolve(source, args, ctx, info));
  }
}

/**
 * Subscriptions here read the event log (src/subscriptions/feed.ts) through their own
 * `subscribe` functions; type-graphql asks for a topic-based PubSub all the same, which is never
 * used.
 */
const noTopics: PubSub = {
  publish() {
    throw new Error("subscriptions read feeds, not topics");
  },
  subscribe() {
    throw new Error("subscriptions read feeds, not topics");
  },
};

/** Builds the executable schema from the resolver classes: the one source of the API. */
export async function buildHandoverSchema(resolvers: NonEmptyArray<Function>): Promise<GraphQLSchema> {
  const built = await buildSchema({
    resolvers,
    authChecker,
    validate: { forbidUnknownValues: false, stopAtFirstError: true },
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    pubSub: noTopics,
  });
  const schema = new GraphQLSchema({
    ...built.toConfig(),
    directives: [...built.getDirectives(), authDirective(built.getType("Role") as GraphQLEnumType), contactFieldAccessDirective],
  });
  describeListBounds(schema);
  describeRequirements(schema);
  runMutationsInUnitsOfWork(schema);
  return schema;
}

/** The SDL with applied directives (graphql's printSchema drops them), sorted for stable diffs. */
export function printHandoverSchema(schema: GraphQLSchema): string {
  return `${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}
