import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { Role } from "./role";

/** A team of agents: it limits them to its topics, or to none when allTopics. */
@Entity({ name: "teams" })
@Index("teams_name_key", { synchronize: false })
export class Team {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("text")
  name: string;

  @Column("boolean", { default: false })
  allTopics: boolean;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

@Entity({ name: "team_topics" })
@Index("team_topics_topic_idx", ["topicId"])
export class TeamTopic {
  @Column("uuid")
  workspaceId: string;

  @PrimaryColumn("uuid")
  teamId: string;

  @PrimaryColumn("uuid")
  topicId: string;
}

/** An invitation to join a workspace, by email, with a single-use token stored as a hash. */
@Entity({ name: "invitations" })
@Index("invitations_token_key", { synchronize: false })
@Index("invitations_workspace_email_idx", ["workspaceId", "email"])
@Index("invitations_team_idx", { synchronize: false })
export class Invitation {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("text")
  email: string;

  @Column("text")
  role: Role;

  @Column("uuid", { nullable: true })
  teamId: string | null;

  @Column("bytea", { select: false })
  tokenHash: Buffer;

  @Column("uuid")
  invitedById: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  @Column("timestamptz")
  expiresAt: Date;

  @Column("timestamptz", { nullable: true })
  acceptedAt: Date | null;

  @Column("uuid", { nullable: true })
  acceptedById: string | null;

  @Column("timestamptz", { nullable: true })
  revokedAt: Date | null;
}

/** A pre-defined response agents insert into replies. */
@Entity({ name: "shortcuts" })
@Index("shortcuts_name_key", { synchronize: false })
@Index("shortcuts_search_trgm", { synchronize: false })
export class Shortcut {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("text")
  name: string;

  @Column("text")
  text: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

export enum TriggerType {
  TICKET_CLOSED = "TICKET_CLOSED",
}

/** Starts a flow when something happens to a ticket; at most one per type per workspace. */
@Entity({ name: "triggers" })
@Index("triggers_type_key", ["workspaceId", "type"], { unique: true })
export class Trigger {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("text")
  type: TriggerType;

  @Column("uuid")
  flowId: string;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

/** A flow start asked of the flow engine, written in the transaction that caused it. */
@Entity({ name: "flow_starts" })
@Index("flow_starts_cursor_idx", ["workspaceId", "txId", "seq"])
export class FlowStart {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @Column("bigint", { default: () => "(pg_current_xact_id()::text::bigint)" })
  txId: string;

  @Column("bigint", { default: () => "nextval('flow_starts_seq')" })
  seq: string;

  @Column("uuid")
  flowId: string;

  @Column("uuid")
  contactId: string;

  @Column("uuid", { nullable: true })
  ticketId: string | null;

  @Column("uuid", { nullable: true })
  triggerId: string | null;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
