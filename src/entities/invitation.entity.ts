import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { Role } from "./role";
import { Team } from "./team.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

/** An invitation to join a workspace, by email, with a single-use token stored as a hash. */
@Entity({ name: "invitations" })
@Check("invitations_email_check", "email = lower(email)")
@Check("invitations_role_check", oneOf("role", Role))
@Index("invitations_token_key", { synchronize: false })
@Index("invitations_workspace_email_idx", ["workspaceId", "email"])
@Index("invitations_team_idx", { synchronize: false })
export class Invitation {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "invitations_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  email: string;

  @Column("text")
  role: Role;

  @Column("uuid", { nullable: true })
  teamId: string | null;

  @ManyToOne(() => Team)
  @JoinColumn({ name: "team_id", foreignKeyConstraintName: "invitations_team_id_fkey" })
  team?: Team;

  @Column("bytea", { select: false })
  tokenHash: Buffer;

  @Column("uuid")
  invitedById: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: "invited_by_id", foreignKeyConstraintName: "invitations_invited_by_id_fkey" })
  invitedBy?: User;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  @Column("timestamptz")
  expiresAt: Date;

  @Column("timestamptz", { nullable: true })
  acceptedAt: Date | null;

  @Column("uuid", { nullable: true })
  acceptedById: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: "accepted_by_id", foreignKeyConstraintName: "invitations_accepted_by_id_fkey" })
  acceptedBy?: User;

  @Column("timestamptz", { nullable: true })
  revokedAt: Date | null;
}
