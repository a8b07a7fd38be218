import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { oneOf } from "./checks";
import { Workspace } from "./workspace.entity";

/** What one statistics delta counts. */
export enum StatisticFigure {
  /** A ticket opened (its topic; no member). */
  OPENED = "OPENED",
  /** A ticket closed (its topic and assignee then). */
  CLOSED = "CLOSED",
  /** A ticket's first assignee ever, at opening or later (that assignee). */
  ASSIGNED = "ASSIGNED",
  /** A member's reply (that member). */
  REPLIED = "REPLIED",
  /** From opening to the first member reply, on the day the ticket opened (the replier). */
  FIRST_REPLY = "FIRST_REPLY",
  /** From opening to a close, on the day of the close (the assignee then). */
  RESOLUTION = "RESOLUTION",
}

/**
 * Which keys a statistics row keeps. Every fact is counted at each grain, so that a reading sums
 * the fewest rows: the workspace's series reads one row a day or a month, and only a grouping by
 * topic and assignee together reads the finest.
 */
export enum StatisticGrain {
  TOPIC_AND_MEMBER = 0,
  TOPIC = 1,
  MEMBER = 2,
  WORKSPACE = 3,
}

/** The days a folded statistics row sums. */
export enum StatisticSpan {
  /** One day: `day` is that day. */
  DAY = "DAY",
  /** A calendar month: `day` is its first day. */
  MONTH = "MONTH",
}

/**
 * Ticket statistics as the writes leave them: insert-only deltas, one per fact, written in the
 * transaction of the change they count (like the folder counts, a writer adds rows and never
 * waits on a counter row). `day` is the workspace's calendar day in the time zone in force when
 * the fact was recorded; a duration is kept with its histogram bucket (services/statistics/
 * histogram.ts). The squasher moves them into `ticket_statistics`; a reading sums both.
 * `topic_id` and `member_id` keep no foreign key: statistics outlive a deleted topic.
 */
@Entity({ name: "ticket_statistic_deltas" })
@Check("ticket_statistic_deltas_figure_check", oneOf("figure", StatisticFigure))
@Index("ticket_statistic_deltas_key_idx", ["workspaceId", "grain", "day"])
export class TicketStatisticDelta {
  @PrimaryGeneratedColumn("increment", { type: "bigint" })
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_statistic_deltas_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("date")
  day: string;

  @Column("smallint")
  grain: StatisticGrain;

  /** Null at the MEMBER and WORKSPACE grains. */
  @Column("uuid", { nullable: true })
  topicId: string | null;

  /** Null at the TOPIC and WORKSPACE grains, and for a fact without a member (a ticket opened, closed unassigned). */
  @Column("uuid", { nullable: true })
  memberId: string | null;

  @Column("text")
  figure: StatisticFigure;

  /** The duration's histogram bucket; 0 for a count. */
  @Column("smallint", { default: 0 })
  bucket: number;

  @Column("integer")
  n: number;

  /** The durations' total, in seconds; 0 for a count. */
  @Column("double precision", { default: 0 })
  seconds: number;
}

/**
 * Ticket statistics folded: one row per span (a day, and the month it is in), grain and key, with
 * each count, each duration's total in seconds and its histogram (counts per bucket, from bucket
 * 0), so that a year reads twelve rows a key. Its key is unique with the missing topic or member
 * as the nil uuid (an expression index, so it lives in the migration only).
 */
@Entity({ name: "ticket_statistics" })
@Check("ticket_statistics_span_check", oneOf("span", StatisticSpan))
@Index("ticket_statistics_key", { synchronize: false })
export class TicketStatistic {
  @PrimaryGeneratedColumn("increment", { type: "bigint" })
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_statistics_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  span: StatisticSpan;

  @Column("date")
  day: string;

  @Column("smallint")
  grain: StatisticGrain;

  @Column("uuid", { nullable: true })
  topicId: string | null;

  @Column("uuid", { nullable: true })
  memberId: string | null;

  @Column("integer", { default: 0 })
  opened: number;

  @Column("integer", { default: 0 })
  closed: number;

  @Column("integer", { default: 0 })
  assigned: number;

  @Column("integer", { default: 0 })
  replies: number;

  @Column("double precision", { default: 0 })
  firstReplySeconds: number;

  @Column("integer", { array: true, default: () => "'{}'" })
  firstReplyBuckets: number[];

  @Column("double precision", { default: 0 })
  resolutionSeconds: number;

  @Column("integer", { array: true, default: () => "'{}'" })
  resolutionBuckets: number[];
}
