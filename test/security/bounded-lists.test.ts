/**
 * Every list field of the schema is bounded: paged by first/last (1 to 100), or declaring the most
 * items it holds (MaxItems, src/schema/list-bounds.ts), so that the cost model can count it. A
 * connection's nodes and edges are bounded by the first/last of every field returning it. A new
 * list of objects that is neither fails here, by name.
 */
import {
  extendSchema,
  getNamedType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
} from "graphql";
import { RESOLVERS } from "../../src/resolvers";
import { buildHandoverSchema } from "../../src/schema/build-schema";
import { maxItemsOf } from "../../src/schema/list-bounds";

type Field = GraphQLField<unknown, unknown>;

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

const paged = (field: Field): boolean => field.args.some((a) => a.name === "first" || a.name === "last");

/** A connection: an object type listing its items in nodes and edges (as src/http/limits/cost.ts sees it). */
function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && (type.getFields().nodes !== undefined || type.getFields().edges !== undefined);
}

function fieldsOf(schema: GraphQLSchema): Array<{ owner: string; field: Field }> {
  const out: Array<{ owner: string; field: Field }> = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) out.push({ owner: type.name, field });
  }
  return out;
}

/** Every problem with the schema's lists, one line each naming the field: empty when all are bounded. */
function unboundedLists(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  const fields = fieldsOf(schema);
  for (const { owner, field } of fields) {
    const name = `${owner}.${field.name}`;
    const max = maxItemsOf(field);
    if (max !== undefined && !isList(field.type)) problems.push(`${name} declares MaxItems but is not a list`);
    if (!isList(field.type) || !isCompositeType(getNamedType(field.type))) continue;
    if (paged(field) || max !== undefined) continue;
    const parent = schema.getType(owner);
    if (parent && isConnection(parent) && (field.name === "nodes" || field.name === "edges")) continue;
    problems.push(`${name} (${String(field.type)}) is a list of objects neither paged by first/last nor declaring MaxItems`);
  }
  // A connection's items are bounded only if every field returning it takes first/last.
  for (const { owner, field } of fields) {
    const type = getNamedType(field.type);
    if (isConnection(type) && !paged(field)) {
      problems.push(`${owner}.${field.name} returns the connection ${type.name} without first/last: its nodes and edges are unbounded`);
    }
  }
  return problems;
}

const built = buildHandoverSchema(RESOLVERS);

describe("every list of objects is bounded", () => {
  it("is paged by first/last or declares the most items it holds", async () => {
    expect(unboundedLists(await built)).toEqual([]);
  });

  it("names a new list of objects that is neither", async () => {
    const schema = extendSchema(
      await built,
      parse(`
        extend type Ticket { watchers: [User!]! pagedWatchers(first: Int): [User!]! tags: [String!]! }
        type WatcherConnection { nodes: [User!]! }
        extend type Contact { watcherPage: WatcherConnection! }
      `),
    );
    expect(unboundedLists(schema)).toEqual([
      "Ticket.watchers ([User!]!) is a list of objects neither paged by first/last nor declaring MaxItems",
      "Contact.watcherPage returns the connection WatcherConnection without first/last: its nodes and edges are unbounded",
    ]);
  });

  it("declares what the domain enforces", async () => {
    const schema = await built;
    const bounds: Record<string, number | string> = {};
    for (const { owner, field } of fieldsOf(schema)) {
      if (!isList(field.type) || !isCompositeType(getNamedType(field.type))) continue;
      const max = maxItemsOf(field);
      if (max !== undefined) bounds[`${owner}.${field.name}`] = max;
      else if (paged(field)) bounds[`${owner}.${field.name}`] = "paged";
    }
    // docs/operations.md's Limits section lists these; a change here changes it there.
    expect(bounds).toEqual({
      "Query.topics": 51,
      "TicketCounts.topics": 51,
      "TicketCounts.folders": 3,
      "Team.topics": 10,
      "Query.contactFields": 250,
      "Contact.fields": 250,
      "Contact.notepadHistory": 5,
      "Message.attachments": 10,
      "Query.contactGroups": 1,
      "Query.triggers": 1,
      "Query.shortcuts": 1000,
      "Query.webhooks": 20,
      "Webhook.topics": 50,
      "Query.nodes": 100,
      "Ticket.notes": 100,
      "TicketStatistics.rows": 2000,
      "BulkTicketPayload.tickets": 100,
      "BulkTicketPayload.failures": 100,
      "ContactPayload.userErrors": 250,
      "AuthPayload.userErrors": 1,
      "BulkTicketPayload.userErrors": 1,
      "ContactFieldPayload.userErrors": 1,
      "CreateApiTokenPayload.userErrors": 1,
      "DeletePayload.userErrors": 1,
      "FlowPayload.userErrors": 1,
      "InvitationPayload.userErrors": 1,
      "MemberPayload.userErrors": 1,
      "MessagePayload.userErrors": 1,
      "MarkNotificationsSeenPayload.userErrors": 1,
      "TicketExportPayload.userErrors": 1,
      "WebhookPayload.userErrors": 1,
      "WorkspacePayload.userErrors": 1,
      "OpenTicketPayload.userErrors": 1,
      "ShortcutPayload.userErrors": 1,
      "TeamPayload.userErrors": 1,
      "TopicPayload.userErrors": 1,
      "TriggerPayload.userErrors": 1,
      // Caps the services enforce (LIMIT_REACHED): MAX_API_TOKENS, MAX_FLOWS, MAX_PENDING_INVITATIONS, MAX_TEAMS, MAX_WORKSPACES_PER_USER.
      "Query.apiTokens": 25,
      "Query.flows": 1000,
      "Query.invitations": 1000,
      "Query.teams": 100,
      "Viewer.workspaces": 100,
      // Paged.
      "Query.members": "paged",
      "Query.flowStarts": "paged",
      "Query.exports": "paged",
    });
  });
});
