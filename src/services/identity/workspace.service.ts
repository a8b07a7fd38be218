import type { AuthedContext, RequestContext } from "../../context";
import { columnsOf } from "../../db/columns";
import { unscoped } from "../../db/sql-scope";
import { TenantStore } from "../../db/tenant";
import { Membership, Workspace } from "../../entities";
import { returningRows } from "../../db/returning";
import { fail, ok, type Result, UserErrorCode } from "../user-error";

const MEMBER_COLUMNS = columnsOf(Membership, "m");
const WORKSPACE_COLUMNS = columnsOf(Workspace, null);

/** Workspaces, their members, and the workspaces of a user. */
export class WorkspaceService {
  private store(ctx: AuthedContext): TenantStore {
    return new TenantStore(ctx.work.em, ctx.actor.workspaceId);
  }

  /** A workspace by id, for a viewer who belongs to it (callers pass the token's workspace). */
  async workspace(ctx: RequestContext, workspaceId: string): Promise<Workspace> {
    const workspace = await ctx.work.em.getRepository(Workspace).findOneBy({ id: workspaceId });
    if (!workspace) throw new Error("the token's workspace no longer exists");
    return workspace;
  }

  /**
   * Renames the workspace or changes its time zone (an IANA name, in any case; one the database
   * does not know is INVALID_VALUE); what is absent stays as it is.
   */
  async update(ctx: AuthedContext, changes: { name?: string; timezone?: string }): Promise<Result<Workspace>> {
    // The statistics count days in the database, by its own zone names: Node's may be newer.
    // Stored as the database spells it (Europe/Kyiv, not ICU's older Europe/Kiev).
    let timezone: string | undefined;
    if (changes.timezone !== undefined) {
      const [known] = await ctx.work.query<Array<{ name: string }>>(
        `SELECT name FROM pg_timezone_names WHERE lower(name) = lower($1) ORDER BY name = $1 DESC, name LIMIT 1`,
        [changes.timezone],
      );
      if (!known) return fail(UserErrorCode.INVALID_VALUE, `The database does not know the time zone ${changes.timezone}.`, ["timezone"]);
      timezone = known.name;
    }
    const [workspace] = returningRows<Workspace>(
      await ctx.work.query(
        `UPDATE workspaces SET name = coalesce($2, name), timezone = coalesce($3, timezone) WHERE id = $1 RETURNING ${WORKSPACE_COLUMNS}`,
        [ctx.actor.workspaceId, changes.name ?? null, timezone ?? null],
      ),
    );
    if (!workspace) throw new Error("the token's workspace no longer exists");
    return ok(workspace);
  }

  /** Every workspace a user belongs to: a lookup across workspaces by nature. */
  workspacesOfUser(ctx: RequestContext, userId: string): Promise<Workspace[]> {
    return unscoped(() =>
      ctx.work.em
        .getRepository(Workspace)
        .createQueryBuilder("w")
        .innerJoin(Membership, "m", "m.workspace_id = w.id")
        .where("m.user_id = :userId", { userId })
        .orderBy("w.created_at", "ASC")
        .getMany(),
    );
  }

  /**
   * A page of the members, oldest first (ties by id), after the member `afterId`; undefined when
   * that member is not (or no longer) one of this workspace's.
   */
  async members(ctx: AuthedContext, page: { first: number; afterId?: string }): Promise<Membership[] | undefined> {
    const rows = await ctx.work.query<Membership[]>(
      `WITH after AS (SELECT created_at, id FROM memberships WHERE workspace_id = $1 AND id = $2)
       SELECT ${MEMBER_COLUMNS}
         FROM memberships m
        WHERE m.workspace_id = $1
          AND ($2::uuid IS NULL OR (m.created_at, m.id) > (SELECT created_at, id FROM after))
        ORDER BY m.created_at, m.id
        LIMIT $3`,
      [ctx.actor.workspaceId, page.afterId ?? null, page.first],
    );
    if (page.afterId !== undefined && rows.length === 0 && !(await this.member(ctx, page.afterId))) return undefined;
    return rows;
  }

  member(ctx: AuthedContext, id: string): Promise<Membership | null> {
    return this.store(ctx).findOne(Membership, { id });
  }

  /** The membership of a user in this workspace; null when the user is not a member here. */
  memberByUser(ctx: AuthedContext, userId: string): Promise<Membership | null> {
    return this.store(ctx).findOne(Membership, { userId });
  }
}
