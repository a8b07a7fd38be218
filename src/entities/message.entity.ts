import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from "typeorm";
import { oneOf } from "./checks";
import { Contact } from "./contact.entity";
import { Ticket } from "./ticket.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export enum MessageDirection {
  INCOMING = "INCOMING",
  OUTGOING = "OUTGOING",
}

export enum MessageStatus {
  RECEIVED = "RECEIVED",
  QUEUED = "QUEUED",
  SENT = "SENT",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
}

/** A message to or from a contact over a channel. Internal notes are never messages. */
@Entity({ name: "messages" })
@Check("messages_direction_check", oneOf("direction", MessageDirection))
@Check("messages_status_check", oneOf("status", MessageStatus))
@Index("messages_external_id_key", { synchronize: false })
@Index("messages_contact_idx", ["contactId", "createdAt", "id"])
@Index("messages_ticket_idx", { synchronize: false })
@Index("messages_text_trgm", { synchronize: false })
export class Message {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "messages_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "messages_contact_id_fkey" })
  contact?: Contact;

  @Column("uuid", { nullable: true })
  ticketId: string | null;

  @ManyToOne(() => Ticket, { onDelete: "SET NULL" })
  @JoinColumn({ name: "ticket_id", foreignKeyConstraintName: "messages_ticket_id_fkey" })
  // Relation<>: tickets and messages refer to each other, so the type must not be read at load time.
  ticket?: Relation<Ticket>;

  @Column("text")
  direction: MessageDirection;

  @Column("text")
  urn: string;

  @Column("text")
  text: string;

  @Column("text")
  status: MessageStatus;

  @Column("text", { nullable: true })
  externalId: string | null;

  @Column("uuid", { nullable: true })
  authorId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "messages_author_id_fkey" })
  author?: User;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
