import { Field, Int, ObjectType } from "type-graphql";
import { WebhookEventType } from "../../entities";
import type { WebhookRow } from "../../services/webhooks/dispatcher";
import type { DeliveryRow } from "../../services/webhooks/webhook.service";
import { toGlobalId } from "../global-id";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, PageInfo, UserErrorObject } from "./common.types";
import { Node } from "./node";

@ObjectType("Webhook", {
  implements: Node,
  description:
    "An endpoint that receives the workspace's events by HTTPS POST, signed (Standard Webhooks), one at a time in commit order, " +
    "at least once: retried with backoff for 3 days, then disabled until replayed. See the integrators' guide.",
})
export class WebhookObject extends Node {
  row: WebhookRow;

  @Field()
  url: string;

  @MaxItems(Object.keys(WebhookEventType).length)
  @Field(() => [WebhookEventType])
  events: WebhookEventType[];

  @Field({ description: "False when paused by an administrator or disabled after failing for 3 days (see disabledReason)." })
  enabled: boolean;

  @Field(() => String, { nullable: true, description: "Why deliveries stopped, when they kept failing." })
  disabledReason: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The cursor of the last item the endpoint acknowledged with a 2xx; null before the first.",
  })
  lastDeliveredCursor: string | null;

  @Field()
  createdAt: Date;

  static from(row: WebhookRow): WebhookObject {
    return Object.assign(new WebhookObject(), {
      id: toGlobalId("Webhook", row.id),
      row,
      url: row.url,
      events: row.events,
      enabled: row.enabled,
      disabledReason: row.disabledReason,
      lastDeliveredCursor: row.lastDeliveredCursor,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType("WebhookDelivery", { implements: Node, description: "One attempt to deliver an item (or a ping) to an endpoint; kept 7 days." })
export class WebhookDeliveryObject extends Node {
  @Field({ description: "The webhook-id header: the same for every attempt at one item, so a receiver can deduplicate." })
  webhookMessageId: string;

  @Field({ description: "The item's cursor (a ping: the endpoint's position when it was sent)." })
  cursor: string;

  @Field(() => Int, { description: "1 for the first attempt at the item, then 2, 3..." })
  attempt: number;

  @Field(() => Int, {
    nullable: true,
    description: "The response's status; null when none came (refused address, timeout, connection error).",
  })
  statusCode: number | null;

  @Field(() => Int, { nullable: true })
  durationMs: number | null;

  @Field(() => String, { nullable: true, description: "The start of the response's body (2,048 characters at most)." })
  response: string | null;

  @Field(() => String, { nullable: true, description: "Why it failed: no 2xx, a timeout, a refused address..." })
  error: string | null;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: "After a failure: when the item is tried again; null once given up." })
  nextAttemptAt: Date | null;

  static from(row: DeliveryRow): WebhookDeliveryObject {
    return Object.assign(new WebhookDeliveryObject(), {
      id: toGlobalId("WebhookDelivery", row.id),
      webhookMessageId: row.messageId,
      cursor: row.cursor,
      attempt: row.attempt,
      statusCode: row.statusCode,
      durationMs: row.durationMs,
      response: row.response,
      error: row.error,
      createdAt: row.createdAt,
      nextAttemptAt: row.nextAttemptAt,
    });
  }
}

@ObjectType("WebhookDeliveryEdge")
export class WebhookDeliveryEdge {
  @Field(() => WebhookDeliveryObject)
  node: WebhookDeliveryObject;

  @Field()
  cursor: string;
}

@ObjectType("WebhookDeliveryConnection")
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges: WebhookDeliveryEdge[];

  @Field(() => [WebhookDeliveryObject])
  nodes: WebhookDeliveryObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

@ObjectType("WebhookPayload")
export class WebhookPayload {
  @Field(() => WebhookObject, { nullable: true })
  webhook: WebhookObject | null;

  @Field(() => String, {
    nullable: true,
    description: "The signing secret (whsec_...): only in the answer of createWebhook and rotateWebhookSecret, never again.",
  })
  secret: string | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
