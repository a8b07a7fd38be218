import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { see } from "../auth/visibility";
import type { AuthedContext } from "../context";
import { NotFoundError } from "../errors";
import { TicketEventType } from "../entities";
import { UserObject } from "../schema/types/identity.types";
import { MessageObject } from "../schema/types/message.types";
import { TicketObject } from "../schema/types/ticket.types";
import { TicketEventObject } from "../schema/types/ticket-event.types";
import { TopicObject } from "../schema/types/topic.types";
import { loadUser, ticketAsSeen } from "./ticket.resolver";

/** A topic an event names, when the viewer may see it: a topic outside a team agent's topics does not exist for them. */
async function loadTopic(ctx: AuthedContext, id: string | null): Promise<TopicObject | null> {
  const topic = see.topic(ctx.actor, id ? await ctx.loaders.topic.load(id) : null);
  return topic && TopicObject.from(topic);
}

@Resolver(() => TicketEventObject)
export class TicketEventResolver {
  @FieldResolver(() => TicketObject, {
    description:
      "The ticket as you may see it: as it is while it is in your topics; once it has left them, as it was when it last was in them.",
  })
  async ticket(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TicketObject> {
    const ticket = await ticketAsSeen(ctx, event.row.ticketId);
    // The event was seen, so its ticket was in the viewer's topics before or after it; unless their
    // team changed while it was being delivered: then they may no longer see it.
    if (!ticket) throw new NotFoundError("This event's ticket is not visible to you (any more).");
    return ticket;
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "Null when done by a flow or a channel." })
  actor(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, event.row.actorId);
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "OPENED and ASSIGNED: the assignee (null = unassigned)." })
  assignee(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, event.row.assigneeId);
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "ASSIGNED: the assignee before." })
  previousAssignee(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, event.row.previousAssigneeId);
  }

  @FieldResolver(() => TopicObject, { nullable: true, description: "OPENED and TOPIC_CHANGED: the topic." })
  topic(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TopicObject | null> {
    const carries = event.row.type === TicketEventType.OPENED || event.row.type === TicketEventType.TOPIC_CHANGED;
    return loadTopic(ctx, carries ? event.row.topicId : null);
  }

  @FieldResolver(() => TopicObject, { nullable: true, description: "TOPIC_CHANGED: the topic before." })
  previousTopic(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TopicObject | null> {
    return loadTopic(ctx, event.row.previousTopicId);
  }

  @FieldResolver(() => MessageObject, { nullable: true, description: "MESSAGE_RECEIVED and MESSAGE_SENT: the message." })
  async message(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<MessageObject | null> {
    const message = see.messageOfEvent(event.row, event.row.messageId ? await ctx.loaders.message.load(event.row.messageId) : null);
    return message && MessageObject.from(message);
  }
}
