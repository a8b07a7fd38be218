import { Field, Int, ObjectType } from "type-graphql";
import { NotificationKind } from "../../entities";
import type { NotificationRow } from "../../services/notifications/notification.service";
import { toGlobalId } from "../global-id";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, PageInfo, UserErrorObject } from "./common.types";
import { Node } from "./node";

@ObjectType("Notification", {
  implements: Node,
  description: "Something that concerns you about a ticket: one unseen per kind and ticket, updated when it happens again.",
})
export class NotificationObject extends Node {
  row: NotificationRow;

  @Field(() => NotificationKind)
  kind: NotificationKind;

  @Field({ description: "When it first happened." })
  createdAt: Date;

  @Field({ description: "When it last happened (a notification still unseen is updated, not repeated)." })
  updatedAt: Date;

  @Field()
  seen: boolean;

  @Field({ description: 'Its position "txId.seq": resume the notifications subscription after it.' })
  cursor: string;

  static from(row: NotificationRow): NotificationObject {
    return Object.assign(new NotificationObject(), {
      id: toGlobalId("Notification", row.id),
      row,
      kind: row.kind,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      seen: row.seenAt !== null,
      cursor: row.cursor,
    });
  }
}

@ObjectType("NotificationEdge")
export class NotificationEdge {
  @Field(() => NotificationObject)
  node: NotificationObject;

  @Field()
  cursor: string;
}

@ObjectType("NotificationConnection")
export class NotificationConnection {
  @Field(() => [NotificationEdge])
  edges: NotificationEdge[];

  @Field(() => [NotificationObject])
  nodes: NotificationObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

@ObjectType("MarkNotificationsSeenPayload")
export class MarkNotificationsSeenPayload {
  @Field(() => Int, { description: "Your unseen notifications after the change." })
  unseenNotificationCount: number;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
