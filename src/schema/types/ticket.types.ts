import { Field, ID, Int, ObjectType } from "type-graphql";
import type { Seen, SeenTicket } from "../../auth/visibility";
import type { Flow, Message, Topic } from "../../entities";
import { MessageDirection, MessageStatus, TicketEventType, TicketFolder, TicketStatus, UserErrorCode } from "../enums";
import { toGlobalId } from "../global-id";
import { MAX_TOPICS } from "../../services/topic.service";
import { MAX_FIELD_VALUES } from "../inputs/contact-field.inputs";
import { MAX_BULK_TICKETS } from "../inputs/ticket.inputs";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, PageInfo, UserErrorObject } from "./common.types";
import { Node } from "./node";
import { type ContactWithUrns, type EventRow, type TicketRelated } from "../../db/rows";

@ObjectType("Topic", { implements: Node })
export class TopicObject extends Node {
  uuid: string;

  @Field()
  name: string;

  @Field({ description: 'The default "General" topic.' })
  isSystem: boolean;

  @Field()
  createdAt: Date;

  /** Only from a topic the visibility policy let the viewer see. */
  static from(t: Seen<Topic>): TopicObject {
    return Object.assign(new TopicObject(), {
      id: toGlobalId("Topic", t.id),
      uuid: t.id,
      name: t.name,
      isSystem: t.isSystem,
      createdAt: t.createdAt,
    });
  }
}

@ObjectType("Contact", { implements: Node })
export class ContactObject extends Node {
  uuid: string;

  @Field(() => String, { nullable: true })
  name: string | null;

  @Field(() => [String], { description: 'e.g. "tel:+250788123123", "whatsapp:250788123123"' })
  urns: string[];

  @Field(() => String, { nullable: true })
  language: string | null;

  @Field()
  createdAt: Date;

  static from(c: ContactWithUrns): ContactObject {
    return Object.assign(new ContactObject(), {
      id: toGlobalId("Contact", c.id),
      uuid: c.id,
      name: c.name,
      urns: c.urns,
      language: c.language,
      createdAt: c.createdAt,
    });
  }
}

@ObjectType("Flow", { implements: Node })
export class FlowObject extends Node {
  uuid: string;

  @Field()
  name: string;

  @Field()
  externalId: string;

  static from(f: Flow): FlowObject {
    return Object.assign(new FlowObject(), { id: toGlobalId("Flow", f.id), uuid: f.id, name: f.name, externalId: f.externalId });
  }
}

@ObjectType("Ticket", { implements: Node })
export class TicketObject extends Node {
  /** As the viewer sees it: as it is, or as it was when it last was in their topics (row.asOfVersion). */
  row: SeenTicket;
  /** Rows read along with the ticket (an inbox page): its field resolvers use them as they are. */
  related: TicketRelated;

  @Field(() => TicketStatus)
  status: TicketStatus;

  @Field()
  openedAt: Date;

  @Field(() => Date, { nullable: true, description: "The first member reply." })
  repliedAt: Date | null;

  @Field(() => Date, { nullable: true })
  closedAt: Date | null;

  @Field()
  lastActivityAt: Date;

  @Field(() => Int, { description: "Increases by one on every change; events carry it." })
  version: number;

  /** Only from a ticket the visibility policy let the viewer see. */
  static from(t: SeenTicket): TicketObject {
    return TicketObject.withRelated(t, {});
  }

  static withRelated(t: SeenTicket, related: TicketRelated): TicketObject {
    return Object.assign(new TicketObject(), {
      id: toGlobalId("Ticket", t.id),
      row: t,
      related,
      status: t.status,
      openedAt: t.openedAt,
      repliedAt: t.repliedAt,
      closedAt: t.closedAt,
      lastActivityAt: t.lastActivityAt,
      version: t.version,
    });
  }
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
      createdAt: m.createdAt,
    });
  }
}

@ObjectType("TicketEvent", { implements: Node })
export class TicketEventObject extends Node {
  row: Seen<EventRow>;

  @Field({ description: "Resume point: monotonic within the workspace, in commit order." })
  cursor: string;

  @Field(() => TicketEventType)
  type: TicketEventType;

  @Field(() => Int)
  ticketVersion: number;

  @Field(() => String, { nullable: true, description: "NOTE_ADDED, and OPENED when opened with a note." })
  note: string | null;

  @Field()
  createdAt: Date;

