import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { see } from "../auth/visibility";
import { Requires } from "../auth/requires";
import { MinCost } from "../schema/list-bounds";
import type { AuthedContext } from "../context";
import { StatisticsGrouping } from "../services/statistics/statistics.service";
import { UserObject } from "../schema/types/identity.types";
import { TicketStatisticsObject, TicketStatisticsRowObject } from "../schema/types/statistics.types";
import { TopicObject } from "../schema/types/topic.types";
import { loadUser } from "./ticket.resolver";

/**
 * What one reading counts toward the query cost, whatever it selects: it may sum thousands of
 * stored rows, so a request holds at most five (at the default MAX_QUERY_COST of 50,000).
 */
export const STATISTICS_COST = 10_000;

@Resolver(() => TicketStatisticsRowObject)
export class StatisticsResolver {
  @Requires()
  @MinCost(STATISTICS_COST)
  @Query(() => TicketStatisticsObject, {
    description:
      "Ticket statistics per day in the workspace's time zone, for the days that overlap [since, until) (732 at most), " +
      "grouped by one period at most (DAY, WEEK, MONTH) and by TOPIC and/or ASSIGNEE. Kept with each change, never " +
      "counted from tickets. Administrators and editors read the workspace's; agents with a team, those of the " +
      "team's topics; agents without a team, their own.",
  })
  async ticketStatistics(
    @Ctx() ctx: AuthedContext,
    @Arg("since") since: Date,
    @Arg("until") until: Date,
    @Arg("groupBy", () => [StatisticsGrouping]) groupBy: StatisticsGrouping[],
  ): Promise<TicketStatisticsObject> {
    return TicketStatisticsObject.from(await ctx.services.statistics.read(ctx, since, until, groupBy));
  }

  @FieldResolver(() => TopicObject, {
    nullable: true,
    description: "When grouped by TOPIC: the topic, as you may see it (a deleted topic still names itself, as in past events).",
  })
  async topic(@Root() row: TicketStatisticsRowObject, @Ctx() ctx: AuthedContext): Promise<TopicObject | null> {
    if (row.row.topicId === null) return null;
    const topic = see.topic(ctx.actor, await ctx.loaders.topic.load(row.row.topicId));
    return topic && TopicObject.from(topic);
  }

  @FieldResolver(() => UserObject, { nullable: true, description: "When grouped by ASSIGNEE: the member (null: no member)." })
  assignee(@Root() row: TicketStatisticsRowObject, @Ctx() ctx: AuthedContext): Promise<UserObject | null> {
    return loadUser(ctx, row.row.memberId);
  }
}
