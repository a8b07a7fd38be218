import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { pageSize } from "../schema/connection";
import { ExportTicketsInput } from "../schema/inputs/export.inputs";
import { TicketFilter } from "../schema/inputs/ticket.inputs";
import { TicketExportObject, TicketExportPayload } from "../schema/types/export.types";

/** The exports page 20 by default, 100 at most (the bound of every list paged by `first`). */
const DEFAULT_EXPORTS = 20;

@Resolver(() => TicketExportObject)
export class ExportResolver {
  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Query(() => [TicketExportObject], {
    description: "Your ticket exports, newest first (first 1 to 100, default 20). Poll it to follow an export, or subscribe to exportProgress.",
  })
  async exports(
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_EXPORTS }) first?: number | null,
  ): Promise<TicketExportObject[]> {
    const size = pageSize(first, "first", DEFAULT_EXPORTS);
    return (await ctx.services.exports.list(ctx, size)).map(TicketExportObject.from);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => TicketExportPayload, {
    description:
      "Starts a CSV export of the tickets of a filter (as the tickets query gives them to you) and returns it at once, PENDING; " +
      "it runs in the background. A member has at most a few pending or running at once (3 by default): TOO_MANY_EXPORTS.",
  })
  async exportTickets(
    @Arg("input", () => ExportTicketsInput) input: ExportTicketsInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<TicketExportPayload> {
    const result = await ctx.services.exports.start(ctx, TicketFilter.query(input.filter));
    return result.ok ? { export: TicketExportObject.from(result.value), userErrors: [] } : { export: null, userErrors: result.errors };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "When DONE and not expired: the file's address on this server, with a fresh single-use token valid until the export expires. " +
      "GET it with no header, or GET its path without the token with your Authorization header.",
  })
  downloadUrl(@Root() exported: TicketExportObject, @Ctx() ctx: AuthedContext): string | null {
    const path = ctx.services.exports.downloadPath(exported.row);
    return path && `${ctx.services.exports.publicUrl}${path}`;
  }
}
