import type { AuthCheckerFn } from "type-graphql";
import type { RequestContext } from "../context";
import { ALL_ROLES, type Role } from "../entities/role";
import { ForbiddenError, UnauthenticatedError } from "../errors";

/**
 * The one place where `@Requires` declarations are enforced: no actor is UNAUTHENTICATED, an
 * actor whose role is not listed is FORBIDDEN.
 */
export const authChecker: AuthCheckerFn<RequestContext, Role> = ({ context }, roles) => {
  if (!context.actor) throw new UnauthenticatedError();
  // Open to every role: the actor's role is not read (a subscription's result then holds for any role).
  if (roles.length === 0 || ALL_ROLES.every((role) => roles.includes(role))) return true;
  if (!roles.includes(context.actor.role)) {
    throw new ForbiddenError(`This requires the role ${roles.join(" or ")}; you are ${context.actor.role}.`);
  }
  return true;
};
