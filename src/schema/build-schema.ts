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
import { buildSchema, getMetadataStorage, type NonEmptyArray, type PubSub } from "type-graphql";
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

/** The resolvers that read a plain field straight off its object (see readPlainFieldsDirectly). */
const plainReads = new WeakSet<Function>();

/** Whether a field's resolver is a plain read, which runs no auth check. */
export function isPlainRead(resolve: Function | undefined): boolean {
  return resolve !== undefined && plainReads.has(resolve);
}

/**
 * Plain fields (a property of the object, with no resolver method, no role and no middleware)
 * are read straight off their object. type-graphql would otherwise wrap each in a function that
 * builds its resolver data and runs an empty middleware chain, for every field of every object of
 * every answer: 9% of the server's CPU on an inbox page. A field with a role keeps its wrapper,
 * and with it the auth checker; a test checks that no field marked `@auth` or
 * `@contactFieldAccess` is read plainly.
 */
function readPlainFieldsDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const hasResolverMethod = (target: Function, name: string) =>
    storage.fieldResolvers.some((r) => r.methodName === name && r.getObjectType?.() === target);
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const built = fields[field.schemaName];
      if (!built || field.roles || (field.middlewares?.length ?? 0) > 0 || hasResolverMethod(field.target, field.name)) continue;
      const property = field.name;
      const read = (source: Record<string, unknown>) => source[property];
      plainReads.add(read);
      built.resolve = read;
    }
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
  readPlainFieldsDirectly(schema);
  return schema;
}

/** The SDL with applied directives (graphql's printSchema drops them), sorted for stable diffs. */
export function printHandoverSchema(schema: GraphQLSchema): string {
  return `${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}
