import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { pageInfo, pageSize } from "../schema/connection";
import { encodeCursor, keysetCursor } from "../services/cursors";
import { MaxItems } from "../schema/list-bounds";
import { ContactGroupObject } from "../schema/types/contact-field.types";
import { ContactConnection, ContactObject } from "../schema/types/contact.types";

@Resolver(() => ContactGroupObject)
export class ContactGroupResolver {
  @Requires()
  // Only the system group "Open Tickets" exists: made with the workspace, one per workspace
  // (contact_groups_system_key), and no operation makes another.
  @MaxItems(1)
  @Query(() => [ContactGroupObject], { description: 'Contact groups, starting with the system group "Open Tickets".' })
  async contactGroups(@Ctx() ctx: AuthedContext): Promise<ContactGroupObject[]> {
    return (await ctx.services.groups.list(ctx)).map(ContactGroupObject.from);
  }

  @FieldResolver(() => Int, { description: "Exact: the contacts with an open ticket of a topic you may see." })
  count(@Root() _group: ContactGroupObject, @Ctx() ctx: AuthedContext): Promise<number> {
    return ctx.services.groups.openTicketsCount(ctx);
  }

  @FieldResolver(() => ContactConnection, { description: "The contacts with an open ticket, by their ticket's latest activity." })
  async contacts(
    @Root() _group: ContactGroupObject,
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<ContactConnection> {
    const size = pageSize(first, "first", 25);
    const cursor = after ? keysetCursor(after, "after") : undefined;
    const rows = await ctx.services.groups.openTicketsContacts(ctx, {
      limit: size + 1,
      after: cursor && { lastActivityUs: cursor.us, ticketId: cursor.id },
    });
    const edges = rows.slice(0, size).map((c) => ({ node: ContactObject.from(c), cursor: encodeCursor([c.sortKey, c.ticketId]) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({ hasNextPage: rows.length > size, hasPreviousPage: cursor !== undefined, cursors: edges.map((e) => e.cursor) }),
      totalCount: await ctx.services.groups.openTicketsCount(ctx),
    };
  }
}
