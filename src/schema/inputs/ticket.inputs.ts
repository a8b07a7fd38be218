import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Matches, MaxLength, ValidateNested } from "class-validator";
import { JSONResolver } from "graphql-scalars";
import { Field, ID, InputType } from "type-graphql";
import { MessageStatus, TicketEventType, TicketFolder, TicketStatus } from "../enums";
import { IsGlobalId, uuidOf } from "../global-id";
import type { InboxFilter } from "../../services/tickets/inbox.service";
import { IsAttachmentUrl, IsContentType, MAX_ATTACHMENT_URL, TextOrAttachments, TrimmedLength } from "../validators";
import { MAX_ATTACHMENTS } from "../../entities";

const NO_QUOTES = /^[^"\\]*$/;

/** The ticket ids a bulk change takes: 1 to 100. Its payload's tickets and failures hold at most as many. */
export const MAX_BULK_TICKETS = 100;

@InputType("CreateTopicInput")
export class CreateTopicInput {
  @Field()
  @TrimmedLength(1, 64)
  @Matches(NO_QUOTES, { message: 'name must not contain " or \\' })
  name: string;
}

@InputType("UpdateTopicInput")
export class UpdateTopicInput {
  @Field(() => ID)
  @IsGlobalId("Topic")
  id: string;

  @Field()
  @TrimmedLength(1, 64)
  @Matches(NO_QUOTES, { message: 'name must not contain " or \\' })
  name: string;
}

@InputType("DeleteTopicInput")
export class DeleteTopicInput {
  @Field(() => ID)
  @IsGlobalId("Topic")
  id: string;
}

@InputType("CreateContactInput")
export class CreateContactInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  name?: string | null;

  @Field(() => [String])
  @ArrayMaxSize(10)
  @MaxLength(255, { each: true })
  urns: string[];

  @Field(() => String, { nullable: true, description: "ISO 639 code, e.g. eng or fr." })
  @IsOptional()
  @Matches(/^[a-z]{2,3}$/, { message: "language must be an ISO 639 code of 2 or 3 lower-case letters" })
  language?: string | null;
}

@InputType("UpdateContactInput", { description: "An omitted field is unchanged; an explicit null clears it." })
export class UpdateContactInput {
  @Field(() => ID)
  @IsGlobalId("Contact")
  id: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[a-z]{2,3}$/, { message: "language must be an ISO 639 code of 2 or 3 lower-case letters" })
  language?: string | null;
}

@InputType("RegisterFlowInput")
export class RegisterFlowInput {
  @Field()
  @TrimmedLength(1, 100)
  name: string;

  @Field({ description: "The flow engine's id of the flow." })
  @Length(1, 255)
  externalId: string;
}

@InputType("OpenTicketInput")
export class OpenTicketInput {
  @Field(() => ID, { nullable: true, description: "Exactly one of contactId and contactUrn." })
  @IsOptional()
  @IsGlobalId("Contact")
  contactId?: string | null;

  @Field(() => String, { nullable: true, description: "As a flow knows the contact; creates the contact when new." })
  @IsOptional()
  @MaxLength(255)
  contactUrn?: string | null;

  @Field(() => ID, { nullable: true, description: "Default: General." })
  @IsOptional()
  @IsGlobalId("Topic")
  topicId?: string | null;

  @Field(() => ID, { nullable: true, description: "A member's User id." })
  @IsOptional()
  @IsGlobalId("User")
  assigneeId?: string | null;

  @Field(() => String, { nullable: true, description: "As a flow would give it; an unknown email opens unassigned, with a warning." })
  @IsOptional()
  @MaxLength(254)
  assigneeEmail?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Template: @results.x, @results.x.category, @contact.name, @fields.key, @@ for a literal @. Rendered, trimmed, cut at 10,000 characters.",
  })
  @IsOptional()
  @MaxLength(100_000)
  note?: string | null;

  @Field(() => JSONResolver, { nullable: true, description: 'The flow\'s results, e.g. {"age": {"value": "32", "category": "adult"}}.' })
  @IsOptional()
  results?: unknown;

  @Field(() => ID, { nullable: true, description: "The flow that opened it (set = opened by a flow)." })
  @IsOptional()
  @IsGlobalId("Flow")
  flowId?: string | null;

  @Field(() => String, { nullable: true, description: "The flow engine's id, instead of flowId." })
  @IsOptional()
  @Length(1, 255)
  flowExternalId?: string | null;

  @Field(() => String, { nullable: true, description: "A retry with the same key returns the first result." })
  @IsOptional()
  @Length(1, 255)
  idempotencyKey?: string | null;
}

