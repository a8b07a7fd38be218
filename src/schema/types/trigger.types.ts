import { Field, ObjectType } from "type-graphql";
import type { Trigger } from "../../entities";
import type { FlowStartRow } from "../../services/integrations/flow-start.service";
import { TriggerType } from "../enums";
import { toGlobalId } from "../global-id";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { MaxItems } from "../list-bounds";
import { Node } from "./node";

@ObjectType("Trigger", { implements: Node, description: "Starts a flow when something happens to a ticket; one per type per workspace." })
export class TriggerObject extends Node {
  row: Trigger;

  @Field(() => TriggerType)
  type: TriggerType;

  @Field()
  createdAt: Date;

  static from(t: Trigger): TriggerObject {
    return Object.assign(new TriggerObject(), { id: toGlobalId("Trigger", t.id), row: t, type: t.type, createdAt: t.createdAt });
  }
}

@ObjectType("TriggerPayload")
export class TriggerPayload {
  @Field(() => TriggerObject, { nullable: true })
  trigger: TriggerObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("FlowStart", {
  implements: Node,
  description: "A flow start asked of the flow engine when a trigger fires, written with the change that fired it.",
})
export class FlowStartObject extends Node {
  row: FlowStartRow;

  @Field({ description: 'Resume point "txId.seq": poll flowStarts(after:) with the last one you handled.' })
  cursor: string;

  @Field()
  createdAt: Date;

  static from(s: FlowStartRow): FlowStartObject {
    return Object.assign(new FlowStartObject(), { id: toGlobalId("FlowStart", s.id), row: s, cursor: s.cursor, createdAt: s.createdAt });
  }
}
