import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

/**
 * Ticket counts as insert-only deltas per (status, topic, assignee): a change adds rows, never
 * updates one, so concurrent writers never queue on a counter row. The squasher folds each key's
 * rows into one in the background; a count is the sum of its key's rows.
 */
@Entity({ name: "ticket_count_deltas" })
@Index("ticket_count_deltas_key_idx", ["workspaceId", "status", "topicId", "assigneeId"])
export class TicketCountDelta {
  @PrimaryGeneratedColumn("increment", { type: "bigint" })
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("text")
  status: string;

  @Column("uuid")
  topicId: string;

  @Column("uuid", { nullable: true })
  assigneeId: string | null;

  @Column("integer")
  delta: number;
}
