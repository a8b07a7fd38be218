import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity({ name: "workspaces" })
export class Workspace {
  @PrimaryColumn("uuid")
  id: string;

  @Column("text")
  name: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
