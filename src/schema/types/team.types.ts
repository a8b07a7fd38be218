import { Field, ObjectType } from "type-graphql";
import type { Team } from "../../entities";
import { toGlobalId } from "../global-id";
import { MAX_USER_ERRORS, UserErrorType } from "./common.types";
import { MaxItems } from "../list-bounds";
import { MemberType } from "./identity.types";
import { Node } from "./node";

@ObjectType("Team", { implements: Node, description: "A team of agents, limited to its topics unless allTopics." })
export class TeamType extends Node {
  uuid: string;

  @Field()
  name: string;

  @Field()
  allTopics: boolean;

  static from(t: Team): TeamType {
    return Object.assign(new TeamType(), { id: toGlobalId("Team", t.id), uuid: t.id, name: t.name, allTopics: t.allTopics });
  }
}

@ObjectType("TeamPayload")
export class TeamPayload {
  @Field(() => TeamType, { nullable: true })
  team: TeamType | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}

@ObjectType("MemberPayload")
export class MemberPayload {
  @Field(() => MemberType, { nullable: true })
  member: MemberType | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}
