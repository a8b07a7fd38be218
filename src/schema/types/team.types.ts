import { Field, ObjectType } from "type-graphql";
import type { Team } from "../../entities";
import { toGlobalId } from "../global-id";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { MaxItems } from "../list-bounds";
import { MemberObject } from "./identity.types";
import { Node } from "./node";

@ObjectType("Team", { implements: Node, description: "A team of agents, limited to its topics unless allTopics." })
export class TeamObject extends Node {
  uuid: string;

  @Field()
  name: string;

  @Field()
  allTopics: boolean;

  static from(t: Team): TeamObject {
    return Object.assign(new TeamObject(), { id: toGlobalId("Team", t.id), uuid: t.id, name: t.name, allTopics: t.allTopics });
  }
}

@ObjectType("TeamPayload")
export class TeamPayload {
  @Field(() => TeamObject, { nullable: true })
  team: TeamObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("MemberPayload")
export class MemberPayload {
  @Field(() => MemberObject, { nullable: true })
  member: MemberObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
