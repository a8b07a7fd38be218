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
/** At most this many attachments on one message. */
export const MAX_ATTACHMENTS = 10;

/**
 * A photo, voice note, document or location a message carries: a MIME type (`image/jpeg`) and the
 * channel's http(s) URL of the file, or `geo` and the location as `lat,lng`.
 */
export interface Attachment {
  contentType: string;
  url: string;
}

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

  /** The channel's media references (Handover keeps the reference, not the file), at most MAX_ATTACHMENTS. */
  @Column("jsonb", { default: () => "'[]'::jsonb" })
  attachments: Attachment[];

  @Column("uuid", { nullable: true })
  authorId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "messages_author_id_fkey" })
  author?: User;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
