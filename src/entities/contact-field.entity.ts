import { Column, Entity, Index, PrimaryColumn } from "typeorm";

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
@Index("contact_fields_key_key", ["workspaceId", "key"], { unique: true })
@Index("contact_fields_name_key", { synchronize: false })
export class ContactField {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

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

  @PrimaryColumn("uuid")
  contactId: string;

  @PrimaryColumn("uuid")
  fieldId: string;

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

  @Column("uuid")
  contactId: string;

  @Column("text")
  text: string;

  @Column("uuid")
  authorId: string;

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

  @Column("text")
  name: string;

  @Column("boolean", { default: false })
  isSystem: boolean;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
