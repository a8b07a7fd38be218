import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { MemberType, UserType } from "../schema/types/identity.types";

@Resolver(() => MemberType)
export class MemberResolver {
  @Requires()
  @Query(() => [MemberType], { description: "The members of the workspace, oldest first." })
  async members(@Ctx() ctx: AuthedContext): Promise<MemberType[]> {
    return (await ctx.services.workspaces.members(ctx)).map(MemberType.from);
  }

  @FieldResolver(() => UserType)
  async user(@Root() member: MemberType, @Ctx() ctx: AuthedContext): Promise<UserType> {
    const user = await ctx.loaders.user.load(member.userId);
    if (!user) throw new Error("a member's user no longer exists");
    return UserType.from(user);
  }
}
