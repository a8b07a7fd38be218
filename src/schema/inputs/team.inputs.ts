import { ArrayMaxSize, ArrayMinSize, IsOptional } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { Role } from "../enums";
import { IsGlobalId } from "../global-id";
import { TrimmedLength } from "../validators";

/** The topics of a team that is not allTopics: 1 to 10. */
export const MAX_TEAM_TOPICS = 10;

/** A team's topics, as creating and changing it takes them: 1 to 10 topics, or all of them. Not a type of the schema itself. */
@InputType()
export abstract class TeamTopicsInput {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TEAM_TOPICS)
  @IsGlobalId("Topic", { each: true })
  topicIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  allTopics?: boolean | null;
}

@InputType("CreateTeamInput", { description: "Exactly one of allTopics: true and 1 to 10 topicIds." })
export class CreateTeamInput extends TeamTopicsInput {
  @Field()
  @TrimmedLength(1, 64)
  name: string;
}

@InputType("UpdateTeamInput", { description: "Omitted fields are unchanged; topicIds and allTopics: true replace each other." })
export class UpdateTeamInput extends TeamTopicsInput {
  @Field(() => ID)
  @IsGlobalId("Team")
  id: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TrimmedLength(1, 64)
  name?: string | null;
}

@InputType("DeleteTeamInput")
export class DeleteTeamInput {
  @Field(() => ID)
  @IsGlobalId("Team")
  id: string;
}

@InputType("UpdateMemberInput", { description: "Omitted fields are unchanged; teamId: null takes an agent out of their team." })
export class UpdateMemberInput {
  @Field(() => ID, { description: "The Member id." })
  @IsGlobalId("Member")
  id: string;

  @Field(() => Role, { nullable: true })
  role?: Role | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsGlobalId("Team")
  teamId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "While an agent: may assign tickets to others and unassign others'. Taking an unassigned ticket and releasing one's own are always allowed.",
  })
  canAssign?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "While an agent: may reply in tickets assigned to someone else. Unassigned tickets and one's own are always allowed.",
  })
  canReplyToOthers?: boolean | null;
}

@InputType("RemoveMemberInput")
export class RemoveMemberInput {
  @Field(() => ID, { description: "The Member id." })
  @IsGlobalId("Member")
  id: string;
}
