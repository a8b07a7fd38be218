import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { Flow } from "./flow.entity";
import { Workspace } from "./workspace.entity";

export enum TriggerType {
  TICKET_CLOSED = "TICKET_CLOSED",
}

/** Starts a flow when something happens to a ticket; at most one per type per workspace. */
@Entity({ name: "triggers" })
@Check("triggers_type_check", oneOf("type", TriggerType))
@Index("triggers_type_key", ["workspaceId", "type"], { unique: true })
export class Trigger {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "triggers_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  type: TriggerType;

  @Column("uuid")
  flowId: string;

  @ManyToOne(() => Flow)
  @JoinColumn({ name: "flow_id", foreignKeyConstraintName: "triggers_flow_id_fkey" })
  flow?: Flow;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
