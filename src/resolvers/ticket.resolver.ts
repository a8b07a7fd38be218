import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { BadInputError } from "../errors";
import { MAX_PAGE, pageInfo, pageSize, pageWindow, trimPage } from "../schema/connection";
import { decodeCursor, encodeCursor } from "../services/cursors";
import { toGlobalId, uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import {
  AddTicketNoteInput,
  AssignTicketsInput,
  ChangeTicketTopicInput,
  CloseTicketsInput,
  OpenTicketInput,
  ReopenTicketsInput,
} from "../schema/inputs/ticket.inputs";
import { UserObject } from "../schema/types/identity.types";
import { ContactObject } from "../schema/types/contact.types";
import { FlowObject } from "../schema/types/flow.types";
import { MessageObject } from "../schema/types/message.types";
import { BulkTicketPayload, OpenTicketPayload, TicketCounts, TicketFailureObject, TicketObject } from "../schema/types/ticket.types";
import { TicketEventConnection, TicketEventObject } from "../schema/types/ticket-event.types";
import { TopicObject } from "../schema/types/topic.types";
import type { BulkDone } from "../services/tickets/ticket.service";
import type { Result } from "../services/user-error";
import { see, type SeenTicket } from "../auth/visibility";
import { ticketCountsOf } from "./inbox.resolver";
import { forbidBoth, requireExactlyOne } from "../schema/validators";

const ids = (list: string[], field: string) => list.map((id, i) => uuidOf(id, "Ticket", `${field}.${i}`));

function bulkPayload(ctx: AuthedContext, result: Result<BulkDone>): BulkTicketPayload {
  if (!result.ok) return { tickets: [], failures: [], userErrors: result.errors };
  return {
    // Changed by the viewer, so seen by them: a team agent cannot move a ticket out of their topics.
    tickets: see.tickets(ctx.actor, result.value.tickets).map(TicketObject.from),
    failures: result.value.failures.map((f) =>
      Object.assign(new TicketFailureObject(), {
        ticketId: toGlobalId("Ticket", f.ticketId),
        ticketUuid: f.ticketId,
        code: f.code,
        message: f.message,
        conflictingTicket: null,
        conflictingTicketUuid: f.conflictingTicketId,
      }),
    ),
    userErrors: [],
  };
}

@Resolver(() => TicketObject)
export class TicketResolver {
  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => OpenTicketPayload, {
    description:
      "Opens a ticket for a contact (by id, or by URN, created when new). Set flowId or flowExternalId when a flow opens it. " +
      "ALREADY_OPEN returns the contact's open ticket as existingTicket.",
  })
  async openTicket(@Arg("input", () => OpenTicketInput) input: OpenTicketInput, @Ctx() ctx: AuthedContext): Promise<OpenTicketPayload> {
    requireExactlyOne({ contactId: input.contactId, contactUrn: input.contactUrn });
    forbidBoth({ flowId: input.flowId, flowExternalId: input.flowExternalId });
    forbidBoth({ assigneeId: input.assigneeId, assigneeEmail: input.assigneeEmail });
    const result = await ctx.services.tickets.open(ctx, {
      contactId: input.contactId ? uuidOf(input.contactId, "Contact", "contactId") : undefined,
      contactUrn: input.contactUrn ?? undefined,
      topicId: input.topicId ? uuidOf(input.topicId, "Topic", "topicId") : undefined,
      assigneeId: input.assigneeId ? uuidOf(input.assigneeId, "User", "assigneeId") : undefined,
      assigneeEmail: input.assigneeEmail ?? undefined,
      note: input.note ?? undefined,
      results: input.results,
      flowId: input.flowId ? uuidOf(input.flowId, "Flow", "flowId") : undefined,
      flowExternalId: input.flowExternalId ?? undefined,
      idempotencyKey: input.idempotencyKey ?? undefined,
    });
    if (!result.ok) {
      const existingTicket = see.ticket(ctx.actor, result.detail);
      return { ticket: null, existingTicket: existingTicket && TicketObject.from(existingTicket), warnings: [], userErrors: result.errors };
    }
    const ticket = see.ticket(ctx.actor, result.value.ticket);
    return { ticket: ticket && TicketObject.from(ticket), existingTicket: null, warnings: result.value.warnings, userErrors: [] };
  }

  @Requires()
  @Mutation(() => BulkTicketPayload, { description: "Assigns 1 to 100 tickets to a member (a User id), or unassigns them with null." })
  async assignTickets(
    @Arg("input", () => AssignTicketsInput) input: AssignTicketsInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<BulkTicketPayload> {
    const assignee = input.assigneeId ? uuidOf(input.assigneeId, "User", "assigneeId") : null;
    return bulkPayload(ctx, await ctx.services.tickets.assign(ctx, ids(input.ticketIds, "ticketIds"), assignee));
  }

  @Requires()
  @Mutation(() => BulkTicketPayload, { description: "Moves 1 to 100 tickets to a topic." })
  async changeTicketTopic(
    @Arg("input", () => ChangeTicketTopicInput) input: ChangeTicketTopicInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<BulkTicketPayload> {
    return bulkPayload(
      ctx,
      await ctx.services.tickets.changeTopic(ctx, ids(input.ticketIds, "ticketIds"), uuidOf(input.topicId, "Topic", "topicId")),
    );
  }

  @Requires()
  @Mutation(() => BulkTicketPayload, { description: "Closes 1 to 100 tickets." })
  async closeTickets(
    @Arg("input", () => CloseTicketsInput) input: CloseTicketsInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<BulkTicketPayload> {
    return bulkPayload(ctx, await ctx.services.tickets.close(ctx, ids(input.ticketIds, "ticketIds")));
  }

  @Requires()
  @Mutation(() => BulkTicketPayload, {
    description: "Reopens 1 to 100 tickets. A contact keeps one open ticket: of several of its tickets only the newest is reopened.",
  })
  async reopenTickets(
    @Arg("input", () => ReopenTicketsInput) input: ReopenTicketsInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<BulkTicketPayload> {
    return bulkPayload(ctx, await ctx.services.tickets.reopen(ctx, ids(input.ticketIds, "ticketIds")));
  }

  @Requires()
  @Mutation(() => BulkTicketPayload, { description: "Adds an internal note, seen by the team only, to 1 to 100 tickets." })
  async addTicketNote(
    @Arg("input", () => AddTicketNoteInput) input: AddTicketNoteInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<BulkTicketPayload> {
    return bulkPayload(ctx, await ctx.services.tickets.addNote(ctx, ids(input.ticketIds, "ticketIds"), input.note));
  }

  // Related rows read with the ticket (an inbox page) are used as they are: no loader, no promise.
  @FieldResolver(() => ContactObject)
  contact(@Root() ticket: TicketObject, @Ctx() ctx: AuthedContext): ContactObject | Promise<ContactObject> {
    const read = ticket.related.contact;
    if (read) return ContactObject.from(read);
    return ctx.loaders.contact.load(ticket.row.contactId).then((contact) => {
      if (!contact) throw new Error("a ticket's contact is missing");
      return ContactObject.from(contact);
    });
  }

  @FieldResolver(() => TopicObject)
  topic(@Root() ticket: TicketObject, @Ctx() ctx: AuthedContext): TopicObject | Promise<TopicObject> {
    // A ticket is seen only in one of the viewer's topics (as it is, or as it last was there).
    const read = see.topic(ctx.actor, ticket.related.topic);
    if (read) return TopicObject.from(read);
    return ctx.loaders.topic.load(ticket.row.topicId).then((loaded) => {
      const topic = see.topic(ctx.actor, loaded);
      if (!topic) throw new Error("a seen ticket's topic is missing or unseen");
      return TopicObject.from(topic);
    });
  }

  @FieldResolver(() => UserObject, { nullable: true })
  assignee(@Root() ticket: TicketObject, @Ctx() ctx: AuthedContext): UserObject | null | Promise<UserObject | null> {
    const read = ticket.related.assignee;
    if (read !== undefined) return read && UserObject.from(read);
    return loadUser(ctx, ticket.row.assigneeId);
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "Null when opened by a flow." })
  async openedBy(@Root() ticket: TicketObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, ticket.row.openedById);
  }

  @FieldResolver(() => FlowObject, { nullable: true })
  async openedIn(@Root() ticket: TicketObject, @Ctx() ctx: AuthedContext): Promise<FlowObject | null> {
    const flow = ticket.row.openedInId ? await ctx.loaders.flow.load(ticket.row.openedInId) : null;
    return flow && FlowObject.from(flow);
  }

  @FieldResolver(() => MessageObject, { nullable: true, description: "For inbox previews." })
  async lastMessage(@Root() ticket: TicketObject, @Ctx() ctx: AuthedContext): Promise<MessageObject | null> {
    const message = see.messageOfTicket(
      ticket.row,
      ticket.row.lastMessageId ? await ctx.loaders.message.load(ticket.row.lastMessageId) : null,
    );
    return message && MessageObject.from(message);
  }

  @MaxItems(MAX_PAGE)
  @FieldResolver(() => [TicketEventObject], {
    description:
      "Events that carry a note, oldest first: OPENED (when opened with one) and NOTE_ADDED. " +
      "first (default 100) reads the oldest, last the newest, 1 to 100 either way; events pages through the whole thread.",
  })
  async notes(
    @Root() ticket: TicketObject,
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("last", () => Int, { nullable: true }) last?: number | null,
  ): Promise<TicketEventObject[]> {
    forbidBoth({ first, last }, "last");
    const size = last != null ? pageSize(last, "last", MAX_PAGE) : pageSize(first, "first", MAX_PAGE);
    const page = { ticketId: ticket.row.id, take: size, fromEnd: last != null, upToVersion: ticket.row.asOfVersion };
    return see.thread(ticket.row, await ctx.loaders.notesOfTicket.load(page)).map(TicketEventObject.from);
  }

  @FieldResolver(() => TicketEventConnection, { description: "The thread, oldest first; last/before for the newest page." })
  async events(
    @Root() ticket: TicketObject,
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("last", () => Int, { nullable: true }) last?: number | null,
    @Arg("before", () => String, { nullable: true }) before?: string | null,
  ): Promise<TicketEventConnection> {
    const window = pageWindow(first, last, before);
    const afterVersion = after ? versionOf(after, "after") : undefined;
    const beforeVersion = before ? versionOf(before, "before") : undefined;
    // A ticket seen as it last was in the viewer's topics shows its thread up to then.
    const rows = see.thread(
      ticket.row,
      await ctx.services.inbox.thread(ctx, ticket.row.id, {
        limit: window.size + 1,
        afterVersion,
        beforeVersion,
        upToVersion: ticket.row.asOfVersion ?? undefined,
        fromEnd: window.fromEnd,
      }),
    );
    const { page, hasNextPage, hasPreviousPage } = trimPage(rows, window, {
      after: afterVersion !== undefined && afterVersion > 0,
      before: beforeVersion !== undefined,
    });
    for (const { related, ...e } of page) {
      if (related.actor && e.actorId) ctx.loaders.user.prime(e.actorId, related.actor);
      if (related.assignee && e.assigneeId) ctx.loaders.user.prime(e.assigneeId, related.assignee);
      if (related.previousAssignee && e.previousAssigneeId) ctx.loaders.user.prime(e.previousAssigneeId, related.previousAssignee);
      if (related.message && e.messageId) ctx.loaders.message.prime(e.messageId, related.message);
    }
    const edges = page.map((e) => ({ node: TicketEventObject.from(e), cursor: encodeCursor([e.ticketVersion]) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({ hasNextPage, hasPreviousPage, cursors: edges.map((e) => e.cursor) }),
    };
  }
}

@Resolver(() => BulkTicketPayload)
export class BulkTicketPayloadResolver {
  @FieldResolver(() => TicketCounts, {
    description: "The folder and topic counts after the change, as you see them: a client updates its cached counts without asking again.",
  })
  counts(@Ctx() ctx: AuthedContext): Promise<TicketCounts> {
    return ticketCountsOf(ctx);
  }
}

@Resolver(() => TicketFailureObject)
export class TicketFailureResolver {
  @FieldResolver(() => TicketObject, {
    nullable: true,
    description: "The ticket as you may see it now, to correct a client's cache; null when it is not visible to you (NOT_FOUND).",
  })
  async ticket(@Root() failure: TicketFailureObject, @Ctx() ctx: AuthedContext): Promise<TicketObject | null> {
    const ticket = see.ticket(ctx.actor, await ctx.loaders.ticket.load(failure.ticketUuid));
    return ticket && TicketObject.from(ticket);
  }

  @FieldResolver(() => TicketObject, { nullable: true, description: "With ALREADY_OPEN on reopen: the contact's ticket that stays open." })
  async conflictingTicket(@Root() failure: TicketFailureObject, @Ctx() ctx: AuthedContext): Promise<TicketObject | null> {
    if (!failure.conflictingTicketUuid) return null;
    const ticket = see.ticket(ctx.actor, await ctx.loaders.ticket.load(failure.conflictingTicketUuid));
    return ticket && TicketObject.from(ticket);
  }
}

function versionOf(cursor: string, name: string): number {
  const [text] = decodeCursor(cursor, name, 1);
  const version = Number(text);
  if (!/^\d{1,10}$/.test(text) || version > 2_147_483_647) throw new BadInputError(name, `${name} is not a cursor this list gave out.`);
  return version;
}

/**
 * A ticket as the viewer may see it: as it is while it is in their topics; once it has left them,
 * as it was when it last was in them; null when it never was.
 */
export async function ticketAsSeen(ctx: AuthedContext, id: string): Promise<TicketObject | null> {
  const seen = await seenTicket(ctx, id);
  return seen && TicketObject.from(seen);
}

/** The ticket row as the viewer may see it (see ticketAsSeen). */
export async function seenTicket(ctx: AuthedContext, id: string): Promise<SeenTicket | null> {
  const now = see.ticket(ctx.actor, await ctx.loaders.ticket.load(id));
  if (now) return now;
  const past = await ctx.loaders.ticketAsLastSeen.load(id);
  return past && see.asLastSeen(ctx.actor, past);
}

export async function loadUser(ctx: AuthedContext, id: string | null): Promise<UserObject | null> {
  const user = id ? await ctx.loaders.user.load(id) : null;
  return user && UserObject.from(user);
}
