import { IsEmail, IsOptional, MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { Role } from "../enums";
import { IsGlobalId } from "../global-id";
import { TrimmedLength } from "../validators";

@InputType("InviteMemberInput")
export class InviteMemberInput {
  @Field({ description: "Where the invitation link is sent; stored lower-cased." })
  @MaxLength(254)
  @IsEmail({}, { message: "email must be an email address" })
  email: string;

  @Field(() => Role)
  role: Role;

  @Field(() => ID, { nullable: true, description: "Agents only: the team that limits them to its topics." })
  @IsOptional()
  @IsGlobalId("Team")
  teamId?: string | null;
}

@InputType("RevokeInvitationInput")
export class RevokeInvitationInput {
  @Field(() => ID)
  @IsGlobalId("Invitation")
  id: string;
}

@InputType("AcceptInvitationInput", {
  description: "A new user gives name and password; an existing user gives their password, or none when logged in as the invited email.",
})
export class AcceptInvitationInput {
  @Field({ description: "The token of the invitation link." })
  @MaxLength(200)
  token: string;

  @Field(() => String, { nullable: true, description: "New users only: 1 to 100 characters." })
  @IsOptional()
  @TrimmedLength(1, 100)
  name?: string | null;

  @Field(() => String, { nullable: true, description: "New users: at least 8 characters. Existing users: their password." })
  @IsOptional()
  @MaxLength(200)
  password?: string | null;
}
