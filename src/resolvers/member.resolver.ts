import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { BadInputError } from "../errors";
import { MAX_PAGE, pageSize } from "../schema/connection";
import { uuidOf } from "../schema/global-id";
import { RemoveMemberInput, UpdateMemberInput } from "../schema/inputs/team.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { MemberObject, UserObject } from "../schema/types/identity.types";
import { MemberPayload, TeamObject } from "../schema/types/team.types";
import { deletedPayload, payloadOf } from "./payloads";

/** Oldest first, ties by id: a stable order to page through. */
@Resolver(() => MemberObject)
export class MemberResolver {
  @Requires()
  @Query(() => [MemberObject], {
    description:
      "The members of the workspace, oldest first, first (1 to 100, default 100) at a time: " +
      "the next page is after the id of the last member of a page.",
  })
  async members(
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: MAX_PAGE }) first?: number | null,
    @Arg("after", () => ID, { nullable: true }) after?: string | null,
  ): Promise<MemberObject[]> {
    const size = pageSize(first, "first", MAX_PAGE);
    const afterId = after ? uuidOf(after, "Member", "after") : undefined;
    const members = await ctx.services.workspaces.members(ctx, { first: size, afterId });
    if (!members) throw new BadInputError("after", "after is not a member of this workspace (any more): start again without it.");
    return members.map(MemberObject.from);
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => MemberPayload, {
    description:
      "Changes a member's role, team or agent permissions (canAssign, canReplyToOthers). Only agents have teams; " +
      "the last administrator cannot be demoted. " +
      "An administrator who loses the role loses the pending invitations they sent.",
  })
  async updateMember(@Arg("input", () => UpdateMemberInput) input: UpdateMemberInput, @Ctx() ctx: AuthedContext): Promise<MemberPayload> {
    const result = await ctx.services.members.update(ctx, uuidOf(input.id, "Member", "id"), {
      role: input.role ?? undefined,
      teamId: input.teamId === undefined ? undefined : input.teamId === null ? null : uuidOf(input.teamId, "Team", "teamId"),
      canAssign: input.canAssign ?? undefined,
      canReplyToOthers: input.canReplyToOthers ?? undefined,
    });
    return payloadOf("member", result, (value) => MemberObject.from(value));
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => DeletePayload, {
    description:
      "Removes a member: revokes their tokens here and the pending invitations they sent, unassigns their open tickets and ends " +
      "their subscriptions.",
  })
  async removeMember(@Arg("input", () => RemoveMemberInput) input: RemoveMemberInput, @Ctx() ctx: AuthedContext): Promise<DeletePayload> {
    const result = await ctx.services.members.remove(ctx, uuidOf(input.id, "Member", "id"));
    return deletedPayload("Member", result);
  }

  @FieldResolver(() => UserObject)
  async user(@Root() member: MemberObject, @Ctx() ctx: AuthedContext): Promise<UserObject> {
    const user = await ctx.loaders.user.load(member.userId);
    if (!user) throw new Error("a member's user no longer exists");
    return UserObject.from(user);
  }

  @FieldResolver(() => TeamObject, { nullable: true, description: "Agents only; null = all topics." })
  async team(@Root() member: MemberObject, @Ctx() ctx: AuthedContext): Promise<TeamObject | null> {
    const team = member.teamId ? await ctx.loaders.team.load(member.teamId) : null;
    return team && TeamObject.from(team);
  }
}
