import { Field, ObjectType } from "type-graphql";
import type { Seen } from "../../auth/visibility";
import { MAX_ATTACHMENTS, type Message } from "../../entities";
import { MessageDirection, MessageStatus } from "../enums";
import { toGlobalId } from "../global-id";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, PageInfo, UserErrorObject } from "./common.types";
import { Node } from "./node";

@ObjectType("Attachment", { description: "A file the channel holds, or a location: Handover keeps the reference, not the file." })
export class AttachmentObject {
  @Field({ description: "type/subtype, such as image/jpeg; geo for a location." })
  contentType: string;

  @Field({ description: "The channel's URL of the file; for geo, lat,lng." })
  url: string;
}

@ObjectType("Message", { implements: Node })
export class MessageObject extends Node {
  row: Seen<Message>;

  @Field(() => MessageDirection)
  direction: MessageDirection;

  @Field({ description: "The contact URN it came from or goes to." })
  urn: string;

  @Field()
  text: string;

  @Field(() => MessageStatus)
  status: MessageStatus;

  @Field(() => String, { nullable: true, description: "The channel's id, unique per workspace." })
  externalId: string | null;

  @MaxItems(MAX_ATTACHMENTS)
  @Field(() => [AttachmentObject], { description: "Photos, voice notes, documents or a location: the channel's references." })
  attachments: AttachmentObject[];

  @Field()
  createdAt: Date;

  /** Only from a message the visibility policy let the viewer see. */
  static from(m: Seen<Message>): MessageObject {
    return Object.assign(new MessageObject(), {
      id: toGlobalId("Message", m.id),
      row: m,
      direction: m.direction,
      urn: m.urn,
      text: m.text,
      status: m.status,
      externalId: m.externalId,
      attachments: m.attachments.map((a) => Object.assign(new AttachmentObject(), a)),
      createdAt: m.createdAt,
    });
  }
}

@ObjectType("MessageEdge")
export class MessageEdge {
  @Field(() => MessageObject)
  node: MessageObject;

  @Field()
  cursor: string;
}

@ObjectType("MessageConnection")
export class MessageConnection {
  @Field(() => [MessageEdge])
  edges: MessageEdge[];

  @Field(() => [MessageObject])
  nodes: MessageObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

@ObjectType("MessagePayload")
export class MessagePayload {
  @Field(() => MessageObject, { nullable: true })
  message: MessageObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
