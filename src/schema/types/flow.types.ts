import { Field, ObjectType } from "type-graphql";
import type { Flow } from "../../entities";
import { toGlobalId } from "../global-id";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { Node } from "./node";

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

@ObjectType("FlowPayload")
export class FlowPayload {
  @Field(() => FlowObject, { nullable: true })
  flow: FlowObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
