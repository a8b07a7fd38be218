import { Field, ObjectType } from "type-graphql";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { MaxItems } from "../list-bounds";
import { ApiTokenObject, ViewerObject } from "./identity.types";

@ObjectType("AuthPayload")
export class AuthPayload {
  @Field(() => String, { nullable: true, description: "Send as Authorization: Bearer <token>." })
  token: string | null;

  @Field(() => ViewerObject, { nullable: true })
  viewer: ViewerObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("CreateApiTokenPayload")
export class CreateApiTokenPayload {
  @Field(() => String, { nullable: true, description: "Shown once: only its hash is stored." })
  token: string | null;

  @Field(() => ApiTokenObject, { nullable: true })
  apiToken: ApiTokenObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
