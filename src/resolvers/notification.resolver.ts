import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext, RequestContext } from "../context";
import { pageInfo, pageSize } from "../schema/connection";
import { uuidOf } from "../schema/global-id";
import { MarkNotificationsSeenInput } from "../schema/inputs/ticket.inputs";
import { UserObject, ViewerObject } from "../schema/types/identity.types";
import { MarkNotificationsSeenPayload, NotificationConnection, NotificationObject } from "../schema/types/notification.types";
import { TicketObject } from "../schema/types/ticket.types";
import { requireExactlyOne } from "../schema/validators";
import { loadUser, ticketAsSeen } from "./ticket.resolver";

@Resolver(() => NotificationObject)
export class NotificationResolver {
  @Requires()
  @Query(() => NotificationConnection, {
    description:
      "Your notifications, newest first (first 1 to 100, default 25); only the unseen with unseenOnly. " +
      "Only those about tickets you may see now.",
  })
  async notifications(
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 25 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("unseenOnly", () => Boolean, { nullable: true, defaultValue: false }) unseenOnly?: boolean | null,
  ): Promise<NotificationConnection> {
    const size = pageSize(first, "first", 25);
    const page = await ctx.services.notifications.page(ctx, size, after ?? undefined, unseenOnly === true);
    const edges = page.rows.map((row) => ({ node: NotificationObject.from(row), cursor: row.cursor }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({ hasNextPage: page.hasNextPage, hasPreviousPage: after != null, cursors: edges.map((e) => e.cursor) }),
    };
  }

  @Requires()
  @Mutation(() => MarkNotificationsSeenPayload, {
    description: "Marks your notifications seen: these ids (one not yours is NOT_FOUND, and nothing is marked), or all: true.",
  })
  async markNotificationsSeen(
    @Arg("input", () => MarkNotificationsSeenInput) input: MarkNotificationsSeenInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<MarkNotificationsSeenPayload> {
    requireExactlyOne({ ids: input.ids, all: input.all });
    const which = input.ids ? { ids: input.ids.map((id, i) => uuidOf(id, "Notification", `ids.${i}`)) } : { all: true as const };
    const result = await ctx.services.notifications.markSeen(ctx, which);
    return result.ok
      ? { unseenNotificationCount: result.value, userErrors: [] }
      : { unseenNotificationCount: result.detail ?? 0, userErrors: result.errors };
  }

  @FieldResolver(() => TicketObject, { nullable: true, description: "The ticket, as you may see it; null once you may not." })
  ticket(@Root() notification: NotificationObject, @Ctx() ctx: AuthedContext): Promise<TicketObject | null> {
    return ticketAsSeen(ctx, notification.row.ticketId);
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "Who caused it the last time; null when a flow or the contact did." })
  actor(@Root() notification: NotificationObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, notification.row.actorId);
  }
}

@Resolver(() => ViewerObject)
export class ViewerNotificationsResolver {
  // The viewer's, who is not always the caller: logIn and signUp answer the viewer they log in.
  @FieldResolver(() => Int, { description: "How many of your notifications are unseen." })
  unseenNotificationCount(@Root() viewer: ViewerObject, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.services.notifications.unseenCount(ctx, viewer);
  }
}
