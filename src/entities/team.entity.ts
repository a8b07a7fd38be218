import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { TX_POSITION_DEFAULT } from "./column-defaults";
import { Contact } from "./contact.entity";
import { Flow } from "./flow.entity";
import { Role } from "./role";
import { Ticket } from "./ticket.entity";
import { Topic } from "./topic.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

/** A team of agents: it limits them to its topics, or to none when allTopics. */
@Entity({ name: "teams" })
@Index("teams_name_key", { synchronize: false })
export class Team {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "teams_workspace_id_fkey" })
  workspace?: Workspace;

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

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "team_topics_workspace_id_fkey" })
  workspace?: Workspace;

  @PrimaryColumn("uuid")
  teamId: string;

  @ManyToOne(() => Team, { onDelete: "CASCADE" })
  @JoinColumn({ name: "team_id", foreignKeyConstraintName: "team_topics_team_id_fkey" })
  team?: Team;

  @PrimaryColumn("uuid")
  topicId: string;

  @ManyToOne(() => Topic)
  @JoinColumn({ name: "topic_id", foreignKeyConstraintName: "team_topics_topic_id_fkey" })
  topic?: Topic;
}

/** An invitation to join a workspace, by email, with a single-use token stored as a hash. */
@Entity({ name: "invitations" })
@Check("invitations_email_check", "email = lower(email)")
@Check("invitations_role_check", "role = ANY (ARRAY['ADMINISTRATOR'::text, 'EDITOR'::text, 'AGENT'::text])")
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

export enum TriggerType {
  TICKET_CLOSED = "TICKET_CLOSED",
}

/** Starts a flow when something happens to a ticket; at most one per type per workspace. */
@Entity({ name: "triggers" })
@Check("triggers_type_check", "type = 'TICKET_CLOSED'::text")
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

/** A flow start asked of the flow engine, written in the transaction that caused it. */
@Entity({ name: "flow_starts" })
@Index("flow_starts_cursor_idx", ["workspaceId", "txId", "seq"])
export class FlowStart {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "flow_starts_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("bigint", { default: TX_POSITION_DEFAULT })
  txId: string;

  @Column("bigint", { default: () => "nextval('flow_starts_seq')" })
  seq: string;

  @Column("uuid")
  flowId: string;

  @ManyToOne(() => Flow)
  @JoinColumn({ name: "flow_id", foreignKeyConstraintName: "flow_starts_flow_id_fkey" })
  flow?: Flow;

  @Column("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "flow_starts_contact_id_fkey" })
  contact?: Contact;

  @Column("uuid", { nullable: true })
  ticketId: string | null;

  @ManyToOne(() => Ticket, { onDelete: "SET NULL" })
  @JoinColumn({ name: "ticket_id", foreignKeyConstraintName: "flow_starts_ticket_id_fkey" })
  ticket?: Ticket;

  @Column("uuid", { nullable: true })
  triggerId: string | null;

  @ManyToOne(() => Trigger, { onDelete: "SET NULL" })
  @JoinColumn({ name: "trigger_id", foreignKeyConstraintName: "flow_starts_trigger_id_fkey" })
  trigger?: Trigger;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
