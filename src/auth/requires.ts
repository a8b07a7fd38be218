import { Authorized, Directive } from "type-graphql";
import { ALL_ROLES, type Role } from "../entities/role";

/** Every field or operation declared with `@Requires`, for the schema's "Requires:" lines. */
export const AUTH_DIRECTIVE = "auth";

/**
 * Declares who may use an operation or field, once: it is enforced by the auth checker and shown
 * in the emitted SDL as `@auth(requires: [...])` (and as a "Requires:" line in its description).
 * With no role listed, any member of the workspace may.
 */
export function Requires(...roles: Role[]): MethodDecorator & PropertyDecorator {
  const list = roles.length > 0 ? roles : [...ALL_ROLES];
  const authorized = Authorized<Role>(...list);
  const directive = Directive(`@${AUTH_DIRECTIVE}(requires: [${list.join(", ")}])`);
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    authorized(target, key, descriptor as TypedPropertyDescriptor<unknown>);
    directive(target, key, descriptor as TypedPropertyDescriptor<unknown>);
  };
}
