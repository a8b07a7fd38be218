import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Workspace } from "./workspace.entity";

/** A pre-defined response agents insert into replies. */
@Entity({ name: "shortcuts" })
@Index("shortcuts_name_key", { synchronize: false })
@Index("shortcuts_search_trgm", { synchronize: false })
export class Shortcut {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "shortcuts_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  name: string;

  @Column("text")
  text: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
