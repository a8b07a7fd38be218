import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Workspace } from "./workspace.entity";

/** A subject tickets are filed under. Every workspace has the system topic "General". */
@Entity({ name: "topics" })
@Index("topics_name_key", { synchronize: false })
@Index("topics_system_key", { synchronize: false })
export class Topic {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "topics_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  name: string;

  @Column("boolean", { default: false })
  isSystem: boolean;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  /** Deleted topics are kept so that past events can still name them. */
  @Column("timestamptz", { nullable: true })
  deletedAt: Date | null;
}
