import { GraphQLError } from "graphql";
import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext, RequestContext } from "../context";
import type { EventRow } from "../db/rows";
import { Role, type TicketEventType } from "../entities";
import { BadInputError, UnauthenticatedError } from "../errors";
import { uuidOf } from "../schema/global-id";
import { TicketEventFilter } from "../schema/inputs/ticket.inputs";
import { TicketEventObject } from "../schema/types/ticket-event.types";
import { FlowStartObject } from "../schema/types/trigger.types";
import { parseEventCursor } from "../services/tickets/event-log";
import type { FlowStartRow } from "../services/integrations/flow-start.service";
import { canSeeEvent, canSeeTopic, see, type Seen } from "../auth/visibility";
import type { NotificationRow } from "../services/notifications/notification.service";
import { NotificationObject } from "../schema/types/notification.types";
import { deliver } from "../subscriptions/delivery";
import { followExport } from "../subscriptions/export-progress";
import type { ExportRow } from "../services/exports/export.service";
import { TicketExportObject } from "../schema/types/export.types";

function authed(ctx: RequestContext): AuthedContext {
  if (!ctx.actor) throw new UnauthenticatedError();
  return ctx as AuthedContext;
}

function cursorArg(after: unknown): ReturnType<typeof parseEventCursor> {
  if (after === undefined || after === null || after === "") return undefined;
  const cursor = typeof after === "string" ? parseEventCursor(after) : undefined;
  if (!cursor) throw new BadInputError("after", "after is not a cursor this feed gave out.");
  return cursor;
}

function subscribeTicketEvents({
  context,
  args,
}: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>): AsyncIterable<Seen<EventRow>> {
  const ctx = authed(context);
  const after = cursorArg(args.after);
  const filter = (args.filter ?? {}) as TicketEventFilter;
  const ticketId = filter.ticketId ? uuidOf(filter.ticketId, "Ticket", "ticketId") : undefined;
  const topicIds = filter.topicIds?.map((id, i) => uuidOf(id, "Topic", `topicIds.${i}`));
  const types = filter.types ? new Set<TicketEventType>(filter.types) : undefined;
  const actor = ctx.actor;
  // Visibility first (the subscriber's workspace is the feed's), then the filter. The actor's
  // topics are read at every event: they follow changes of their team while the socket is open.
  const accepts = (e: EventRow) =>
    canSeeEvent(actor, e) &&
    (ticketId === undefined || e.ticketId === ticketId) &&
    (topicIds === undefined || topicIds.includes(e.topicId) || (e.previousTopicId !== null && topicIds.includes(e.previousTopicId))) &&
    (types === undefined || types.has(e.type));
  return deliver(ctx, { feed: "events", after, accepts, see: (e: EventRow) => see.event(actor, e) });
}

function subscribeFlowStarts({
  context,
  args,
}: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>): AsyncIterable<FlowStartRow> {
  const ctx = authed(context);
  if (ctx.actor.role === Role.AGENT)
    throw new GraphQLError("This requires the role ADMINISTRATOR or EDITOR.", { extensions: { code: "FORBIDDEN" } });
  const allowed = () => ctx.actor.role !== Role.AGENT;
  return deliver(ctx, { feed: "flowStarts", after: cursorArg(args.after), accepts: allowed, see: (s: FlowStartRow) => s, allowed });
}

function subscribeNotifications({
  context,
  args,
}: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>): AsyncIterable<NotificationRow> {
  const ctx = authed(context);
  const actor = ctx.actor;
  // Their own, about tickets in their topics now (read at every row: they follow team changes).
  const accepts = (n: NotificationRow) => n.userId === actor.userId && canSeeTopic(actor, n.ticketTopicId);
  return deliver(ctx, { feed: "notifications", after: cursorArg(args.after), accepts, see: (n: NotificationRow) => n });
}

function subscribeExportProgress({
  context,
  args,
}: SubscribeResolverData<unknown, Record<string, unknown>, RequestContext>): AsyncIterable<ExportRow> {
  const ctx = authed(context);
  if (ctx.actor.role === Role.AGENT)
    throw new GraphQLError("This requires the role ADMINISTRATOR or EDITOR.", { extensions: { code: "FORBIDDEN" } });
  // A promise of the stream, so that an unknown id is a NOT_FOUND error before any event: graphql
  // awaits what subscribe returns (type-graphql passes it through; its type says only AsyncIterable).
  return followExport(ctx, uuidOf(String(args.id), "TicketExport", "id")) as unknown as AsyncIterable<ExportRow>;
}

@Resolver()
export class SubscriptionResolver {
  @Requires()
  @Subscription(() => TicketEventObject, {
    subscribe: subscribeTicketEvents,
    description:
      "Live ticket events you may see. With `after`, first replays every event after that cursor in order, then continues live: " +
      "no gap, no duplicate; cursor order is commit order. Close codes: 4403 with reason UNAUTHENTICATED (token missing, invalid or revoked) or MEMBER_REMOVED; " +
      "1013 subscriber too slow (resume from the last cursor); 1012 server shutting down.",
  })
  ticketEvents(
    // Seen by this subscriber: the feed hands out only what the policy lets them see.
    @Root() event: Seen<EventRow>,
    @Arg("after", () => String, { nullable: true }) _after?: string | null,
    @Arg("filter", () => TicketEventFilter, { nullable: true }) _filter?: TicketEventFilter | null,
  ): TicketEventObject {
    return TicketEventObject.from(event);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Subscription(() => FlowStartObject, {
    subscribe: subscribeFlowStarts,
    description: "Flow starts asked by triggers, for the flow engine; resumable from a cursor like ticketEvents.",
  })
  flowStarts(@Root() start: FlowStartRow, @Arg("after", () => String, { nullable: true }) _after?: string | null): FlowStartObject {
    return FlowStartObject.from(start);
  }

  @Requires()
  @Subscription(() => NotificationObject, {
    subscribe: subscribeNotifications,
    description:
      "Your notifications as they happen (a notification updated while unseen comes again). With `after` (a notification's cursor), " +
      "first replays every one after it, in order, then continues live: resumable like ticketEvents.",
  })
  notifications(@Root() row: NotificationRow, @Arg("after", () => String, { nullable: true }) _after?: string | null): NotificationObject {
    return NotificationObject.from(row);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Subscription(() => TicketExportObject, {
    subscribe: subscribeExportProgress,
    description:
      "One of your exports as it runs: its state at once, then at every change (every second or so while rows are written), " +
      "ending after DONE or FAILED. Another's export, or an unknown id, is NOT_FOUND.",
  })
  exportProgress(@Root() row: ExportRow, @Arg("id", () => ID) _id: string): TicketExportObject {
    return TicketExportObject.from(row);
  }
}
