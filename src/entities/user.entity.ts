import { Check, Column, Entity, Index, PrimaryColumn } from "typeorm";

/** A person who can log in. Users are global; what they see comes from their memberships. */
@Entity({ name: "users" })
@Check("users_email_lower", "email = lower(email)")
export class User {
  @PrimaryColumn("uuid")
  id: string;

  /** Stored lower-cased, so uniqueness is case-insensitive. */
  @Index("users_email_key", { unique: true })
  @Column("text")
  email: string;

  @Column("text")
  name: string;

  @Column("text", { select: false })
  passwordHash: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
