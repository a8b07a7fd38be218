import type { AuthedContext } from "../../context";
import { statisticsScope } from "../../auth/visibility";
import { StatisticFigure, StatisticGrain } from "../../entities";
import { BadInputError } from "../../errors";
import { addBucketText, countOf, type Histogram, quantiles } from "./histogram";

/** How the statistics are grouped: by one period at most, and by topic, assignee, or both. */
export enum StatisticsGrouping {
  DAY = "DAY",
  WEEK = "WEEK",
  MONTH = "MONTH",
  TOPIC = "TOPIC",
  ASSIGNEE = "ASSIGNEE",
}

/** How a period is named, from a day: "2026-11-24", ISO "2026-W48", "2026-11". */
const PERIOD_SQL: Readonly<Record<string, string>> = {
  [StatisticsGrouping.DAY]: `to_char(s.day, 'YYYY-MM-DD')`,
  [StatisticsGrouping.WEEK]: `to_char(s.day, 'IYYY-"W"IW')`,
  [StatisticsGrouping.MONTH]: `to_char(s.day, 'YYYY-MM')`,
};
const PERIODS = Object.keys(PERIOD_SQL);

/** The most days one reading covers (two years and a day). */
export const MAX_STATISTICS_DAYS = 732;
/** The most rows one reading answers. */
export const MAX_STATISTICS_ROWS = 2000;
/**
 * The most stored rows one reading sums: a year by topic and assignee at a million tickets reads
 * about 9,000 (a row per month and key, and per day at the range's ends).
 */
export const MAX_STATISTICS_READ = 50_000;

