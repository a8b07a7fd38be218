import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { Role } from "./role";
import { Team } from "./team.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

/** A user's membership of a workspace, with the role they act with there. */
@Entity({ name: "memberships" })
@Check("memberships_role_check", oneOf("role", Role))
@Index("memberships_workspace_user_key", ["workspaceId", "userId"], { unique: true })
@Index("memberships_user_idx", ["userId"])
@Index("memberships_team_idx", { synchronize: false })
export class Membership {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "memberships_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "memberships_user_id_fkey" })
  user?: User;

  @Column("text")
  role: Role;

  /** Agents only: the team that limits them to its topics; null = every topic. */
  @Column("uuid", { nullable: true })
  teamId: string | null;

  @ManyToOne(() => Team)
  @JoinColumn({ name: "team_id", foreignKeyConstraintName: "memberships_team_id_fkey" })
  team?: Team;

  /** While an agent: may assign tickets to others and unassign others' (taking an unassigned ticket and releasing their own they always may). */
  @Column("boolean", { default: true })
  canAssign: boolean;

  /** While an agent: may reply in tickets assigned to someone else (in unassigned ones and their own they always may). */
  @Column("boolean", { default: true })
  canReplyToOthers: boolean;

  /** When the user last logged in to this workspace: logIn without a workspaceId picks the latest. */
  @Column("timestamptz", { nullable: true })
  lastLoginAt: Date | null;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
