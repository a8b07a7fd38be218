import { ArrayMaxSize, ArrayMinSize, IsEnum, IsOptional, IsString, MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { WebhookEventType } from "../../entities";
import { MAX_URL_LENGTH } from "../../services/webhooks/address-guard";
import { IsGlobalId } from "../global-id";

/** The topics an endpoint may be limited to. */
export const MAX_WEBHOOK_TOPICS = 50;
const EVENT_TYPES = Object.keys(WebhookEventType).length;

@InputType("CreateWebhookInput", {
  description: "url: http(s), a public address; events: 1 or more types; topicIds: only their events (empty or omitted: every topic).",
})
export class CreateWebhookInput {
  @Field()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url: string;

  @Field(() => [WebhookEventType])
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES)
  @IsEnum(WebhookEventType, { each: true })
  events: WebhookEventType[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_WEBHOOK_TOPICS)
  @IsGlobalId("Topic", { each: true })
  topicIds?: string[] | null;
}

@InputType("UpdateWebhookInput", {
  description: "Omitted fields are unchanged. enabled: false pauses it; enabled: true resumes it from where it stopped.",
})
export class UpdateWebhookInput {
  @Field(() => ID)
  @IsGlobalId("Webhook")
  id: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url?: string | null;

  @Field(() => [WebhookEventType], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES)
  @IsEnum(WebhookEventType, { each: true })
  events?: WebhookEventType[] | null;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_WEBHOOK_TOPICS)
  @IsGlobalId("Topic", { each: true })
  topicIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}

@InputType("DeleteWebhookInput")
export class DeleteWebhookInput {
  @Field(() => ID)
  @IsGlobalId("Webhook")
  id: string;
}

@InputType("ReplayWebhookInput", {
  description:
    "Enables the endpoint and resends everything after `after`: a cursor it was sent (or a ticketEvents cursor, or a list's eventCursor). " +
    "Without it, resumes from where it stopped.",
})
export class ReplayWebhookInput {
  @Field(() => ID)
  @IsGlobalId("Webhook")
  id: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  after?: string | null;
}
