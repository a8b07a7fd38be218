import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import { see } from "../auth/visibility";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { BadInputError } from "../errors";
import { pageSize } from "../schema/connection";
import { ContactObject } from "../schema/types/contact.types";
import { FlowObject } from "../schema/types/flow.types";
import { TicketObject } from "../schema/types/ticket.types";
import { FlowStartObject, TriggerObject } from "../schema/types/trigger.types";
import { parseEventCursor } from "../services/tickets/event-log";
import { loadFlow } from "./trigger.resolver";

@Resolver(() => FlowStartObject)
export class FlowStartResolver {
  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Query(() => [FlowStartObject], {
    description:
      "The flow starts triggers asked for, after a cursor, oldest first, in commit order: the flow engine's outbox. " +
      "Poll again with the cursor of the last one handled; an empty answer means nothing new yet.",
  })
  async flowStarts(
    @Ctx() ctx: AuthedContext,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 100 }) first?: number | null,
  ): Promise<FlowStartObject[]> {
    const size = pageSize(first, "first", 100);
    const cursor = after ? parseEventCursor(after) : undefined;
    if (after && !cursor) throw new BadInputError("after", "after is not a flow start cursor.");
    return (await ctx.services.flowStarts.after(ctx, cursor, size)).map(FlowStartObject.from);
  }

  @FieldResolver(() => FlowObject)
  flow(@Root() start: FlowStartObject, @Ctx() ctx: AuthedContext): Promise<FlowObject> {
    return loadFlow(ctx, start.row.flowId);
  }

  @FieldResolver(() => ContactObject)
  async contact(@Root() start: FlowStartObject, @Ctx() ctx: AuthedContext): Promise<ContactObject> {
    const contact = await ctx.loaders.contact.load(start.row.contactId);
    if (!contact) throw new Error("a flow start's contact is missing");
    return ContactObject.from(contact);
  }

  @FieldResolver(() => TicketObject, { nullable: true, description: "The ticket whose change fired the trigger; null once deleted." })
  async ticket(@Root() start: FlowStartObject, @Ctx() ctx: AuthedContext): Promise<TicketObject | null> {
    const ticket = see.ticket(ctx.actor, start.row.ticketId ? await ctx.loaders.ticket.load(start.row.ticketId) : null);
    return ticket && TicketObject.from(ticket);
  }

  @FieldResolver(() => TriggerObject, { nullable: true, description: "The trigger that asked for it; null once the trigger is deleted." })
  trigger(@Root() start: FlowStartObject): TriggerObject | null {
    return start.row.trigger && TriggerObject.from(start.row.trigger);
  }
}
