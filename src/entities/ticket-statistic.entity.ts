import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { oneOf } from "./checks";
import { Workspace } from "./workspace.entity";

/** What one statistics row counts. */
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
 * Which keys a statistics row keeps. Every fact is written at each grain, so that a reading sums
 * the fewest rows: the workspace's day series reads one grain of a few rows a day, and only a
 * grouping by topic and assignee together reads the finest.
 */
export enum StatisticGrain {
  TOPIC_AND_MEMBER = 0,
  TOPIC = 1,
  MEMBER = 2,
  WORKSPACE = 3,
}

/**
 * Ticket statistics as insert-only deltas, written in the transaction of the change they count
 * (like the folder counts: a writer adds rows and never waits on a counter row). `day` is the
 * workspace's calendar day in the time zone in force when the fact was recorded. Durations are
 * kept as a count and a total (`n`, `seconds`) per histogram bucket, so that averages add up and
 * percentiles can be estimated over any days. The squasher folds each key's rows into one.
 * `topic_id` and `member_id` keep no foreign key: statistics outlive a deleted topic.
 */
@Entity({ name: "ticket_statistics" })
@Check("ticket_statistics_figure_check", oneOf("figure", StatisticFigure))
@Index("ticket_statistics_key_idx", ["workspaceId", "grain", "day"])
export class TicketStatistic {
  @PrimaryGeneratedColumn("increment", { type: "bigint" })
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_statistics_workspace_id_fkey" })
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

  /** The duration's histogram bucket (see services/statistics/histogram.ts); 0 for a count. */
  @Column("smallint", { default: 0 })
  bucket: number;

  @Column("integer")
  n: number;

  /** The durations' total, in seconds; 0 for a count. */
  @Column("double precision", { default: 0 })
  seconds: number;
}
