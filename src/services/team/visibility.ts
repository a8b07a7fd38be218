import type { DataSource, EntityManager } from "typeorm";

/**
 * The topics a member sees, as SQL on their membership `m` joined to their team `tm` (LEFT JOIN
 * teams tm ON tm.id = m.team_id): the team's topics for an agent with a team that has not all
 * topics, else NULL (every topic). The one statement of this rule in SQL.
 */
export const MEMBER_TOPICS_SQL = `CASE WHEN m.role = 'AGENT' AND tm.id IS NOT NULL AND NOT tm.all_topics
  THEN array(SELECT tt.topic_id FROM team_topics tt WHERE tt.team_id = tm.id) END`;

/**
 * What a member (say, an assignee) may see: whether they are a member at all, and their topics as
 * their own requests would have them (null = every topic), for the visibility policy
 * (auth/visibility.ts) to answer about them.
 */
export async function memberTopicScope(
  db: DataSource | EntityManager,
  workspaceId: string,
  userId: string,
): Promise<{ member: boolean; topicIds: string[] | null }> {
  const [row] = await db.query<Array<{ topic_ids: string[] | null }>>(
    `SELECT ${MEMBER_TOPICS_SQL} AS topic_ids
       FROM memberships m LEFT JOIN teams tm ON tm.id = m.team_id
      WHERE m.workspace_id = $1 AND m.user_id = $2`,
    [workspaceId, userId],
  );
  return row ? { member: true, topicIds: row.topic_ids } : { member: false, topicIds: [] };
}
