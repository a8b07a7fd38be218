import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { AuthedContext } from "../context";
import { TicketEventType } from "../entities";
import { UserType } from "../schema/types/identity.types";
import { MessageType, TicketEventObject, TicketType, TopicType } from "../schema/types/ticket.types";
import { loadUser } from "./ticket.resolver";

async function loadTopic(ctx: AuthedContext, id: string | null): Promise<TopicType | null> {
  const topic = id ? await ctx.loaders.topic.load(id) : null;
  return topic && TopicType.from(topic);
}

@Resolver(() => TicketEventObject)
export class TicketEventResolver {
  @FieldResolver(() => TicketType)
  async ticket(@Root() event: TicketEventObject, @Ctx() ctx: AuthedContext): Promise<TicketType> {
    const ticket = await ctx.loaders.ticket.load(event.row.ticketId);
    if (!ticket) throw new Error("an event's ticket is missing");
    return TicketType.from(ticket);
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
    const message = event.row.messageId ? await ctx.loaders.message.load(event.row.messageId) : null;
    return message && MessageType.from(message);
  }
}