/** A duration's figures over the durations of a row. */
export interface DurationSummary {
  count: number;
  averageSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface StatisticsRow {
  period: string | null;
  topicId: string | null;
  memberId: string | null;
  opened: number;
  closed: number;
  assigned: number;
  replies: number;
  firstReply: DurationSummary;
  resolution: DurationSummary;
}

export interface TicketStatistics {
  since: Date;
  until: Date;
  timezone: string;
  rows: StatisticsRow[];
}

/** A group's figures as the database sums them; the histograms as text (counts per bucket, comma-separated, joined by ";"). */
interface SummedRow {
  period: string | null;
  topic_id: string | null;
  member_id: string | null;
  opened: number;
  closed: number;
  assigned: number;
  replies: number;
  first_reply_seconds: number;
  first_reply_buckets: string;
  resolution_seconds: number;
  resolution_buckets: string;
}

/** A row being summed: counts, and each duration's total and histogram. */
interface Tally {
  row: Omit<StatisticsRow, "firstReply" | "resolution">;
  durations: Record<"firstReply" | "resolution", { seconds: number; histogram: Histogram }>;
}

function summary(d: { seconds: number; histogram: Histogram }): DurationSummary {
  const count = countOf(d.histogram);
  return {
    count,
    averageSeconds: count === 0 ? null : d.seconds / count,
    ...(([medianSeconds, p90Seconds]) => ({ medianSeconds, p90Seconds }))(quantiles(d.histogram, [0.5, 0.9])),
  };
}

/**
 * Reads the ticket statistics kept with each write (see record.ts): sums of the rows of the days
 * asked, never a scan of tickets. The days are those of the workspace's time zone that overlap
 * [since, until).
 */
export class StatisticsService {
  async read(ctx: AuthedContext, since: Date, until: Date, groupBy: readonly StatisticsGrouping[]): Promise<TicketStatistics> {
    if (!(until.getTime() > since.getTime())) throw new BadInputError("until", "until must be after since.");
    const by = new Set(groupBy);
    const periods = PERIODS.filter((p) => by.has(p as StatisticsGrouping));
    if (periods.length > 1) throw new BadInputError("groupBy", "groupBy takes one period at most: DAY, WEEK or MONTH.");
    const period = periods[0] as StatisticsGrouping | undefined;
    const scope = statisticsScope(ctx.actor);
    const byTopic = by.has(StatisticsGrouping.TOPIC);
    const byMember = by.has(StatisticsGrouping.ASSIGNEE);
    const topicKeyed = byTopic || scope.topicIds !== null;
    const memberKeyed = byMember || scope.memberId !== null;
    const grain = topicKeyed
      ? memberKeyed
        ? StatisticGrain.TOPIC_AND_MEMBER
        : StatisticGrain.TOPIC
      : memberKeyed
        ? StatisticGrain.MEMBER
        : StatisticGrain.WORKSPACE;

    const [range] = await ctx.work.query<
      Array<{ timezone: string; first: string; last: string; days: number; full_from: string; full_to: string }>
    >(
      `SELECT w.timezone, r.first::text, r.last::text, (r.last - r.first + 1) AS days,
              (CASE WHEN extract(day FROM r.first) = 1 THEN r.first ELSE date_trunc('month', r.first) + interval '1 month' END)::date::text AS full_from,
              date_trunc('month', r.last + 1)::date::text AS full_to
         FROM workspaces w,
              LATERAL (SELECT ($2::timestamptz AT TIME ZONE w.timezone)::date AS first,
                              (($3::timestamptz - interval '1 microsecond') AT TIME ZONE w.timezone)::date AS last) r
        WHERE w.id = $1`,
      [ctx.actor.workspaceId, since, until],
    );
    if (range.days > MAX_STATISTICS_DAYS) {
      throw new BadInputError("until", `A reading covers ${MAX_STATISTICS_DAYS} days at most; this one covers ${range.days}.`);
    }
    // Whole months inside the range read their month's folded row, unless periods are days or weeks.
    const months = (period === undefined || period === StatisticsGrouping.MONTH) && range.full_from < range.full_to;

    const periodOf = (alias: string) => (period ? PERIOD_SQL[period].replace("s.day", `${alias}.day`) : "NULL::text");
    const keysOf = (alias: string) =>
      `${byTopic ? `${alias}.topic_id` : "NULL::uuid"} AS topic_id, ${byMember ? `${alias}.member_id` : "NULL::uuid"} AS member_id`;
    const scoped = (alias: string) =>
      `${alias}.workspace_id = $1 AND ${alias}.grain = $2
       AND ($5::uuid[] IS NULL OR ${alias}.topic_id = ANY($5)) AND ($6::uuid IS NULL OR ${alias}.member_id = $6)`;
    const params = [
      ctx.actor.workspaceId,
      grain,
      range.first,
      range.last,
      scope.topicIds,
      scope.memberId,
      range.full_from,
      range.full_to,
      months,
    ];
    const F = StatisticFigure;
    /** A delta's duration as a histogram's text: zeros up to its bucket, then its count. */
    const deltaBuckets = (figure: StatisticFigure) =>
      `CASE WHEN d.figure = '${figure}' THEN array_to_string(array_fill(0, ARRAY[d.bucket::int]) || d.n, ',') END`;
    const counted = (figure: StatisticFigure) => `CASE WHEN d.figure = '${figure}' THEN d.n ELSE 0 END`;
    const seconds = (figure: StatisticFigure) => `CASE WHEN d.figure = '${figure}' THEN d.seconds ELSE 0 END`;
    // Folded rows and the deltas not folded yet, in one statement: the squasher moves deltas into
    // folded rows in one transaction, so one snapshot counts each fact once. `columns` picks what
    // each side gives.
    const stored = (columns: { folded: string; delta: string }) =>
      `SELECT ${periodOf("s")} AS period, ${keysOf("s")}${columns.folded}
         FROM ticket_statistics s
        WHERE ${scoped("s")}
          AND ((s.span = 'DAY' AND s.day BETWEEN $3::date AND $4::date AND NOT ($9 AND s.day >= $7::date AND s.day < $8::date))
               OR ($9 AND s.span = 'MONTH' AND s.day >= $7::date AND s.day < $8::date))
       UNION ALL
       SELECT ${periodOf("d")}, ${keysOf("d")}${columns.delta}
         FROM ticket_statistic_deltas d
        WHERE ${scoped("d")} AND d.day BETWEEN $3::date AND $4::date`;
    // First how many stored rows the reading would sum (the count stops past its limit) and how
    // many groups they make, without reading any figure, in one statement: a reading too large is
    // refused before anything is summed, at a bounded cost.
    const [size] = await ctx.work.query<Array<{ rows: number; groups: number }>>(
      `WITH r AS MATERIALIZED (${stored({ folded: "", delta: "" })} LIMIT $10)
       SELECT (SELECT count(*) FROM r)::int AS rows,
              (SELECT count(*) FROM (SELECT DISTINCT period, topic_id, member_id FROM r) g)::int AS groups`,
      [...params, MAX_STATISTICS_READ + 1],
    );
    if (size.rows > MAX_STATISTICS_READ) {
      throw new BadInputError(
        "groupBy",
        `This reading would sum more than ${MAX_STATISTICS_READ.toLocaleString("en-US")} stored rows: ` +
          "group by topic or by assignee rather than both, by a longer period, or ask for fewer days.",
      );
    }
    if (size.groups > MAX_STATISTICS_ROWS) {
      throw new BadInputError(
        "groupBy",
        `This grouping gives more than ${MAX_STATISTICS_ROWS} rows: group by a longer period, or ask for fewer days.`,
      );
    }
    // Then the figures, summed by the database per group; the histograms as text, joined.
    const read = await ctx.work.query<SummedRow[]>(
      `SELECT period, topic_id, member_id, sum(opened)::int AS opened, sum(closed)::int AS closed, sum(assigned)::int AS assigned,
              sum(replies)::int AS replies, sum(frs) AS first_reply_seconds, coalesce(string_agg(frb, ';'), '') AS first_reply_buckets,
              sum(rs) AS resolution_seconds, coalesce(string_agg(rb, ';'), '') AS resolution_buckets
         FROM (${stored({
           folded: `, s.opened, s.closed, s.assigned, s.replies, s.first_reply_seconds AS frs,
               nullif(array_to_string(s.first_reply_buckets, ','), '') AS frb, s.resolution_seconds AS rs,
               nullif(array_to_string(s.resolution_buckets, ','), '') AS rb`,
           delta: `, ${counted(F.OPENED)}, ${counted(F.CLOSED)}, ${counted(F.ASSIGNED)}, ${counted(F.REPLIED)},
               ${seconds(F.FIRST_REPLY)}, ${deltaBuckets(F.FIRST_REPLY)}, ${seconds(F.RESOLUTION)}, ${deltaBuckets(F.RESOLUTION)}`,
         })}) r
        GROUP BY period, topic_id, member_id`,
      params,
    );

    const tallies = new Map<string, Tally>();
    const tallyOf = (p: string | null, topicId: string | null, memberId: string | null): Tally => {
      const key = `${p ?? ""}|${topicId ?? ""}|${memberId ?? ""}`;
      let tally = tallies.get(key);
      if (!tally) {
        tally = {
          row: { period: p, topicId, memberId, opened: 0, closed: 0, assigned: 0, replies: 0 },
          durations: { firstReply: { seconds: 0, histogram: [] }, resolution: { seconds: 0, histogram: [] } },
        };
        tallies.set(key, tally);
      }
      return tally;
    };
    // A series by period alone has a row for every period, with or without tickets.
    if (period && !byTopic && !byMember) {
      const all = await ctx.work.query<Array<{ period: string }>>(
        `SELECT DISTINCT ${PERIOD_SQL[period]} AS period FROM generate_series($1::date, $2::date, interval '1 day') AS s(day) ORDER BY 1`,
        [range.first, range.last],
      );
      for (const p of all) tallyOf(p.period, null, null);
    }
    if (!period && !byTopic && !byMember) tallyOf(null, null, null);
    for (const r of read) {
      const tally = tallyOf(r.period, r.topic_id, r.member_id);
      tally.row.opened += r.opened;
      tally.row.closed += r.closed;
      tally.row.assigned += r.assigned;
      tally.row.replies += r.replies;
      tally.durations.firstReply.seconds += r.first_reply_seconds;
      tally.durations.resolution.seconds += r.resolution_seconds;
      for (const text of r.first_reply_buckets.split(";")) addBucketText(tally.durations.firstReply.histogram, text);
      for (const text of r.resolution_buckets.split(";")) addBucketText(tally.durations.resolution.histogram, text);
    }
    const rows = [...tallies.values()]
      .map((t) => ({ ...t.row, firstReply: summary(t.durations.firstReply), resolution: summary(t.durations.resolution) }))
      .sort((a, b) => compare(a.period, b.period) || compare(a.topicId, b.topicId) || compare(a.memberId, b.memberId));
    return { since, until, timezone: range.timezone, rows };
  }
}

/** Nulls first, then in string order. */
function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
