import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { TX_POSITION_DEFAULT } from "./column-defaults";
import { Message } from "./message.entity";
import { Ticket } from "./ticket.entity";
import { Topic } from "./topic.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

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
 * Its cursor is (txId, seq), see `parseEventCursor` in `services/event-log.ts`.
 */
@Entity({ name: "ticket_events" })
@Check("ticket_events_type_check", oneOf("type", TicketEventType))
@Index("ticket_events_version_key", ["ticketId", "ticketVersion"], { unique: true })
@Index("ticket_events_cursor_idx", ["workspaceId", "txId", "seq"])
@Index("ticket_events_filed_idx", { synchronize: false })
export class TicketEvent {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_events_workspace_id_fkey" })
  workspace?: Workspace;

  /**
   * The event's transaction position (xid8 as bigint): the writing transaction's id raised to the
   * newest transaction id assigned when the event was written; see `event-log.ts`.
   */
  @Column("bigint", { default: TX_POSITION_DEFAULT })
  txId: string;

  @Column("bigint", { default: () => "nextval('ticket_events_seq')" })
  seq: string;

  @Column("uuid")
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: "CASCADE" })
  @JoinColumn({ name: "ticket_id", foreignKeyConstraintName: "ticket_events_ticket_id_fkey" })
  ticket?: Ticket;

  @Column("integer")
  ticketVersion: number;

  @Column("text")
  type: TicketEventType;

  @Column("uuid", { nullable: true })
  actorId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "actor_id", foreignKeyConstraintName: "ticket_events_actor_id_fkey" })
  actor?: User;

  /** The ticket's topic when the event happened: who may see the event follows from it. */
  @Column("uuid")
  topicId: string;

  @ManyToOne(() => Topic)
  @JoinColumn({ name: "topic_id", foreignKeyConstraintName: "ticket_events_topic_id_fkey" })
  topic?: Topic;

  @Column("uuid", { nullable: true })
  previousTopicId: string | null;

  @ManyToOne(() => Topic)
  @JoinColumn({ name: "previous_topic_id", foreignKeyConstraintName: "ticket_events_previous_topic_id_fkey" })
  previousTopic?: Topic;

  @Column("uuid", { nullable: true })
  assigneeId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "assignee_id", foreignKeyConstraintName: "ticket_events_assignee_id_fkey" })
  assignee?: User;

  @Column("uuid", { nullable: true })
  previousAssigneeId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "previous_assignee_id", foreignKeyConstraintName: "ticket_events_previous_assignee_id_fkey" })
  previousAssignee?: User;

  @Column("text", { nullable: true })
  note: string | null;

  @Column("uuid", { nullable: true })
  messageId: string | null;

  @ManyToOne(() => Message)
  @JoinColumn({ name: "message_id", foreignKeyConstraintName: "ticket_events_message_id_fkey" })
  message?: Message;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
