import type { DataSource, EntityManager } from "typeorm";
import type { AuthedContext } from "../context";

/**
 * Which topics' tickets the actor may see: null means every topic. The one place that answers
 * it, so lists, counts, node lookups, bulk changes and events all agree. For an agent with a
 * team it is the team's topics, read with the token at authentication (no extra statement).
 */
export async function visibleTopicIds(ctx: AuthedContext): Promise<string[] | null> {
  return ctx.actor.topicIds;
}

export function canSeeTopic(visible: string[] | null, topicId: string): boolean {
  return visible === null || visible.includes(topicId);
}

/**
 * What a member (say, an assignee) may see: whether they are a member at all, and their topics
 * as `visibleTopicIds` would give them (null = every topic).
 */
export async function memberTopicScope(
  db: DataSource | EntityManager,
  workspaceId: string,
  userId: string,
): Promise<{ member: boolean; topicIds: string[] | null }> {
  const [row] = await db.query<Array<{ topic_ids: string[] | null }>>(
    `SELECT CASE WHEN m.role = 'AGENT' AND tm.id IS NOT NULL AND NOT tm.all_topics
                 THEN array(SELECT tt.topic_id FROM team_topics tt WHERE tt.team_id = tm.id) END AS topic_ids
       FROM memberships m LEFT JOIN teams tm ON tm.id = m.team_id
      WHERE m.workspace_id = $1 AND m.user_id = $2`,
    [workspaceId, userId],
  );
  return row ? { member: true, topicIds: row.topic_ids } : { member: false, topicIds: [] };
}
