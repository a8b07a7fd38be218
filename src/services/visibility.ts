import type { AuthedContext } from "../context";

/**
 * Which topics' tickets the actor may see: null means every topic. The one place that answers
 * it, so lists, counts, node lookups, bulk changes and events all agree.
 */
export async function visibleTopicIds(_ctx: AuthedContext): Promise<string[] | null> {
  return null;
}

export function canSeeTopic(visible: string[] | null, topicId: string): boolean {
  return visible === null || visible.includes(topicId);
}
