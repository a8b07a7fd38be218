import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { CreateTopicInput, DeleteTopicInput, UpdateTopicInput } from "../schema/inputs/ticket.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { TopicObject, TopicPayload } from "../schema/types/topic.types";
import { TicketStatus } from "../entities";
import type { Result } from "../services/user-error";
import { MAX_TOPICS } from "../services/tickets/topic.service";
import { canSeeTopic, see } from "../auth/visibility";
import type { Topic } from "../entities";
import { deletedPayload } from "./payloads";

/** Topics are written by administrators and editors, who see every topic. */
function topicPayload(ctx: AuthedContext, result: Result<Topic>): TopicPayload {
  const topic = result.ok ? see.topic(ctx.actor, result.value) : null;
  return { topic: topic && TopicObject.from(topic), userErrors: result.ok ? [] : result.errors };
}

@Resolver(() => TopicObject)
export class TopicResolver {
  @Requires()
  @MaxItems(MAX_TOPICS + 1)
  @Query(() => [TopicObject], { description: "The topics you may see, General first." })
  async topics(@Ctx() ctx: AuthedContext): Promise<TopicObject[]> {
    return see.topics(ctx.actor, await ctx.services.topics.list(ctx)).map(TopicObject.from);
  }

  @FieldResolver(() => Int, { description: "Open tickets you can see in this topic." })
  async openCount(@Root() topic: TopicObject, @Ctx() ctx: AuthedContext): Promise<number> {
    // Topics are made only from topics the viewer sees; checked again, as it costs nothing.
    if (!canSeeTopic(ctx.actor, topic.uuid)) return 0;
    const groups = await ctx.loaders.counts();
    return groups.filter((g) => g.topicId === topic.uuid && g.status === TicketStatus.OPEN).reduce((sum, g) => sum + g.count, 0);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => TopicPayload, { description: `Names are 1 to 64 characters, unique ignoring case; at most 50 topics besides General.` })
  async createTopic(@Arg("input", () => CreateTopicInput) input: CreateTopicInput, @Ctx() ctx: AuthedContext): Promise<TopicPayload> {
    return topicPayload(ctx, await ctx.services.topics.create(ctx, input.name.trim()));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => TopicPayload, { description: "Renames a topic; General cannot be renamed." })
  async updateTopic(@Arg("input", () => UpdateTopicInput) input: UpdateTopicInput, @Ctx() ctx: AuthedContext): Promise<TopicPayload> {
    return topicPayload(ctx, await ctx.services.topics.rename(ctx, uuidOf(input.id, "Topic", "id"), input.name.trim()));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => DeletePayload, { description: "Deletes a topic no ticket was ever filed under; General cannot be deleted." })
  async deleteTopic(@Arg("input", () => DeleteTopicInput) input: DeleteTopicInput, @Ctx() ctx: AuthedContext): Promise<DeletePayload> {
    const result = await ctx.services.topics.delete(ctx, uuidOf(input.id, "Topic", "id"));
    return deletedPayload("Topic", result);
  }
}
