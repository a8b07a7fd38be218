import { Field, ObjectType } from "type-graphql";
import type { Seen } from "../../auth/visibility";
import type { Topic } from "../../entities";
import { toGlobalId } from "../global-id";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { Node } from "./node";

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

@ObjectType("TopicPayload")
export class TopicPayload {
  @Field(() => TopicObject, { nullable: true })
  topic: TopicObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
