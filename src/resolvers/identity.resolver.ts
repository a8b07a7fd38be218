import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext, RequestContext } from "../context";
import { uuidOf } from "../schema/global-id";
import { LogInInput, SignUpInput } from "../schema/inputs/identity.inputs";
import { AuthPayload } from "../schema/types/identity.payloads";
import { ViewerObject } from "../schema/types/identity.types";
import type { Result } from "../services/user-error";
import type { Session } from "../services/identity/identity.service";

/** A session as AuthPayload: logIn, signUp and acceptInvitation answer alike. */
export function authPayload(result: Result<Session>): AuthPayload {
  if (!result.ok) return { token: null, viewer: null, userErrors: result.errors };
  const { token, userId, workspaceId, role, teamId } = result.value;
  return { token, viewer: Object.assign(new ViewerObject(), { userId, workspaceId, role, teamId }), userErrors: [] };
}

@Resolver()
export class IdentityResolver {
  @Mutation(() => AuthPayload, { description: "Creates a user, a workspace and its administrator, and logs in." })
  async signUp(@Arg("input", () => SignUpInput) input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return authPayload(await ctx.services.identity.signUp(ctx, input));
  }

  @Mutation(() => AuthPayload, {
    description: "Returns a session token bound to one workspace: the given one, else the only one, else the one used last.",
  })
  async logIn(@Arg("input", () => LogInInput) input: LogInInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    const workspaceId = input.workspaceId ? uuidOf(input.workspaceId, "Workspace", "workspaceId") : null;
    return authPayload(await ctx.services.identity.logIn(ctx, { ...input, workspaceId }));
  }

  @Requires()
  @Mutation(() => Boolean, { description: "Revokes the token this request was sent with." })
  logOut(@Ctx() ctx: AuthedContext): Promise<boolean> {
    return ctx.services.identity.logOut(ctx);
  }
}
