import { Column, Entity, Index, PrimaryColumn } from "typeorm";

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
@Index("messages_external_id_key", { synchronize: false })
@Index("messages_contact_idx", ["contactId", "createdAt", "id"])
@Index("messages_ticket_idx", { synchronize: false })
@Index("messages_text_trgm", { synchronize: false })
export class Message {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("uuid")
  contactId: string;

  @Column("uuid", { nullable: true })
  ticketId: string | null;

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

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
