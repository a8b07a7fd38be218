import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Role } from "../entities";
import { UpdateWorkspaceInput } from "../schema/inputs/identity.inputs";
import { payloadOf } from "./payloads";
import { Requires } from "../auth/requires";
import type { AuthedContext, RequestContext } from "../context";
import { UserObject, ViewerObject, WorkspaceObject, WorkspacePayload } from "../schema/types/identity.types";
import { MaxItems } from "../schema/list-bounds";
import { MAX_WORKSPACES_PER_USER } from "../services/identity/identity.service";
import { TeamObject } from "../schema/types/team.types";

@Resolver(() => ViewerObject)
export class ViewerResolver {
  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => WorkspacePayload, { description: "Renames the workspace or changes its time zone (the days of its statistics)." })
  async updateWorkspace(
    @Arg("input", () => UpdateWorkspaceInput) input: UpdateWorkspaceInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<WorkspacePayload> {
    const result = await ctx.services.workspaces.update(ctx, {
      name: input.name?.trim() || undefined,
      timezone: input.timezone?.trim() || undefined,
    });
    return payloadOf("workspace", result, (workspace) => WorkspaceObject.from(workspace));
  }

  @Requires()
  @Query(() => ViewerObject, { description: "Who is asking: the user and the workspace of the token." })
  viewer(@Ctx() ctx: AuthedContext): ViewerObject {
    const { userId, workspaceId, role, teamId } = ctx.actor;
    return Object.assign(new ViewerObject(), { userId, workspaceId, role, teamId });
  }

  @FieldResolver(() => UserObject)
  async user(@Root() viewer: ViewerObject, @Ctx() ctx: RequestContext): Promise<UserObject> {
    const user = await ctx.loaders.user.load(viewer.userId);
    if (!user) throw new Error("the viewer's user no longer exists");
    return UserObject.from(user);
  }

  @FieldResolver(() => WorkspaceObject)
  async workspace(@Root() viewer: ViewerObject, @Ctx() ctx: RequestContext): Promise<WorkspaceObject> {
    return WorkspaceObject.from(await ctx.services.workspaces.workspace(ctx, viewer.workspaceId));
  }

  @FieldResolver(() => TeamObject, { nullable: true, description: "Agents only: the team that limits you to its topics." })
  async team(@Root() viewer: ViewerObject, @Ctx() ctx: RequestContext): Promise<TeamObject | null> {
    const team = viewer.teamId ? await ctx.services.teams.findIn(ctx, viewer.workspaceId, viewer.teamId) : undefined;
    return team ? TeamObject.from(team) : null;
  }

  @MaxItems(MAX_WORKSPACES_PER_USER)
  @FieldResolver(() => [WorkspaceObject], { description: "Every workspace the user belongs to; logIn with workspaceId to switch." })
  async workspaces(@Root() viewer: ViewerObject, @Ctx() ctx: RequestContext): Promise<WorkspaceObject[]> {
    return (await ctx.services.workspaces.workspacesOfUser(ctx, viewer.userId)).map(WorkspaceObject.from);
  }
}
