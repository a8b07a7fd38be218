import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Workspace } from "./workspace.entity";

/** Someone the team talks to. Contacts are reachable by one or more URNs (ContactUrn). */
@Entity({ name: "contacts" })
@Index("contacts_workspace_idx", { synchronize: false })
@Index("contacts_name_trgm", { synchronize: false })
export class Contact {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "contacts_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text", { nullable: true })
  name: string | null;

  @Column("text", { nullable: true })
  language: string | null;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

/** A normalised `scheme:path` address of a contact, unique in its workspace. */
@Entity({ name: "contact_urns" })
@Index("contact_urns_urn_key", ["workspaceId", "urn"], { unique: true })
@Index("contact_urns_contact_idx", ["contactId", "priority"])
@Index("contact_urns_urn_trgm", { synchronize: false })
export class ContactUrn {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "contact_urns_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "contact_urns_contact_id_fkey" })
  contact?: Contact;

  @Column("text")
  urn: string;

  /** Lower first: the order URNs are listed in, and the default for replies. */
  @Column("integer", { default: 0 })
  priority: number;
}
