import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from "typeorm";
import { oneOf } from "./checks";
import { TX_POSITION_DEFAULT } from "./column-defaults";
import { Contact } from "./contact.entity";
import { Flow } from "./flow.entity";
import { Message } from "./message.entity";
import { Topic } from "./topic.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

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
@Check("tickets_status_check", oneOf("status", TicketStatus))
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

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "tickets_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "tickets_contact_id_fkey" })
  contact?: Contact;

  @Column("uuid")
  topicId: string;

  @ManyToOne(() => Topic)
  @JoinColumn({ name: "topic_id", foreignKeyConstraintName: "tickets_topic_id_fkey" })
  topic?: Topic;

  /** A User id; null = unassigned. */
  @Column("uuid", { nullable: true })
  assigneeId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "assignee_id", foreignKeyConstraintName: "tickets_assignee_id_fkey" })
  assignee?: User;

  @Column("text")
  status: TicketStatus;

  /** Null when opened by a flow. */
  @Column("uuid", { nullable: true })
  openedById: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "opened_by_id", foreignKeyConstraintName: "tickets_opened_by_id_fkey" })
  openedBy?: User;

  @Column("uuid", { nullable: true })
  openedInId: string | null;

  @ManyToOne(() => Flow)
  @JoinColumn({ name: "opened_in_id", foreignKeyConstraintName: "tickets_opened_in_id_fkey" })
  openedIn?: Flow;

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

  @ManyToOne(() => Message)
  @JoinColumn({ name: "last_message_id", foreignKeyConstraintName: "tickets_last_message_id_fkey" })
  // Relation<>: tickets and messages refer to each other, so the type must not be read at load time.
  lastMessage?: Relation<Message>;

  @Column("text", { nullable: true })
  idempotencyKey: string | null;

  /** The warnings of the openTicket call, returned again to a retry with the same key. */
  @Column("jsonb", { default: () => "'[]'" })
  openWarnings: string[];

  /**
   * The transaction that last changed the ticket (xid8 as bigint). Inbox pages after the first
   * skip tickets changed after the first page was read, so paging never repeats a ticket.
   */
  @Column("bigint", { default: TX_POSITION_DEFAULT })
  changedTx: string;
}
