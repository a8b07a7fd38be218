import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export enum TicketStatus {
  OPEN = "OPEN",
  CLOSED = "CLOSED",
}

/**
 * A contact's conversation with the team, from escalation to close. Its indexes (one open
 * ticket per contact, the inbox folders) are partial or descending, so they live in the
 * migration only.
 */
@Entity({ name: "tickets" })
@Index("tickets_one_open_key", { synchronize: false })
@Index("tickets_idempotency_key", { synchronize: false })
@Index("tickets_contact_idx", { synchronize: false })
@Index("tickets_inbox_idx", { synchronize: false })
@Index("tickets_inbox_topic_idx", { synchronize: false })
@Index("tickets_inbox_assignee_idx", { synchronize: false })
@Index("tickets_inbox_assignee_topic_idx", { synchronize: false })
export class Ticket {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("uuid")
  contactId: string;

  @Column("uuid")
  topicId: string;

  /** A User id; null = unassigned. */
  @Column("uuid", { nullable: true })
  assigneeId: string | null;

  @Column("text")
  status: TicketStatus;

  /** Null when opened by a flow. */
  @Column("uuid", { nullable: true })
  openedById: string | null;

  @Column("uuid", { nullable: true })
  openedInId: string | null;

  @Column("timestamptz", { default: () => "now()" })
  openedAt: Date;

  @Column("timestamptz", { nullable: true })
  repliedAt: Date | null;

  @Column("timestamptz", { nullable: true })
  closedAt: Date | null;

  @Column("timestamptz", { default: () => "now()" })
  lastActivityAt: Date;

  @Column("integer", { default: 1 })
  version: number;

  @Column("uuid", { nullable: true })
  lastMessageId: string | null;

  @Column("text", { nullable: true })
  idempotencyKey: string | null;

  /** The warnings of the openTicket call, returned again to a retry with the same key. */
  @Column("jsonb", { default: () => "'[]'" })
  openWarnings: string[];

  /**
   * The transaction that last changed the ticket (xid8 as bigint). Inbox pages after the first
   * skip tickets changed after the first page was read, so paging never repeats a ticket.
   */
  @Column("bigint", { default: () => "(pg_current_xact_id()::text::bigint)" })
  changedTx: string;
}
