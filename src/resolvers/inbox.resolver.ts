import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, Info, Int, Query, Resolver } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { BadInputError } from "../errors";
import { pageInfo, pageSize } from "../schema/connection";
import { inboxCursorOf, parseInboxCursor } from "../services/cursors";
import { TicketFolder } from "../schema/enums";
import { toGlobalId, uuidOf } from "../schema/global-id";
import { TicketEventFilter, TicketFilter } from "../schema/inputs/ticket.inputs";
import { TicketConnection, TicketCounts, TicketObject } from "../schema/types/ticket.types";
import { TicketEventConnection, TicketEventObject } from "../schema/types/ticket-event.types";
import { TopicObject } from "../schema/types/topic.types";
import { parseEventCursor } from "../services/tickets/event-log";
import { selectedFields } from "../schema/selection";
import type { InboxIncludes, InboxTicket } from "../services/tickets/inbox.service";
import { see } from "../auth/visibility";

/** What the query asks of each ticket that the page's statement can read along with it. */
function includesOf(info: GraphQLResolveInfo): InboxIncludes {
  const fields = selectedFields(info, ["edges", "node"], ["nodes"]);
  return {
    contact: fields.has("contact"),
    topic: fields.has("topic"),
    assignee: fields.has("assignee"),
    lastMessage: fields.has("lastMessage"),
  };
}

/** Hands the rows read with the page to this request's loaders, so resolving them needs no statement. */
function primeLoaders(ctx: AuthedContext, tickets: InboxTicket[]): void {
  for (const { related, ...t } of tickets) {
    if (related.contact) ctx.loaders.contact.prime(t.contactId, related.contact);
    if (related.topic) ctx.loaders.topic.prime(t.topicId, related.topic);
    if (related.assignee && t.assigneeId) ctx.loaders.user.prime(t.assigneeId, related.assignee);
    if (related.lastMessage && t.lastMessageId) ctx.loaders.message.prime(t.lastMessageId, related.lastMessage);
  }
}

/** The folder and topic counts as the viewer sees them now (read after any change of this request has committed). */
export async function ticketCountsOf(ctx: AuthedContext): Promise<TicketCounts> {
  const groups = await ctx.loaders.counts();
  const folders = await ctx.services.inbox.folderCounts(ctx, groups);
  const topics = see.topics(ctx.actor, await ctx.services.topics.list(ctx));
  return {
    folders: folders.map((f) => ({ ...f, id: toGlobalId("FolderCount", f.folder), folder: f.folder as TicketFolder })),
    topics: topics.map(TopicObject.from),
  };
}

@Resolver()
export class InboxResolver {
  @Requires()
  @Query(() => TicketConnection, {
    description: "The inbox: a folder's tickets, open first, then by lastActivityAt and id, newest first; keyset paged.",
  })
  async tickets(
    @Ctx() ctx: AuthedContext,
    @Arg("filter", () => TicketFilter, { nullable: true }) filter?: TicketFilter | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 25 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<TicketConnection> {
    const size = pageSize(first, "first", 25);
    const cursor = after ? parseInboxCursor(after) : undefined;
    const page = await ctx.services.inbox.page(ctx, TicketFilter.query(filter), size, cursor, info ? includesOf(info) : {}, {
      count: info ? selectedFields(info, []).has("totalCount") : true,
    });
    primeLoaders(ctx, page.tickets);
    // The statement reads only the viewer's topics; the policy has the last word all the same.
    const edges = page.tickets.flatMap((t) => {
      const seen = see.ticket(ctx.actor, t);
      return seen ? [{ node: TicketObject.withRelated(seen, t.related), cursor: inboxCursorOf(t, page.snapshot) }] : [];
    });
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({ hasNextPage: page.hasNextPage, hasPreviousPage: cursor !== undefined, cursors: edges.map((e) => e.cursor) }),
      totalCount: page.totalCount,
      eventCursor: page.eventCursor,
    };
  }

  @Requires()
  @Query(() => TicketCounts, { description: "Open and closed counts per folder, and the topics you may see with their open counts." })
  ticketCounts(@Ctx() ctx: AuthedContext): Promise<TicketCounts> {
    return ticketCountsOf(ctx);
  }

  @Requires()
  @Query(() => TicketEventConnection, {
    description:
      "Catch-up for pollers and reconnecting subscribers: the events you may see after a cursor, oldest first, in commit order. " +
      "Poll again with pageInfo.endCursor.",
  })
  async ticketEvents(
    @Ctx() ctx: AuthedContext,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("filter", () => TicketEventFilter, { nullable: true }) filter?: TicketEventFilter | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 100 }) first?: number | null,
  ): Promise<TicketEventConnection> {
    const size = pageSize(first, "first", 100);
    const cursor = after ? parseEventCursor(after) : undefined;
    if (after && !cursor) throw new BadInputError("after", "after is not an event cursor.");
    const { events } = await ctx.services.inbox.events(ctx, {
      after: cursor,
      ticketId: filter?.ticketId ? uuidOf(filter.ticketId, "Ticket", "ticketId") : undefined,
      topicIds: filter?.topicIds?.map((id, i) => uuidOf(id, "Topic", `topicIds.${i}`)),
      types: filter?.types ?? undefined,
      limit: size + 1,
    });
    const page = events.slice(0, size);
    const edges = see.events(ctx.actor, page).map((e) => ({ node: TicketEventObject.from(e), cursor: e.cursor }));
    // An empty page keeps the caller's cursor, so polling goes on from where it stood.
    const endCursor = edges.length > 0 ? edges[edges.length - 1].cursor : (after ?? null);
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: {
        hasNextPage: events.length > size,
        hasPreviousPage: cursor !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor,
      },
    };
  }
}
