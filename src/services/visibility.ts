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
