import { Field, ObjectType } from "type-graphql";
import { MAX_USER_ERRORS, UserErrorType } from "./common.types";
import { MaxItems } from "../list-bounds";
import { ApiTokenType, ViewerType } from "./identity.types";

@ObjectType("AuthPayload")
export class AuthPayload {
  @Field(() => String, { nullable: true, description: "Send as Authorization: Bearer <token>." })
  token: string | null;

  @Field(() => ViewerType, { nullable: true })
  viewer: ViewerType | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}

@ObjectType("CreateApiTokenPayload")
export class CreateApiTokenPayload {
  @Field(() => String, { nullable: true, description: "Shown once: only its hash is stored." })
  token: string | null;

  @Field(() => ApiTokenType, { nullable: true })
  apiToken: ApiTokenType | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}
