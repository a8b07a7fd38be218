import { Field, ObjectType } from "type-graphql";
import { UserErrorType } from "./common.types";
import { ApiTokenType, ViewerType } from "./identity.types";

@ObjectType("AuthPayload")
export class AuthPayload {
  @Field(() => String, { nullable: true, description: "Send as Authorization: Bearer <token>." })
  token: string | null;

  @Field(() => ViewerType, { nullable: true })
  viewer: ViewerType | null;

  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}

@ObjectType("CreateApiTokenPayload")
export class CreateApiTokenPayload {
  @Field(() => String, { nullable: true, description: "Shown once: only its hash is stored." })
  token: string | null;

  @Field(() => ApiTokenType, { nullable: true })
  apiToken: ApiTokenType | null;

  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}
