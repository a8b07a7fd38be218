import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { see } from "../auth/visibility";
import type { AuthedContext } from "../context";
import { NotFoundError } from "../errors";
import { TicketEventType } from "../entities";
import { UserType } from "../schema/types/identity.types";
import { MessageType, TicketEventObject, TicketType, TopicType } from "../schema/types/ticket.types";
import { loadUser, ticketAsSeen } from "./ticket.resolver";

/** A topic an event names, when the viewer may see it: a topic outside a team agent's topics does not exist for them. */
async function loadTopic(ctx: AuthedContext, id: string | null): Promise<TopicType | null> {
  const topic = see.topic(ctx.actor, id ? await ctx.loaders.topic.load(id) : null);
  return topic && TopicType.from(topic);
}

@Resolver(() => TicketEventObject)
export class TicketEventResolver {
  @FieldResolver(() => TicketType, {
    description:
      "The ticket as you may see it: as it is while it is in your topics; once it has left them, as it was when it last was in them.",
  })
  async ticket(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TicketType> {
    const ticket = await ticketAsSeen(ctx, event.row.ticketId);
    // The event was seen, so its ticket was in the viewer's topics before or after it; unless their
    // team changed while it was being delivered: then they may no longer see it.
    if (!ticket) throw new NotFoundError("This event's ticket is not visible to you (any more).");
    return ticket;
  }

  @FieldResolver(() => UserType, { nullable: true, description: "Null when done by a flow or a channel." })
  actor(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<UserType | null> {
    return loadUser(ctx, event.row.actorId);
  }

  @FieldResolver(() => UserType, { nullable: true, description: "OPENED and ASSIGNED: the assignee (null = unassigned)." })
  assignee(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<UserType | null> {
    return loadUser(ctx, event.row.assigneeId);
  }

  @FieldResolver(() => UserType, { nullable: true, description: "ASSIGNED: the assignee before." })
  previousAssignee(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<UserType | null> {
    return loadUser(ctx, event.row.previousAssigneeId);
  }

  @FieldResolver(() => TopicType, { nullable: true, description: "OPENED and TOPIC_CHANGED: the topic." })
  topic(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TopicType | null> {
    const carries = event.row.type === TicketEventType.OPENED || event.row.type === TicketEventType.TOPIC_CHANGED;
    return loadTopic(ctx, carries ? event.row.topicId : null);
  }

  @FieldResolver(() => TopicType, { nullable: true, description: "TOPIC_CHANGED: the topic before." })
  previousTopic(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TopicType | null> {
    return loadTopic(ctx, event.row.previousTopicId);
  }

  @FieldResolver(() => MessageType, { nullable: true, description: "MESSAGE_RECEIVED and MESSAGE_SENT: the message." })
  async message(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<MessageType | null> {
    const message = see.messageOfEvent(event.row, event.row.messageId ? await ctx.loaders.message.load(event.row.messageId) : null);
    return message && MessageType.from(message);
  }
}
