import { IsEmail, IsNotEmpty, IsOptional, Length, MaxLength, MinLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { IsGlobalId } from "../global-id";
import { IsTimeZone, TrimmedLength } from "../validators";

const EMAIL_MAX = 254;

@InputType("SignUpInput")
export class SignUpInput {
  @Field()
  @MaxLength(EMAIL_MAX)
  @IsEmail({}, { message: "email must be an email address" })
  email: string;

  @Field({ description: "At least 8 characters." })
  @Length(8, 200)
  password: string;

  @Field()
  @Length(1, 100)
  @IsNotEmpty()
  name: string;

  @Field()
  @Length(1, 64)
  workspaceName: string;
}

@InputType("UpdateWorkspaceInput", { description: "What is absent stays as it is." })
export class UpdateWorkspaceInput {
  @Field(() => String, { nullable: true, description: "1 to 64 characters, not blank." })
  @IsOptional()
  @TrimmedLength(1, 64)
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An IANA time zone name, such as "Africa/Kigali" or "UTC".' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string | null;
}

@InputType("LogInInput")
export class LogInInput {
  @Field()
  @MaxLength(EMAIL_MAX)
  email: string;

  @Field()
  @MaxLength(200)
  password: string;

  @Field(() => ID, { nullable: true, description: "Needed only when the user belongs to several workspaces; default: the one used last." })
  @IsOptional()
  @IsGlobalId("Workspace")
  workspaceId?: string | null;
}

@InputType("CreateApiTokenInput")
export class CreateApiTokenInput {
  @Field()
  @MinLength(1)
  @MaxLength(100)
  name: string;
}

@InputType("RevokeApiTokenInput")
export class RevokeApiTokenInput {
  @Field(() => ID)
  @IsGlobalId("ApiToken")
  id: string;
}