  /** Only from an event the visibility policy let the viewer see. */
  static from(e: Seen<EventRow>): TicketEventObject {
    return Object.assign(new TicketEventObject(), {
      id: toGlobalId("TicketEvent", e.id),
      row: e,
      cursor: e.cursor,
      type: e.type,
      ticketVersion: e.ticketVersion,
      note: e.note,
      createdAt: e.createdAt,
    });
  }
}

@ObjectType("TicketEdge")
export class TicketEdge {
  @Field(() => TicketObject)
  node: TicketObject;

  @Field()
  cursor: string;
}

@ObjectType("TicketConnection")
export class TicketConnection {
  @Field(() => [TicketEdge])
  edges: TicketEdge[];

  @Field(() => [TicketObject])
  nodes: TicketObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { nullable: true, description: "Exact and O(1) for folder lists; null when it cannot be (search)." })
  totalCount: number | null;

  @Field(() => String, { nullable: true, description: "The event cursor as of this list: subscribe with after: eventCursor." })
  eventCursor: string | null;
}

@ObjectType("ContactEdge")
export class ContactEdge {
  @Field(() => ContactObject)
  node: ContactObject;

  @Field()
  cursor: string;
}

@ObjectType("ContactConnection")
export class ContactConnection {
  @Field(() => [ContactEdge])
  edges: ContactEdge[];

  @Field(() => [ContactObject])
  nodes: ContactObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { nullable: true })
  totalCount: number | null;
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

@ObjectType("TicketEventEdge")
export class TicketEventEdge {
  @Field(() => TicketEventObject)
  node: TicketEventObject;

  @Field()
  cursor: string;
}

@ObjectType("TicketEventConnection")
export class TicketEventConnection {
  @Field(() => [TicketEventEdge])
  edges: TicketEventEdge[];

  @Field(() => [TicketEventObject])
  nodes: TicketEventObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

@ObjectType("FolderCount", {
  description: "A folder's counts as the viewer sees them; its id names the folder, so a client cache keeps one entry per folder.",
})
export class FolderCount {
  @Field(() => ID)
  id: string;

  @Field(() => TicketFolder)
  folder: TicketFolder;

  @Field(() => Int)
  open: number;

  @Field(() => Int)
  closed: number;
}

@ObjectType("TicketCounts")
export class TicketCounts {
  @MaxItems(Object.keys(TicketFolder).length)
  @Field(() => [FolderCount])
  folders: FolderCount[];

  @MaxItems(MAX_TOPICS + 1)
  @Field(() => [TopicObject], { description: "The topics you may see, each with its openCount." })
  topics: TopicObject[];
}

@ObjectType("TopicPayload")
export class TopicPayload {
  @Field(() => TopicObject, { nullable: true })
  topic: TopicObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("ContactPayload")
export class ContactPayload {
  @Field(() => ContactObject, { nullable: true })
  contact: ContactObject | null;

  @MaxItems(MAX_FIELD_VALUES)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("FlowPayload")
export class FlowPayload {
  @Field(() => FlowObject, { nullable: true })
  flow: FlowObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("OpenTicketPayload")
export class OpenTicketPayload {
  @Field(() => TicketObject, { nullable: true })
  ticket: TicketObject | null;

  @Field(() => TicketObject, { nullable: true, description: "With ALREADY_OPEN: the contact's open ticket." })
  existingTicket: TicketObject | null;

  @Field(() => [String])
  warnings: string[];

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("TicketFailure", { description: "Why one ticket of a bulk change was left as it was." })
export class TicketFailureObject {
  @Field(() => ID)
  ticketId: string;

  @Field(() => UserErrorCode)
  code: UserErrorCode;

  @Field()
  message: string;

  @Field(() => TicketObject, { nullable: true })
  conflictingTicket: TicketObject | null;

  conflictingTicketUuid?: string;
  /** The ticket the failure is about (its id as sent, decoded). */
  ticketUuid: string;
}

@ObjectType("BulkTicketPayload")
export class BulkTicketPayload {
  @MaxItems(MAX_BULK_TICKETS)
  @Field(() => [TicketObject], { description: "The tickets changed, in input order." })
  tickets: TicketObject[];

  @MaxItems(MAX_BULK_TICKETS)
  @Field(() => [TicketFailureObject])
  failures: TicketFailureObject[];

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("MessagePayload")
export class MessagePayload {
  @Field(() => MessageObject, { nullable: true })
  message: MessageObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
