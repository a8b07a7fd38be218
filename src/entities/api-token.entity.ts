import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export enum TokenKind {
  /** Made by logIn; expires after a period unused; revoked by logOut. */
  SESSION = "SESSION",
  /** Made by createApiToken for integrations; lives until revoked. */
  API = "API",
}

/** A bearer token bound to one user in one workspace. Only its SHA-256 hash is stored. */
@Entity({ name: "api_tokens" })
@Check("api_tokens_kind_check", oneOf("kind", TokenKind))
@Index("api_tokens_workspace_user_idx", ["workspaceId", "userId"])
export class ApiToken {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "api_tokens_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "api_tokens_user_id_fkey" })
  user?: User;

  @Column("text")
  kind: TokenKind;

  @Column("text", { nullable: true })
  name: string | null;

  @Index("api_tokens_hash_key", { unique: true })
  @Column("bytea", { select: false })
  tokenHash: Buffer;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  @Column("timestamptz", { nullable: true })
  lastUsedAt: Date | null;

  @Column("timestamptz", { nullable: true })
  revokedAt: Date | null;
}
