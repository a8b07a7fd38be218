import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import { see } from "../auth/visibility";
import type { AuthedContext } from "../context";
import { Role, type Team } from "../entities";
import { BadInputError } from "../errors";
import { uuidOf } from "../schema/global-id";
import { CreateTeamInput, DeleteTeamInput, MAX_TEAM_TOPICS, UpdateTeamInput } from "../schema/inputs/team.inputs";
import { MaxItems } from "../schema/list-bounds";
import { MAX_TEAMS } from "../services/team/team.service";
import { DeletePayload } from "../schema/types/common.types";
import { TeamPayload, TeamObject } from "../schema/types/team.types";
import { TopicObject } from "../schema/types/topic.types";
import type { Result } from "../services/user-error";
import { forbidBoth, requireExactlyOne } from "../schema/validators";
import { deletedPayload, payloadOf } from "./payloads";

function teamPayload(result: Result<Team>): TeamPayload {
  return payloadOf("team", result, (value) => TeamObject.from(value));
}

const topicIds = (ids: string[]) => ids.map((id, i) => uuidOf(id, "Topic", `topicIds.${i}`));

@Resolver(() => TeamObject)
export class TeamResolver {
  @Requires()
  @MaxItems(MAX_TEAMS)
  @Query(() => [TeamObject], { description: "The teams of the workspace, by name." })
  async teams(@Ctx() ctx: AuthedContext): Promise<TeamObject[]> {
    return (await ctx.services.teams.list(ctx)).map(TeamObject.from);
  }

  @MaxItems(MAX_TEAM_TOPICS)
  @FieldResolver(() => [TopicObject], { description: "The team's topics; empty when allTopics." })
  async topics(@Root() team: TeamObject, @Ctx() ctx: AuthedContext): Promise<TopicObject[]> {
    return see.topics(ctx.actor, await ctx.loaders.topicsOfTeam.load(team.uuid)).map(TopicObject.from);
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => TeamPayload, { description: "A team has exactly one of allTopics: true and 1 to 10 topics." })
  async createTeam(@Arg("input", () => CreateTeamInput) input: CreateTeamInput, @Ctx() ctx: AuthedContext): Promise<TeamPayload> {
    requireExactlyOne({ "allTopics: true": input.allTopics, topicIds: input.topicIds }, "topicIds");
    return teamPayload(
      await ctx.services.teams.create(ctx, {
        name: input.name.trim(),
        allTopics: input.allTopics === true,
        topicIds: input.topicIds ? topicIds(input.topicIds) : undefined,
      }),
    );
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => TeamPayload, {
    description: "Renames a team or replaces its topics (topicIds) with all topics (allTopics: true), or back.",
  })
  async updateTeam(@Arg("input", () => UpdateTeamInput) input: UpdateTeamInput, @Ctx() ctx: AuthedContext): Promise<TeamPayload> {
    forbidBoth({ "allTopics: true": input.allTopics, topicIds: input.topicIds }, "topicIds");
    if (input.allTopics === false && input.topicIds == null) throw new BadInputError("topicIds", "allTopics: false needs topicIds.");
    return teamPayload(
      await ctx.services.teams.update(ctx, uuidOf(input.id, "Team", "id"), {
        name: input.name?.trim() ?? undefined,
        allTopics: input.allTopics === true ? true : undefined,
        topicIds: input.topicIds ? topicIds(input.topicIds) : undefined,
      }),
    );
  }

  @Requires(Role.ADMINISTRATOR)
  @Mutation(() => DeletePayload, { description: "Deletes a team with no member and no pending invitation." })
  async deleteTeam(@Arg("input", () => DeleteTeamInput) input: DeleteTeamInput, @Ctx() ctx: AuthedContext): Promise<DeletePayload> {
    const result = await ctx.services.teams.delete(ctx, uuidOf(input.id, "Team", "id"));
    return deletedPayload("Team", result);
  }
}
