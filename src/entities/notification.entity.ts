import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { TX_POSITION_DEFAULT } from "./column-defaults";
import { Ticket } from "./ticket.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export enum NotificationKind {
  /** An unassigned ticket was opened in a topic the member sees. */
  TICKET_OPENED = "TICKET_OPENED",
  /** Someone else assigned the member a ticket, added a note to theirs, or its contact wrote in it. */
  TICKET_ACTIVITY = "TICKET_ACTIVITY",
  /** A note named the member (`@email` or `@"Name"`). */
  MENTIONED = "MENTIONED",
}

/**
 * What concerns one member, written in the transaction of the change that causes it. One unseen
 * notification per (member, kind, ticket): another while it is unseen updates it, and moves it to
 * a new position in the feed, so that a subscriber sees it again. Its position is the event log's
 * kind ("txId.seq", see services/tickets/event-log.ts).
 */
@Entity({ name: "notifications" })
@Check("notifications_kind_check", oneOf("kind", NotificationKind))
@Index("notifications_cursor_idx", ["workspaceId", "txId", "seq"])
@Index("notifications_unseen_key", { synchronize: false })
@Index("notifications_member_idx", { synchronize: false })
@Index("notifications_ticket_idx", ["ticketId"])
export class Notification {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "notifications_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("bigint", { default: TX_POSITION_DEFAULT })
  txId: string;

  @Column("bigint", { default: () => "nextval('notifications_seq')" })
  seq: string;

  /** The member it is for (a User id). */
  @Column("uuid")
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "notifications_user_id_fkey" })
  user?: User;

  @Column("text")
  kind: NotificationKind;

  @Column("uuid")
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: "CASCADE" })
  @JoinColumn({ name: "ticket_id", foreignKeyConstraintName: "notifications_ticket_id_fkey" })
  ticket?: Ticket;

  /** Who caused it, the last time; null when a flow or the contact did. */
  @Column("uuid", { nullable: true })
  actorId: string | null;

  @ManyToOne(() => User, { onDelete: "SET NULL" })
  @JoinColumn({ name: "actor_id", foreignKeyConstraintName: "notifications_actor_id_fkey" })
  actor?: User;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  @Column("timestamptz", { default: () => "now()" })
  updatedAt: Date;

  @Column("timestamptz", { nullable: true })
  seenAt: Date | null;
}
