import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { toGlobalId, uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { CreateTopicInput, DeleteTopicInput, UpdateTopicInput } from "../schema/inputs/ticket.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { TopicPayload, TopicType } from "../schema/types/ticket.types";
import { TicketStatus } from "../entities";
import type { Result } from "../services/user-error";
import { MAX_TOPICS } from "../services/topic.service";
import { canSeeTopic, visibleTopicIds } from "../services/visibility";
import type { Topic } from "../entities";

function topicPayload(result: Result<Topic>): TopicPayload {
  return result.ok ? { topic: TopicType.from(result.value), userErrors: [] } : { topic: null, userErrors: result.errors };
}

@Resolver(() => TopicType)
export class TopicResolver {
  @Requires()
  @MaxItems(MAX_TOPICS + 1)
  @Query(() => [TopicType], { description: "The topics you may see, General first." })
  async topics(@Ctx() ctx: AuthedContext): Promise<TopicType[]> {
    return (await ctx.services.topics.list(ctx)).map(TopicType.from);
  }

  @FieldResolver(() => Int, { description: "Open tickets you can see in this topic." })
  async openCount(@Root() topic: TopicType, @Ctx() ctx: AuthedContext): Promise<number> {
    // A topic outside a team agent's team can be reached (a team's topics, an event's previous
    // topic), but none of its tickets can be seen.
    if (!canSeeTopic(await visibleTopicIds(ctx), topic.uuid)) return 0;
    const groups = await ctx.loaders.counts();
    return groups.filter((g) => g.topicId === topic.uuid && g.status === TicketStatus.OPEN).reduce((sum, g) => sum + g.count, 0);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => TopicPayload, { description: `Names are 1 to 64 characters, unique ignoring case; at most 50 topics besides General.` })
  async createTopic(@Arg("input", () => CreateTopicInput) input: CreateTopicInput, @Ctx() ctx: AuthedContext): Promise<TopicPayload> {
    return topicPayload(await ctx.services.topics.create(ctx, input.name.trim()));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => TopicPayload, { description: "Renames a topic; General cannot be renamed." })
  async updateTopic(@Arg("input", () => UpdateTopicInput) input: UpdateTopicInput, @Ctx() ctx: AuthedContext): Promise<TopicPayload> {
    return topicPayload(await ctx.services.topics.rename(ctx, uuidOf(input.id, "Topic", "id"), input.name.trim()));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => DeletePayload, { description: "Deletes a topic no ticket was ever filed under; General cannot be deleted." })
  async deleteTopic(@Arg("input", () => DeleteTopicInput) input: DeleteTopicInput, @Ctx() ctx: AuthedContext): Promise<DeletePayload> {
    const result = await ctx.services.topics.delete(ctx, uuidOf(input.id, "Topic", "id"));
    return result.ok ? { deletedId: toGlobalId("Topic", result.value), userErrors: [] } : { deletedId: null, userErrors: result.errors };
  }
}
