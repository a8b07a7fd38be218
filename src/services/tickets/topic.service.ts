import { IsNull } from "typeorm";
import type { AuthedContext } from "../../context";
import { TenantStore } from "../../db/tenant";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { Topic } from "../../entities";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

/** Topics other than General a workspace may have. */
export const MAX_TOPICS = 50;
export const SYSTEM_TOPIC_NAME = "General";

/** Topics: what tickets are filed under. Names are unique case-insensitively. */
export class TopicService {
  private store(ctx: AuthedContext): TenantStore {
    return new TenantStore(ctx.work.em, ctx.actor.workspaceId);
  }

  /** The live topics, General first, then by name (what a viewer sees of them: see.topics). */
  async list(ctx: AuthedContext): Promise<Topic[]> {
    const topics = await this.store(ctx).find(Topic, { deletedAt: IsNull() });
    return topics.sort(
      (a, b) => Number(b.isSystem) - Number(a.isSystem) || a.name.localeCompare(b.name, undefined, { sensitivity: "base" }),
    );
  }

  find(ctx: AuthedContext, id: string): Promise<Topic | null> {
    return this.store(ctx).findOne(Topic, { id, deletedAt: IsNull() });
  }

  async general(ctx: AuthedContext): Promise<Topic> {
    const topic = await this.store(ctx).findOne(Topic, { isSystem: true });
    if (!topic) throw new Error("the workspace has no system topic");
    return topic;
  }

  async create(ctx: AuthedContext, name: string): Promise<Result<Topic>> {
    const workspaceId = ctx.actor.workspaceId;
    try {
      return await refusable(ctx.work, async (em) => {
        // The workspace row is the lock that keeps the topic limit exact under concurrent creates.
        await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
        const [{ n }] = await em.query<Array<{ n: string }>>(
          `SELECT count(*) AS n FROM topics WHERE workspace_id = $1 AND NOT is_system AND deleted_at IS NULL`,
          [workspaceId],
        );
        if (Number(n) >= MAX_TOPICS) {
          return fail<Topic>(UserErrorCode.LIMIT_REACHED, `A workspace has at most ${MAX_TOPICS} topics besides ${SYSTEM_TOPIC_NAME}.`);
        }
        const topic = await new TenantStore(em, workspaceId).insert(Topic, {
          id: uuidv7(),
          name,
          isSystem: false,
          createdAt: new Date(),
          deletedAt: null,
        } as Topic);
        return ok(topic);
      });
    } catch (error) {
      if (uniqueViolation(error) === "topics_name_key") return this.nameTaken(name);
      throw error;
    }
  }

  async rename(ctx: AuthedContext, id: string, name: string): Promise<Result<Topic>> {
    const topic = await this.find(ctx, id);
    if (!topic) return fail(UserErrorCode.NOT_FOUND, "No such topic.", ["id"]);
    if (topic.isSystem) return fail(UserErrorCode.SYSTEM_TOPIC, `${SYSTEM_TOPIC_NAME} cannot be renamed.`, ["id"]);
    try {
      await ctx.work.savepoint((em) => new TenantStore(em, ctx.actor.workspaceId).update(Topic, { id }, { name }));
    } catch (error) {
      if (uniqueViolation(error) === "topics_name_key") return this.nameTaken(name);
      throw error;
    }
    return ok({ ...topic, name });
  }

  /** Deletes a topic no ticket was ever filed under; it stays readable in past events. */
  async delete(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const workspaceId = ctx.actor.workspaceId;
    return refusable(ctx.work, async (em) => {
      // One deletion at a time in a workspace: two deletions of a team's last two topics would
      // otherwise each find the other still there, and leave the team with none. NO KEY UPDATE
      // holds up no writer that merely references the workspace.
      await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
      const [topic] = await em.query<Array<{ is_system: boolean }>>(
        `SELECT is_system FROM topics WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`,
        [workspaceId, id],
      );
      if (!topic) return fail<string>(UserErrorCode.NOT_FOUND, "No such topic.", ["id"]);
      if (topic.is_system) return fail<string>(UserErrorCode.SYSTEM_TOPIC, `${SYSTEM_TOPIC_NAME} cannot be deleted.`, ["id"]);
      // Filing a ticket under a topic reads it FOR KEY SHARE, which this FOR UPDATE waits for and
      // then excludes: a ticket is either seen here or refused the deleted topic.
      // Filed under it now, or ever: every filing is an event naming the topic (OPENED, TOPIC_CHANGED).
      const used = await em.query(
        `SELECT 1 FROM tickets WHERE workspace_id = $1 AND topic_id = $2
         UNION ALL
         SELECT 1 FROM ticket_events WHERE workspace_id = $1 AND topic_id = $2 AND type IN ('OPENED', 'TOPIC_CHANGED')
         LIMIT 1`,
        [workspaceId, id],
      );
      if (used.length > 0) return fail<string>(UserErrorCode.TOPIC_IN_USE, "Tickets are filed under this topic.", ["id"]);
      const [sole] = await em.query(
        `SELECT tt.team_id FROM team_topics tt WHERE tt.workspace_id = $1 AND tt.topic_id = $2
            AND NOT EXISTS (SELECT 1 FROM team_topics o WHERE o.team_id = tt.team_id AND o.topic_id <> $2) LIMIT 1`,
        [workspaceId, id],
      );
      if (sole)
        return fail<string>(UserErrorCode.TOPIC_IN_TEAM, "It is the only topic of a team: give the team another topic first.", ["id"]);
      await em.query(`DELETE FROM team_topics WHERE workspace_id = $1 AND topic_id = $2`, [workspaceId, id]);
      await em.query(`UPDATE topics SET deleted_at = now() WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
      return ok(id);
    });
  }

  private nameTaken(name: string): Result<Topic> {
    return fail(UserErrorCode.NAME_TAKEN, `A topic named "${name}" already exists.`, ["name"]);
  }
}
