import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Topic } from "./topic.entity";
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
