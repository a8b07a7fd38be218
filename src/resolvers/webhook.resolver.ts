import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import { see } from "../auth/visibility";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { BadInputError } from "../errors";
import { pageInfo, pageSize } from "../schema/connection";
import { uuidOf } from "../schema/global-id";
import { CreateWebhookInput, DeleteWebhookInput, ReplayWebhookInput, UpdateWebhookInput } from "../schema/inputs/webhook.inputs";
import { MaxItems } from "../schema/list-bounds";
import { DeletePayload } from "../schema/types/common.types";
import { TopicObject } from "../schema/types/topic.types";
import { WebhookDeliveryConnection, WebhookDeliveryObject, WebhookObject, WebhookPayload } from "../schema/types/webhook.types";
import { decodeCursor, encodeCursor } from "../services/cursors";
import type { Result } from "../services/user-error";
import type { WebhookRow } from "../services/webhooks/dispatcher";
import { MAX_WEBHOOKS, type WithSecret } from "../services/webhooks/webhook.service";
import { MAX_WEBHOOK_TOPICS } from "../schema/inputs/webhook.inputs";
import { deletedPayload } from "./payloads";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function payload(result: Result<WebhookRow | WithSecret>): WebhookPayload {
  if (!result.ok) return { webhook: null, secret: null, userErrors: result.errors };
  const value = result.value;
  return "secret" in value
    ? { webhook: WebhookObject.from(value.webhook), secret: value.secret, userErrors: [] }
    : { webhook: WebhookObject.from(value), secret: null, userErrors: [] };
}

const topicIdsOf = (ids: string[] | null | undefined) => ids?.map((id, i) => uuidOf(id, "Topic", `topicIds.${i}`));

@Resolver(() => WebhookObject)
export class WebhookResolver {
  @Requires(Role.ADMINISTRATOR)
  @MaxItems(MAX_WEBHOOKS)
  @Query(() => [WebhookObject], { description: "The workspace's webhook endpoints, oldest first (at most 20)." })
  async webhooks(@Ctx() ctx: AuthedContext): Promise<WebhookObject[]> {
    return (await ctx.services.webhooks.list(ctx)).map(WebhookObject.from);
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => WebhookPayload, {
    description:
      "Registers an endpoint, sent the events committed from now on. The answer holds its signing secret, shown this once. " +
      "At most 20 per workspace (LIMIT_REACHED); the url must be http(s) and resolve to public addresses (BAD_USER_INPUT otherwise).",
  })
  async createWebhook(
    @Arg("input", () => CreateWebhookInput) input: CreateWebhookInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<WebhookPayload> {
    return payload(
      await ctx.services.webhooks.create(ctx, { url: input.url, events: input.events, topicIds: topicIdsOf(input.topicIds) ?? [] }),
    );
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => WebhookPayload, { description: "Changes an endpoint; omitted fields are unchanged." })
  async updateWebhook(
    @Arg("input", () => UpdateWebhookInput) input: UpdateWebhookInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<WebhookPayload> {
    return payload(
      await ctx.services.webhooks.update(ctx, uuidOf(input.id, "Webhook", "id"), {
        url: input.url ?? undefined,
        events: input.events ?? undefined,
        topicIds: topicIdsOf(input.topicIds),
        enabled: input.enabled ?? undefined,
      }),
    );
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => DeletePayload, { description: "Deletes an endpoint and its delivery log; a delivery in flight is its last." })
  async deleteWebhook(
    @Arg("input", () => DeleteWebhookInput) input: DeleteWebhookInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<DeletePayload> {
    return deletedPayload("Webhook", await ctx.services.webhooks.delete(ctx, uuidOf(input.id, "Webhook", "id")));
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => WebhookPayload, {
    description: "A new signing secret, shown this once; the old one keeps signing alongside it for 24 hours, so receivers can switch.",
  })
  async rotateWebhookSecret(@Arg("id", () => ID) id: string, @Ctx() ctx: AuthedContext): Promise<WebhookPayload> {
    return payload(await ctx.services.webhooks.rotateSecret(ctx, uuidOf(id, "Webhook", "id")));
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => WebhookPayload, {
    description: "Enables the endpoint and resends everything after a cursor (or, without one, from where it stopped), in order.",
  })
  async replayWebhook(
    @Arg("input", () => ReplayWebhookInput) input: ReplayWebhookInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<WebhookPayload> {
    return payload(await ctx.services.webhooks.replay(ctx, uuidOf(input.id, "Webhook", "id"), input.after ?? undefined));
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => WebhookPayload, {
    description: "Sends a ping (type PING) now and waits for its answer (10 s at most); it shows in the endpoint's deliveries.",
  })
  async testWebhook(@Arg("id", () => ID) id: string, @Ctx() ctx: AuthedContext): Promise<WebhookPayload> {
    return payload(await ctx.services.webhooks.test(ctx, uuidOf(id, "Webhook", "id")));
  }

  @MaxItems(MAX_WEBHOOK_TOPICS)
  @FieldResolver(() => [TopicObject], { description: "Only these topics' events (flow starts: their ticket's topic); empty: every topic." })
  async topics(@Root() webhook: WebhookObject, @Ctx() ctx: AuthedContext): Promise<TopicObject[]> {
    const topics = await ctx.loaders.topic.loadMany(webhook.row.topicIds);
    return topics.flatMap((topic) => {
      const seen = topic instanceof Error ? null : see.topic(ctx.actor, topic);
      return seen && !seen.deletedAt ? [TopicObject.from(seen)] : [];
    });
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: "The delivery log, newest first: every attempt of the last 7 days." })
  async deliveries(
    @Root() webhook: WebhookObject,
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const size = pageSize(first, "first", 20);
    let afterId: string | undefined;
    if (after) {
      [afterId] = decodeCursor(after, "after", 1);
      if (!UUID.test(afterId)) throw new BadInputError("after", "after is not a cursor this list gave out.");
    }
    const rows = await ctx.services.webhooks.deliveries(ctx, webhook.row.id, size + 1, afterId);
    const edges = rows.slice(0, size).map((row) => ({ node: WebhookDeliveryObject.from(row), cursor: encodeCursor([row.id]) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({
        hasNextPage: rows.length > size,
        hasPreviousPage: after !== undefined && after !== null,
        cursors: edges.map((e) => e.cursor),
      }),
    };
  }
}
