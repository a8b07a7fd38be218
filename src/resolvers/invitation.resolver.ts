import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext, RequestContext } from "../context";
import { Role } from "../entities";
import { NotFoundError } from "../errors";
import { uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { INVITATION_INVALID_MESSAGE, MAX_PENDING_INVITATIONS } from "../services/team/invitation.service";
import { AcceptInvitationInput, InviteMemberInput, RevokeInvitationInput } from "../schema/inputs/invitation.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { AuthPayload } from "../schema/types/identity.payloads";
import { UserObject } from "../schema/types/identity.types";
import { InvitationPayload, InvitationPreviewObject, InvitationObject } from "../schema/types/invitation.types";
import { TeamObject } from "../schema/types/team.types";
import { authPayload } from "./identity.resolver";
import { deletedPayload, payloadOf } from "./payloads";

@Resolver(() => InvitationObject)
export class InvitationResolver {
  @Requires(Role.ADMINISTRATOR)
  @MaxItems(MAX_PENDING_INVITATIONS)
  @Query(() => [InvitationObject], { description: "Pending invitations (not accepted, revoked or expired), newest first." })
  async invitations(@Ctx() ctx: AuthedContext): Promise<InvitationObject[]> {
    return (await ctx.services.invitations.list(ctx)).map(InvitationObject.from);
  }

  @FieldResolver(() => TeamObject, { nullable: true, description: "Agents only: the team they join." })
  async team(@Root() invitation: InvitationObject, @Ctx() ctx: AuthedContext): Promise<TeamObject | null> {
    const team = invitation.teamId ? await ctx.loaders.team.load(invitation.teamId) : null;
    return team && TeamObject.from(team);
  }

  @FieldResolver(() => UserObject)
  async invitedBy(@Root() invitation: InvitationObject, @Ctx() ctx: AuthedContext): Promise<UserObject> {
    const user = await ctx.loaders.user.load(invitation.invitedById);
    if (!user) throw new Error("an invitation's inviter no longer exists");
    return UserObject.from(user);
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => InvitationPayload, {
    description:
      "Emails a single-use link, valid 30 days, to join this workspace with a role (and a team, for agents). " +
      "userErrors: ALREADY_MEMBER, ALREADY_INVITED, TEAM_NOT_FOR_ROLE, NOT_FOUND (teamId). " +
      "When the email cannot be sent, no invitation is made (INTERNAL_SERVER_ERROR saying so).",
  })
  async inviteMember(
    @Arg("input", () => InviteMemberInput) input: InviteMemberInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<InvitationPayload> {
    const result = await ctx.services.invitations.invite(ctx, {
      email: input.email,
      role: input.role,
      teamId: input.teamId ? uuidOf(input.teamId, "Team", "teamId") : null,
    });
    return payloadOf("invitation", result, (value) => InvitationObject.from(value));
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => DeletePayload, { description: "Revokes a pending invitation: its link stops working." })
  async revokeInvitation(
    @Arg("input", () => RevokeInvitationInput) input: RevokeInvitationInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<DeletePayload> {
    const result = await ctx.services.invitations.revoke(ctx, uuidOf(input.id, "Invitation", "id"));
    return deletedPayload("Invitation", result);
  }

  // No @Requires: invitees usually have no token yet, and the link's token is the credential.
  @Query(() => InvitationPreviewObject, {
    nullable: true,
    description:
      "Reads an invitation by the token of its link, before accepting it; no login needed. " +
      "An unknown, used, revoked or expired token: null with a NOT_FOUND error, whichever it is.",
  })
  async invitation(@Arg("token", () => String) token: string, @Ctx() ctx: RequestContext): Promise<InvitationPreviewObject> {
    const preview = await ctx.services.invitations.preview(ctx, token);
    if (!preview) throw new NotFoundError(INVITATION_INVALID_MESSAGE);
    return InvitationPreviewObject.from(preview);
  }

  // No @Requires: invitees usually have no token yet. When one is sent, it must be the invited email's.
  @Mutation(() => AuthPayload, {
    description:
      "Joins the workspace of an invitation link and logs in there, as the invited email: logged in as it, " +
      "or with its password, or as a new user with name and password. " +
      "userErrors: INVITATION_INVALID (expired, used, revoked or unknown), EMAIL_MISMATCH, INVALID_CREDENTIALS.",
  })
  async acceptInvitation(
    @Arg("input", () => AcceptInvitationInput) input: AcceptInvitationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    return authPayload(await ctx.services.invitations.accept(ctx, input));
  }
}
