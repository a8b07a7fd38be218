import { FieldResolver, Resolver, Root } from "type-graphql";
import { UserErrorObject } from "../schema/types/common.types";

/**
 * A userError's place in the input in both forms a top-level BAD_USER_INPUT error also carries
 * (extensions.fieldPath and extensions.field), so one function reads either.
 */
@Resolver(() => UserErrorObject)
export class UserErrorResolver {
  @FieldResolver(() => [String], { nullable: true, description: 'The same list as field, e.g. ["values", "0", "key"].' })
  fieldPath(@Root() error: UserErrorObject): string[] | null {
    return error.field ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The same path dotted, e.g. "values.0.key".' })
  fieldName(@Root() error: UserErrorObject): string | null {
    return error.field ? error.field.join(".") : null;
  }
}
