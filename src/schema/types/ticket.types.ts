import { Field, ID, Int, ObjectType } from "type-graphql";
import type { SeenTicket } from "../../auth/visibility";
import { TicketFolder, TicketStatus, UserErrorCode } from "../enums";
import { toGlobalId } from "../global-id";
import { MAX_TOPICS } from "../../services/tickets/topic.service";
import { MAX_BULK_TICKETS } from "../inputs/ticket.inputs";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, PageInfo, UserErrorObject } from "./common.types";
import { Node } from "./node";
import { type TicketRelated } from "../../db/rows";
import { TopicObject } from "./topic.types";

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
