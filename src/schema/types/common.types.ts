import { Field, ID, ObjectType } from "type-graphql";
import { UserErrorCode } from "../enums";
import { MaxItems } from "../list-bounds";
import type { UserError as DomainUserError } from "../../services/user-error";

/**
 * The userErrors of a payload: a service refuses with one UserError (fail() in
 * src/services/user-error.ts). setContactFields alone reports one per value (MAX_FIELD_VALUES).
 */
export const MAX_USER_ERRORS = 1;

@ObjectType("UserError", { description: "An expected failure, with a stable code." })
export class UserErrorObject implements DomainUserError {
  @Field(() => [String], { nullable: true, description: 'Path into the input, e.g. ["name"].' })
  field?: string[];

  @Field({ description: "Human readable." })
  message: string;

  @Field(() => UserErrorCode)
  code: UserErrorCode;
}

@ObjectType("PageInfo")
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType("DeletePayload")
export class DeletePayload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
