import { Field, ID, ObjectType } from "type-graphql";
import { UserErrorCode } from "../enums";
import type { UserError as DomainUserError } from "../../services/user-error";

@ObjectType("UserError", { description: "An expected failure, with a stable code." })
export class UserErrorType implements DomainUserError {
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

  @Field(() => [UserErrorType])
  userErrors: UserErrorType[];
}