/** What every bulk change of tickets takes: the tickets, 1 to MAX_BULK_TICKETS of them. Not a type of the schema itself: no field takes it. */
@InputType()
export abstract class BulkTicketsInput {
  @Field(() => [ID], { description: `1 to ${MAX_BULK_TICKETS} ticket ids.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_TICKETS)
  @IsGlobalId("Ticket", { each: true })
  ticketIds: string[];
}

@InputType("AssignTicketsInput")
export class AssignTicketsInput extends BulkTicketsInput {
  @Field(() => ID, { nullable: true, description: "A member's User id; an explicit null unassigns." })
  @IsOptional()
  @IsGlobalId("User")
  assigneeId?: string | null;
}

@InputType("ChangeTicketTopicInput")
export class ChangeTicketTopicInput extends BulkTicketsInput {
  @Field(() => ID)
  @IsGlobalId("Topic")
  topicId: string;
}

@InputType("CloseTicketsInput")
export class CloseTicketsInput extends BulkTicketsInput {}

@InputType("ReopenTicketsInput")
export class ReopenTicketsInput extends BulkTicketsInput {}

@InputType("AddTicketNoteInput")
export class AddTicketNoteInput extends BulkTicketsInput {
  @Field({ description: "An internal note, never sent to the contact; at most 10,000 characters." })
  @MaxLength(10_000)
  note: string;
}

@InputType("AttachmentInput", { description: "A file the channel holds (its MIME type and URL), or a location (geo and lat,lng)." })
export class AttachmentInput {
  @Field({ description: "type/subtype, such as image/jpeg or audio/ogg; or geo." })
  @IsContentType()
  contentType: string;

  @Field({ description: `The channel's http(s) URL of the file, at most ${MAX_ATTACHMENT_URL} characters; for geo, lat,lng.` })
  @IsAttachmentUrl()
  url: string;
}

@InputType("SendMessageInput")
export class SendMessageInput {
  @Field(() => ID)
  @IsGlobalId("Ticket")
  ticketId: string;

  @Field({ description: "1 to 10,000 characters; may be empty when the message has attachments." })
  @TextOrAttachments(10_000)
  text: string;

  @Field(() => [AttachmentInput], { nullable: true, description: `Files or a location to send, at most ${MAX_ATTACHMENTS}.` })
  @IsOptional()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @ValidateNested({ each: true })
  attachments?: AttachmentInput[] | null;
}

@InputType("ReceiveMessageInput", { description: "From a channel; a repeated externalId returns the first message." })
export class ReceiveMessageInput {
  @Field()
  @MaxLength(255)
  urn: string;

  @Field({ description: "At most 10,000 characters; may be empty when the message has attachments." })
  @TextOrAttachments(10_000)
  text: string;

  @Field(() => [AttachmentInput], {
    nullable: true,
    description: `The photos, voice notes, documents or location received, at most ${MAX_ATTACHMENTS}.`,
  })
  @IsOptional()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @ValidateNested({ each: true })
  attachments?: AttachmentInput[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  externalId?: string | null;
}

@InputType("UpdateMessageStatusInput", { description: "The channel reports delivery." })
export class UpdateMessageStatusInput {
  @Field(() => ID)
  @IsGlobalId("Message")
  id: string;

  @Field(() => MessageStatus)
  status: MessageStatus;
}

@InputType("TicketFilter")
export class TicketFilter {
  @Field(() => TicketFolder, { nullable: true, defaultValue: TicketFolder.ALL })
  folder?: TicketFolder | null;

  @Field(() => TicketStatus, { nullable: true, defaultValue: TicketStatus.OPEN, description: "Explicit null: both, open ones first." })
  status?: TicketStatus | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsGlobalId("Topic")
  topicId?: string | null;

  @Field(() => String, { nullable: true, description: "At least 3 characters: contact name, URN or message text." })
  @IsOptional()
  @TrimmedLength(3, 100, { message: "search must be 3 to 100 characters" })
  search?: string | null;

  /** The inbox's query for this filter, or for none: a new criterion is added here and in the inbox service only. */
  static query(filter: TicketFilter | null | undefined): InboxFilter {
    return {
      folder: filter?.folder ?? TicketFolder.ALL,
      // An explicit null asks for both; absent, the open ones.
      status: filter?.status === undefined ? TicketStatus.OPEN : filter.status,
      topicId: filter?.topicId ? uuidOf(filter.topicId, "Topic", "topicId") : undefined,
      search: filter?.search?.trim() || undefined,
    };
  }
}

@InputType("TicketEventFilter")
export class TicketEventFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsGlobalId("Ticket")
  ticketId?: string | null;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  @IsGlobalId("Topic", { each: true })
  topicIds?: string[] | null;

  @Field(() => [TicketEventType], { nullable: true })
  @IsOptional()
  types?: TicketEventType[] | null;
}

@InputType("MarkNotificationsSeenInput", { description: "Exactly one of ids (your notifications, 1 to 100) and all: true." })
export class MarkNotificationsSeenInput {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsGlobalId("Notification", { each: true })
  ids?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  all?: boolean | null;
}
