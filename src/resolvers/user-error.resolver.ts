import { FieldResolver, Resolver, Root } from "type-graphql";
import { UserErrorType } from "../schema/types/common.types";

/**
 * A userError's place in the input in both forms a top-level BAD_USER_INPUT error also carries
 * (extensions.fieldPath and extensions.field), so one function reads either.
 */
@Resolver(() => UserErrorType)
export class UserErrorResolver {
  @FieldResolver(() => [String], { nullable: true, description: 'The same list as field, e.g. ["values", "0", "key"].' })
  fieldPath(@Root() error: UserErrorType): string[] | null {
    return error.field ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The same path dotted, e.g. "values.0.key".' })
  fieldName(@Root() error: UserErrorType): string | null {
    return error.field ? error.field.join(".") : null;
  }
}
