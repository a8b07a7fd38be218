import { Field, Int, ObjectType } from "type-graphql";
import type { Seen } from "../../auth/visibility";
import { TicketEventType } from "../enums";
import { toGlobalId } from "../global-id";
import { PageInfo } from "./common.types";
import { Node } from "./node";
import { type EventRow } from "../../db/rows";

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
