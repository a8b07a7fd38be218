import { Field, Float, Int, ObjectType } from "type-graphql";
import type { DurationSummary, StatisticsRow, TicketStatistics } from "../../services/statistics/statistics.service";
import { MAX_STATISTICS_ROWS } from "../../services/statistics/statistics.service";
import { MaxItems } from "../list-bounds";

@ObjectType("DurationSummary", {
  simpleResolvers: true,
  description:
    "Durations in seconds. The average is exact (a total over a count). The median and the 90th percentile are by " +
    "nearest rank, estimated from log-spaced buckets each 25% wider than the last: within 25% of the exact value " +
    "(within a second below one second). Null without durations.",
})
export class DurationSummaryObject implements DurationSummary {
  @Field(() => Int)
  count: number;

  @Field(() => Float, { nullable: true })
  averageSeconds: number | null;

  @Field(() => Float, { nullable: true })
  medianSeconds: number | null;

  @Field(() => Float, { nullable: true })
  p90Seconds: number | null;
}

@ObjectType("TicketStatisticsRow", {
  simpleResolvers: true,
  description:
    "One group's figures. opened: tickets opened (no assignee: under ASSIGNEE it is in the row without one); closed: " +
    "closes, by the assignee then; assigned: tickets given their first assignee, by that assignee; replies: member " +
    "replies, by the member; firstReply: opening to the first member reply, on the day the ticket opened, by the " +
    "replier; resolution: opening to a close, on the day of the close, by the assignee then.",
})
export class TicketStatisticsRowObject {
  row: StatisticsRow;

  @Field(() => String, { nullable: true, description: 'When grouped by a period: "2026-11-24", ISO week "2026-W48", or "2026-11".' })
  period: string | null;

  @Field(() => Int)
  opened: number;

  @Field(() => Int)
  closed: number;

  @Field(() => Int, { description: "First assignments." })
  assigned: number;

  @Field(() => Int)
  replies: number;

  @Field(() => DurationSummaryObject)
  firstReply: DurationSummaryObject;

  @Field(() => DurationSummaryObject)
  resolution: DurationSummaryObject;

  static from(row: StatisticsRow): TicketStatisticsRowObject {
    return Object.assign(new TicketStatisticsRowObject(), { row, ...row });
  }
}

@ObjectType("TicketStatistics")
export class TicketStatisticsObject {
  @Field()
  since: Date;

  @Field()
  until: Date;

  @Field({ description: "The time zone whose days the figures are counted in: the workspace's." })
  timezone: string;

  @MaxItems(MAX_STATISTICS_ROWS)
  @Field(() => [TicketStatisticsRowObject])
  rows: TicketStatisticsRowObject[];

  static from(s: TicketStatistics): TicketStatisticsObject {
    return Object.assign(new TicketStatisticsObject(), { ...s, rows: s.rows.map((r) => TicketStatisticsRowObject.from(r)) });
  }
}
