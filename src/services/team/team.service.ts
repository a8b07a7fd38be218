import type { EntityManager } from "typeorm";
import type { AuthedContext, RequestContext } from "../../context";
import { uniqueViolation } from "../../db/transaction";
import { TEAM_COLUMNS } from "../../db/rows";
import { uuidv7 } from "../../db/uuid";
import type { Team } from "../../entities";
import type { SessionChanges } from "../identity/session-events";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

export interface TeamInput {
  name?: string;
  topicIds?: string[];
  allTopics?: boolean;
}

/** Teams a workspace may have. */
export const MAX_TEAMS = 100;

/**
 * Teams limit agents to topics: a team has exactly one of allTopics or 1 to 10 topics. Only
 * agents belong to teams.
 */
export class TeamService {
  constructor(private readonly sessions: SessionChanges) {}

  list(ctx: AuthedContext): Promise<Team[]> {
    return ctx.work.query(`SELECT ${TEAM_COLUMNS} FROM teams WHERE workspace_id = $1 ORDER BY lower(name), id`, [ctx.actor.workspaceId]);
  }

  find(ctx: AuthedContext, id: string): Promise<Team | undefined> {
    return this.findIn(ctx, ctx.actor.workspaceId, id);
  }

  /** A team of a given workspace: for a session's answer, whose workspace may not be the caller's. */
  async findIn(ctx: RequestContext, workspaceId: string, id: string): Promise<Team | undefined> {
    const [team] = await ctx.work.query<Team[]>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    return team;
  }

  async create(ctx: AuthedContext, input: Required<Pick<TeamInput, "name">> & TeamInput): Promise<Result<Team>> {
    const workspaceId = ctx.actor.workspaceId;
    const team: Team = { id: uuidv7(), workspaceId, name: input.name, allTopics: input.allTopics === true, createdAt: new Date() };
    try {
      return await refusable(ctx.work, async (em) => {
        // The workspace row keeps the limit exact under concurrent creates.
        await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
        const [{ n }] = await em.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM teams WHERE workspace_id = $1`, [workspaceId]);
        if (n >= MAX_TEAMS) return fail<Team>(UserErrorCode.LIMIT_REACHED, `A workspace has at most ${MAX_TEAMS} teams.`);
        const topics = team.allTopics ? ok<string[]>([]) : await this.liveTopics(em, workspaceId, input.topicIds ?? []);
        if (!topics.ok) return topics;
        await em.query(`INSERT INTO teams (id, workspace_id, name, all_topics) VALUES ($2, $1, $3, $4)`, [
          workspaceId,
          team.id,
          team.name,
          team.allTopics,
        ]);
        await this.setTopics(em, workspaceId, team.id, topics.value);
        return ok(team);
      });
    } catch (error) {
      if (uniqueViolation(error) === "teams_name_key")
        return fail(UserErrorCode.NAME_TAKEN, `A team named "${input.name}" already exists.`, ["name"]);
      throw error;
    }
  }

  /** Renames a team or changes its topics; its members' live connections see the new topics. */
  async update(ctx: AuthedContext, id: string, input: TeamInput): Promise<Result<Team>> {
    const workspaceId = ctx.actor.workspaceId;
    try {
      const result = await refusable(ctx.work, async (em) => {
        const [team] = await em.query<Team[]>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE workspace_id = $1 AND id = $2 FOR UPDATE`, [
          workspaceId,
          id,
        ]);
        if (!team) return fail<Team>(UserErrorCode.NOT_FOUND, "No such team.", ["id"]);
        if (input.name !== undefined) team.name = input.name;
        if (input.allTopics === true) {
          team.allTopics = true;
          await this.setTopics(em, workspaceId, id, []);
        } else if (input.topicIds !== undefined) {
          const topics = await this.liveTopics(em, workspaceId, input.topicIds);
          if (!topics.ok) return topics;
          team.allTopics = false;
          await this.setTopics(em, workspaceId, id, topics.value);
        }
        await em.query(`UPDATE teams SET name = $3, all_topics = $4 WHERE workspace_id = $1 AND id = $2`, [
          workspaceId,
          id,
          team.name,
          team.allTopics,
        ]);
        return ok(team);
      });
      if (result.ok && (input.allTopics !== undefined || input.topicIds !== undefined)) this.sessions.changed(workspaceId);
      return result;
    } catch (error) {
      if (uniqueViolation(error) === "teams_name_key")
        return fail(UserErrorCode.NAME_TAKEN, `A team named "${input.name}" already exists.`, ["name"]);
      throw error;
    }
  }

  /** Deletes a team with no member and no pending invitation (TEAM_IN_USE otherwise). */
  async delete(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const workspaceId = ctx.actor.workspaceId;
    return refusable(ctx.work, async (em) => {
      const [team] = await em.query(`SELECT id FROM teams WHERE workspace_id = $1 AND id = $2 FOR UPDATE`, [workspaceId, id]);
      if (!team) return fail<string>(UserErrorCode.NOT_FOUND, "No such team.", ["id"]);
      const [use] = await em.query<Array<{ members: number; invitations: number }>>(
        `SELECT (SELECT count(*)::int FROM memberships WHERE workspace_id = $1 AND team_id = $2) AS members,
                (SELECT count(*)::int FROM invitations WHERE workspace_id = $1 AND team_id = $2
                    AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()) AS invitations`,
        [workspaceId, id],
      );
      if (use.members > 0 || use.invitations > 0) {
        return fail<string>(UserErrorCode.TEAM_IN_USE, "Members or pending invitations belong to this team.", ["id"]);
      }
      // Invitations that can no longer be accepted may still name it.
      await em.query(`UPDATE invitations SET team_id = NULL WHERE workspace_id = $1 AND team_id = $2`, [workspaceId, id]);
      await em.query(`DELETE FROM teams WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
      return ok(id);
    });
  }

  /** The given topics, each live in this workspace; NOT_FOUND at its index otherwise. */
  private async liveTopics(em: EntityManager, workspaceId: string, topicIds: string[]): Promise<Result<string[]>> {
    const unique = [...new Set(topicIds)];
    const rows = await em.query<Array<{ id: string }>>(
      `SELECT id FROM topics WHERE workspace_id = $1 AND id = ANY($2) AND deleted_at IS NULL FOR KEY SHARE`,
      [workspaceId, unique],
    );
    const found = new Set(rows.map((r) => r.id));
    const missing = topicIds.findIndex((id) => !found.has(id));
    if (missing >= 0) return fail(UserErrorCode.NOT_FOUND, "No such topic.", ["topicIds", String(missing)]);
    return ok(unique);
  }

  private async setTopics(em: EntityManager, workspaceId: string, teamId: string, topicIds: string[]): Promise<void> {
    await em.query(`DELETE FROM team_topics WHERE workspace_id = $1 AND team_id = $2`, [workspaceId, teamId]);
    if (topicIds.length === 0) return;
    await em.query(`INSERT INTO team_topics (workspace_id, team_id, topic_id) SELECT $1, $2, unnest($3::uuid[])`, [
      workspaceId,
      teamId,
      topicIds,
    ]);
  }
}
