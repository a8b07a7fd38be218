import type { AuthCheckerFn } from "type-graphql";
import type { RequestContext } from "../context";
import type { Role } from "../entities/role";
import { ForbiddenError, UnauthenticatedError } from "../errors";

/**
 * The one place where `@Requires` declarations are enforced: no actor is UNAUTHENTICATED, an
 * actor whose role is not listed is FORBIDDEN.
 */
export const authChecker: AuthCheckerFn<RequestContext, Role> = ({ context }, roles) => {
  if (!context.actor) throw new UnauthenticatedError();
  if (roles.length > 0 && !roles.includes(context.actor.role)) {
    throw new ForbiddenError(`This requires the role ${roles.join(" or ")}; you are ${context.actor.role}.`);
  }
  return true;
};
