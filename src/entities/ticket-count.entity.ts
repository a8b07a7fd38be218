import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Workspace } from "./workspace.entity";

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

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_count_deltas_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  status: string;

  @Column("uuid")
  topicId: string;

  @Column("uuid", { nullable: true })
  assigneeId: string | null;

  @Column("integer")
  delta: number;
}
