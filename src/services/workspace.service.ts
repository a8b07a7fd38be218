import type { AuthedContext, RequestContext } from "../context";
import { unscoped } from "../db/sql-scope";
import { TenantStore } from "../db/tenant";
import { Membership, Workspace } from "../entities";

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

  members(ctx: AuthedContext): Promise<Membership[]> {
    return this.store(ctx).find(Membership, {}, { order: { createdAt: "ASC" } });
  }

  member(ctx: AuthedContext, id: string): Promise<Membership | null> {
    return this.store(ctx).findOne(Membership, { id });
  }

  /** The membership of a user in this workspace; null when the user is not a member here. */
  memberByUser(ctx: AuthedContext, userId: string): Promise<Membership | null> {
    return this.store(ctx).findOne(Membership, { userId });
  }
}
