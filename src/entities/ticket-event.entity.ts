import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export enum TicketEventType {
  OPENED = "OPENED",
  ASSIGNED = "ASSIGNED",
  NOTE_ADDED = "NOTE_ADDED",
  TOPIC_CHANGED = "TOPIC_CHANGED",
  CLOSED = "CLOSED",
  REOPENED = "REOPENED",
  MESSAGE_RECEIVED = "MESSAGE_RECEIVED",
  MESSAGE_SENT = "MESSAGE_SENT",
}

/**
 * One change of one ticket: the thread, the audit trail and the source of subscriptions.
 * Its cursor is (txId, seq), see `event-cursor.ts`.
 */
@Entity({ name: "ticket_events" })
@Index("ticket_events_version_key", ["ticketId", "ticketVersion"], { unique: true })
@Index("ticket_events_cursor_idx", ["workspaceId", "txId", "seq"])
export class TicketEvent {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  /**
   * The event's transaction position (xid8 as bigint): the writing transaction's id raised to the
   * newest transaction id assigned when the event was written; see `event-log.ts`.
   */
  @Column("bigint", { default: () => "(pg_current_xact_id()::text::bigint)" })
  txId: string;

  @Column("bigint", { default: () => "nextval('ticket_events_seq')" })
  seq: string;

  @Column("uuid")
  ticketId: string;

  @Column("integer")
  ticketVersion: number;

  @Column("text")
  type: TicketEventType;

  @Column("uuid", { nullable: true })
  actorId: string | null;

  /** The ticket's topic when the event happened: who may see the event follows from it. */
  @Column("uuid")
  topicId: string;

  @Column("uuid", { nullable: true })
  previousTopicId: string | null;

  @Column("uuid", { nullable: true })
  assigneeId: string | null;

  @Column("uuid", { nullable: true })
  previousAssigneeId: string | null;

  @Column("text", { nullable: true })
  note: string | null;

  @Column("uuid", { nullable: true })
  messageId: string | null;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
