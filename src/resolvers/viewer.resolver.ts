import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext, RequestContext } from "../context";
import { UserType, ViewerType, WorkspaceType } from "../schema/types/identity.types";
import { MaxItems } from "../schema/list-bounds";
import { MAX_WORKSPACES_PER_USER } from "../services/identity.service";
import { TeamType } from "../schema/types/team.types";

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Requires()
  @Query(() => ViewerType, { description: "Who is asking: the user and the workspace of the token." })
  viewer(@Ctx() ctx: AuthedContext): ViewerType {
    const { userId, workspaceId, role, teamId } = ctx.actor;
    return Object.assign(new ViewerType(), { userId, workspaceId, role, teamId });
  }

  @FieldResolver(() => UserType)
  async user(@Root() viewer: ViewerType, @Ctx() ctx: RequestContext): Promise<UserType> {
    const user = await ctx.loaders.user.load(viewer.userId);
    if (!user) throw new Error("the viewer's user no longer exists");
    return UserType.from(user);
  }

  @FieldResolver(() => WorkspaceType)
  async workspace(@Root() viewer: ViewerType, @Ctx() ctx: RequestContext): Promise<WorkspaceType> {
    return WorkspaceType.from(await ctx.services.workspaces.workspace(ctx, viewer.workspaceId));
  }

  @FieldResolver(() => TeamType, { nullable: true, description: "Agents only: the team that limits you to its topics." })
  async team(@Root() viewer: ViewerType, @Ctx() ctx: RequestContext): Promise<TeamType | null> {
    const team = viewer.teamId ? await ctx.services.teams.findIn(ctx, viewer.workspaceId, viewer.teamId) : undefined;
    return team ? TeamType.from(team) : null;
  }

  @MaxItems(MAX_WORKSPACES_PER_USER)
  @FieldResolver(() => [WorkspaceType], { description: "Every workspace the user belongs to; logIn with workspaceId to switch." })
  async workspaces(@Root() viewer: ViewerType, @Ctx() ctx: RequestContext): Promise<WorkspaceType[]> {
    return (await ctx.services.workspaces.workspacesOfUser(ctx, viewer.userId)).map(WorkspaceType.from);
  }
}
