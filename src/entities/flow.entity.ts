import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Workspace } from "./workspace.entity";

/** A flow of the flow engine, registered by its external id. */
@Entity({ name: "flows" })
@Index("flows_external_id_key", ["workspaceId", "externalId"], { unique: true })
export class Flow {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "flows_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  name: string;

  @Column("text")
  externalId: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
