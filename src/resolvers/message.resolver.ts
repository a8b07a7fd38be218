import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { type Message, Role } from "../entities";
import { uuidOf } from "../schema/global-id";
import { ReceiveMessageInput, SendMessageInput, UpdateMessageStatusInput } from "../schema/inputs/ticket.inputs";
import { UserObject } from "../schema/types/identity.types";
import { ContactObject } from "../schema/types/contact.types";
import { MessageObject, MessagePayload } from "../schema/types/message.types";
import { TicketObject } from "../schema/types/ticket.types";
import type { Result } from "../services/user-error";
import { see } from "../auth/visibility";
import { loadUser, ticketAsSeen } from "./ticket.resolver";

/** A message as the viewer may see it: with its ticket, which a team agent must see. */
export async function seenMessage(ctx: AuthedContext, message: Message | null | undefined): Promise<MessageObject | null> {
  const restricted = ctx.actor.topicIds !== null && message?.ticketId;
  const ticket = restricted && message.ticketId ? await ctx.loaders.ticket.load(message.ticketId) : null;
  const seen = see.message(ctx.actor, message, ticket);
  return seen && MessageObject.from(seen);
}

async function messagePayload(ctx: AuthedContext, result: Result<Message>): Promise<MessagePayload> {
  return result.ok ? { message: await seenMessage(ctx, result.value), userErrors: [] } : { message: null, userErrors: result.errors };
}

@Resolver(() => MessageObject)
export class MessageResolver {
  @Requires()
  @Mutation(() => MessagePayload, {
    description: "Replies to the contact on an open ticket: queued on the URN of their last incoming message for a channel to deliver.",
  })
  async sendMessage(@Arg("input", () => SendMessageInput) input: SendMessageInput, @Ctx() ctx: AuthedContext): Promise<MessagePayload> {
    return messagePayload(
      ctx,
      await ctx.services.messages.send(ctx, uuidOf(input.ticketId, "Ticket", "ticketId"), input.text.trim(), input.attachments ?? []),
    );
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => MessagePayload, {
    description: "A message from a channel: creates the contact for an unknown URN and joins the contact's open ticket, if any.",
  })
  async receiveMessage(
    @Arg("input", () => ReceiveMessageInput) input: ReceiveMessageInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<MessagePayload> {
    return messagePayload(ctx, await ctx.services.messages.receive(ctx, input));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => MessagePayload, {
    description: "A channel's delivery report: SENT, DELIVERED or FAILED; never moves a status backwards.",
  })
  async updateMessageStatus(
    @Arg("input", () => UpdateMessageStatusInput) input: UpdateMessageStatusInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<MessagePayload> {
    return messagePayload(ctx, await ctx.services.messages.updateStatus(ctx, uuidOf(input.id, "Message", "id"), input.status));
  }

  @FieldResolver(() => ContactObject)
  async contact(@Root() message: MessageObject, @Ctx() ctx: AuthedContext): Promise<ContactObject> {
    const contact = await ctx.loaders.contact.load(message.row.contactId);
    if (!contact) throw new Error("a message's contact is missing");
    return ContactObject.from(contact);
  }

  @FieldResolver(() => TicketObject, { nullable: true })
  async ticket(@Root() message: MessageObject, @Ctx() ctx: AuthedContext): Promise<TicketObject | null> {
    return message.row.ticketId ? ticketAsSeen(ctx, message.row.ticketId) : null;
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "The member who sent an outgoing reply." })
  async author(@Root() message: MessageObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, message.row.authorId);
  }
}
