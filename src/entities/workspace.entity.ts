import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity({ name: "workspaces" })
export class Workspace {
  @PrimaryColumn("uuid")
  id: string;

  @Column("text")
  name: string;

  /** An IANA time zone name: the days of its ticket statistics. */
  @Column("text", { default: "UTC" })
  timezone: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
