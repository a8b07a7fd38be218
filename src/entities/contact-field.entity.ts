import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { Contact } from "./contact.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export enum ContactFieldType {
  TEXT = "TEXT",
  NUMBER = "NUMBER",
  DATETIME = "DATETIME",
}

/** What agents may do with a field's values; administrators and editors always read and edit. */
export enum FieldAccess {
  NONE = "NONE",
  VIEW = "VIEW",
  EDIT = "EDIT",
}

/** A field contacts carry, defined per workspace. Its key is fixed at creation. */
@Entity({ name: "contact_fields" })
@Check("contact_fields_type_check", oneOf("type", ContactFieldType))
@Check("contact_fields_agent_access_check", oneOf("agent_access", FieldAccess))
@Index("contact_fields_key_key", ["workspaceId", "key"], { unique: true })
@Index("contact_fields_name_key", { synchronize: false })
export class ContactField {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "contact_fields_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  key: string;

  @Column("text")
  name: string;

  @Column("text")
  type: ContactFieldType;

  @Column("boolean", { default: false })
  featured: boolean;

  @Column("integer", { default: 0 })
  priority: number;

  @Column("text", { default: FieldAccess.VIEW })
  agentAccess: FieldAccess;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

/** One contact's value of one field, stored in its normal form. */
@Entity({ name: "contact_field_values" })
@Index("contact_field_values_field_idx", ["fieldId"])
@Index("contact_field_values_trgm", { synchronize: false })
export class ContactFieldValueRow {
  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "contact_field_values_workspace_id_fkey" })
  workspace?: Workspace;

  @PrimaryColumn("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "contact_field_values_contact_id_fkey" })
  contact?: Contact;

  @PrimaryColumn("uuid")
  fieldId: string;

  @ManyToOne(() => ContactField, { onDelete: "CASCADE" })
  @JoinColumn({ name: "field_id", foreignKeyConstraintName: "contact_field_values_field_id_fkey" })
  field?: ContactField;

  @Column("text")
  value: string;
}

/** One saved version of a contact's notepad. The last five are kept. */
@Entity({ name: "contact_notes" })
@Index("contact_notes_contact_idx", { synchronize: false })
export class ContactNote {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "contact_notes_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "contact_notes_contact_id_fkey" })
  contact?: Contact;

  @Column("text")
  text: string;

  @Column("uuid")
  authorId: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "contact_notes_author_id_fkey" })
  author?: User;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

/** A group of contacts; the system group "Open Tickets" holds exactly those with an open ticket. */
@Entity({ name: "contact_groups" })
@Index("contact_groups_system_key", { synchronize: false })
export class ContactGroup {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "contact_groups_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  name: string;

  @Column("boolean", { default: false })
  isSystem: boolean;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
