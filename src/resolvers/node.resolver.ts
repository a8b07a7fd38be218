import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { BadInputError, NotFoundError } from "../errors";
import { parseGlobalId, uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { Role } from "../entities";
import { ApiTokenObject, MemberObject, UserObject, WorkspaceObject } from "../schema/types/identity.types";
import { ContactObject } from "../schema/types/contact.types";
import { FlowObject } from "../schema/types/flow.types";
import { MessageObject } from "../schema/types/message.types";
import { TicketObject } from "../schema/types/ticket.types";
import { TicketEventObject } from "../schema/types/ticket-event.types";
import { TopicObject } from "../schema/types/topic.types";
import { WebhookDeliveryObject, WebhookObject } from "../schema/types/webhook.types";
import { see } from "../auth/visibility";
import { seenTicket } from "./ticket.resolver";
import { Node } from "../schema/types/node";
import { ShortcutObject } from "../schema/types/shortcut.types";
import { FlowStartObject, TriggerObject } from "../schema/types/trigger.types";
import { TeamObject } from "../schema/types/team.types";
import { InvitationObject } from "../schema/types/invitation.types";
import { NotificationObject } from "../schema/types/notification.types";
import { TicketExportObject } from "../schema/types/export.types";
import { ContactFieldObject, ContactGroupObject } from "../schema/types/contact-field.types";

const MAX_NODES = 100;

type Fetcher = (ctx: AuthedContext, uuid: string) => Promise<Node | null>;

/** A ticket as the viewer may see it now; the one rule for node(id:), nodes(ids:) and ticket(id:). */
async function findTicket(ctx: AuthedContext, id: string): Promise<TicketObject | null> {
  const ticket = see.ticket(ctx.actor, await ctx.loaders.ticket.load(id));
  return ticket && TicketObject.from(ticket);
}

/** A contact of the viewer's workspace; its fields, tickets and messages answer by their own rules. */
async function findContact(ctx: AuthedContext, id: string): Promise<ContactObject | null> {
  const contact = await ctx.loaders.contact.load(id);
  return contact ? ContactObject.from(contact) : null;
}

/** How each type is found by id, within what the viewer may see. */
const FETCHERS: Record<string, Fetcher> = {
  Workspace: async (ctx, id) =>
    id === ctx.actor.workspaceId ? WorkspaceObject.from(await ctx.services.workspaces.workspace(ctx, id)) : null,
  User: async (ctx, id) => {
    const [member, user] = await Promise.all([ctx.services.workspaces.memberByUser(ctx, id), ctx.loaders.user.load(id)]);
    return member && user ? UserObject.from(user) : null;
  },
  Member: async (ctx, id) => {
    const member = await ctx.services.workspaces.member(ctx, id);
    return member ? MemberObject.from(member) : null;
  },
  ApiToken: async (ctx, id) => {
    const token = await ctx.services.tokens.findOwn(ctx, id);
    return token ? ApiTokenObject.from(token.token, token.role) : null;
  },
  Topic: async (ctx, id) => {
    const topic = see.topic(ctx.actor, await ctx.services.topics.find(ctx, id));
    return topic && TopicObject.from(topic);
  },
  Contact: findContact,
  Flow: async (ctx, id) => {
    if (ctx.actor.role === Role.AGENT) return null;
    const flow = await ctx.loaders.flow.load(id);
    return flow ? FlowObject.from(flow) : null;
  },
  Ticket: findTicket,
  Message: async (ctx, id) => {
    const message = await ctx.loaders.message.load(id);
    // A ticket's message goes with its ticket: seen with it, up to the version it is seen at.
    const ticket = message?.ticketId ? await ctx.loaders.ticket.load(message.ticketId) : null;
    const now = see.message(ctx.actor, message, ticket);
    if (now) return MessageObject.from(now);
    if (!message?.ticketId) return null;
    const [past, event] = await Promise.all([seenTicket(ctx, message.ticketId), ctx.services.inbox.eventOfMessage(ctx, message)]);
    const [inThread] = past && event ? see.thread(past, [event]) : [];
    const seen = inThread ? see.messageOfEvent(inThread, message) : null;
    return seen && MessageObject.from(seen);
  },
  ContactField: async (ctx, id) => {
    const visible = (await ctx.services.fields.visible(ctx)).find((v) => v.field.id === id);
    return visible ? ContactFieldObject.from(visible.field) : null;
  },
  ContactGroup: async (ctx, id) => {
    const group = await ctx.services.groups.find(ctx, id);
    return group ? ContactGroupObject.from(group) : null;
  },
  Team: async (ctx, id) => {
    const team = await ctx.loaders.team.load(id);
    return team ? TeamObject.from(team) : null;
  },
  Invitation: async (ctx, id) => {
    if (ctx.actor.role !== Role.ADMINISTRATOR) return null;
    const invitation = await ctx.services.invitations.find(ctx, id);
    return invitation ? InvitationObject.from(invitation) : null;
  },
  Shortcut: async (ctx, id) => {
    const shortcut = await ctx.services.shortcuts.find(ctx, id);
    return shortcut ? ShortcutObject.from(shortcut) : null;
  },
  Trigger: async (ctx, id) => {
    if (ctx.actor.role === Role.AGENT) return null;
    const trigger = await ctx.services.triggers.find(ctx, id);
    return trigger ? TriggerObject.from(trigger) : null;
  },
  FlowStart: async (ctx, id) => {
    if (ctx.actor.role === Role.AGENT) return null;
    const start = await ctx.services.flowStarts.find(ctx, id);
    return start ? FlowStartObject.from(start) : null;
  },
  TicketExport: async (ctx, id) => {
    // Only its requester's: anyone else's does not exist for them.
    if (ctx.actor.role === Role.AGENT) return null;
    const row = await ctx.services.exports.find(ctx, id);
    return row ? TicketExportObject.from(row) : null;
  },
  Webhook: async (ctx, id) => {
    // Administrators' only: for anyone else endpoints do not exist.
    if (ctx.actor.role !== Role.ADMINISTRATOR) return null;
    const row = await ctx.services.webhooks.find(ctx, id);
    return row ? WebhookObject.from(row) : null;
  },
  WebhookDelivery: async (ctx, id) => {
    if (ctx.actor.role !== Role.ADMINISTRATOR) return null;
    const row = await ctx.services.webhooks.delivery(ctx, id);
    return row ? WebhookDeliveryObject.from(row) : null;
  },
  Notification: async (ctx, id) => {
    const notification = await ctx.services.notifications.find(ctx, id);
    return notification ? NotificationObject.from(notification) : null;
  },
  TicketEvent: async (ctx, id) => {
    const event = await ctx.services.inbox.event(ctx, id);
    if (!event) return null;
    // Delivered to them when it happened, or in the thread of a ticket they see (now, or as it
    // last was in their topics).
    const direct = see.event(ctx.actor, event);
    if (direct) return TicketEventObject.from(direct);
    const ticket = await seenTicket(ctx, event.ticketId);
    const [inThread] = ticket ? see.thread(ticket, [event]) : [];
    return inThread ? TicketEventObject.from(inThread) : null;
  },
};

function notVisible(id: string): NotFoundError {
  return new NotFoundError(`Nothing with id ${JSON.stringify(id)} is visible to you.`);
}

async function fetchNode(ctx: AuthedContext, id: string): Promise<Node> {
  const parsed = parseGlobalId(id);
  const fetcher = parsed && FETCHERS[parsed.type];
  const node = parsed && fetcher ? await fetcher(ctx, parsed.uuid) : null;
  if (!node) throw notVisible(id);
  return node;
}

function checkIdShape(id: string, field: string): void {
  if (!parseGlobalId(id)) throw new BadInputError(field, `${field} is not a valid ID.`);
}

@Resolver()
export class NodeResolver {
  @Requires()
  @Query(() => Node, { nullable: true, description: "Any object by its global ID; NOT_FOUND when it is not visible to you." })
  node(@Arg("id", () => ID) id: string, @Ctx() ctx: AuthedContext): Promise<Node> {
    checkIdShape(id, "id");
    return fetchNode(ctx, id);
  }

  @Requires()
  @MaxItems(MAX_NODES)
  @Query(() => [Node], {
    nullable: "items",
    description: "Up to 100 objects by global ID, in order; an invisible one is null with a NOT_FOUND error at its index.",
  })
  nodes(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: AuthedContext): Array<Promise<Node>> {
    if (ids.length > MAX_NODES) throw new BadInputError("ids", `ids takes at most ${MAX_NODES} IDs.`);
    ids.forEach((id, i) => checkIdShape(id, `ids.${i}`));
    return ids.map((id) => fetchNode(ctx, id));
  }

  @Requires()
  @Query(() => TicketObject, {
    nullable: true,
    description:
      "A ticket by its ID, as node(id:) finds it, typed: NOT_FOUND when it is not visible to you; BAD_USER_INPUT when id is not a Ticket ID.",
  })
  async ticket(@Arg("id", () => ID) id: string, @Ctx() ctx: AuthedContext): Promise<TicketObject> {
    const ticket = await findTicket(ctx, uuidOf(id, "Ticket", "id"));
    if (!ticket) throw notVisible(id);
    return ticket;
  }

  @Requires()
  @Query(() => ContactObject, {
    nullable: true,
    description:
      "A contact by its ID, as node(id:) finds it, typed: NOT_FOUND when it is not in your workspace; BAD_USER_INPUT when id is not a Contact ID.",
  })
  async contact(@Arg("id", () => ID) id: string, @Ctx() ctx: AuthedContext): Promise<ContactObject> {
    const contact = await findContact(ctx, uuidOf(id, "Contact", "id"));
    if (!contact) throw notVisible(id);
    return contact;
  }
}
