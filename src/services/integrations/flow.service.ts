import type { AuthedContext } from "../../context";
import { TenantStore } from "../../db/tenant";
import { uuidv7 } from "../../db/uuid";
import { Flow } from "../../entities";
import { fail, ok, type Result, UserErrorCode } from "../user-error";

/** Flows a workspace may register: more than any flow engine account holds, few enough to list whole. */
export const MAX_FLOWS = 1000;

/** Flows of the flow engine, registered by their external id. */
export class FlowService {
  /**
   * Registers a flow; an externalId already registered returns that flow unchanged. A workspace
   * has at most MAX_FLOWS flows (LIMIT_REACHED).
   */
  async register(ctx: AuthedContext, name: string, externalId: string): Promise<Result<Flow>> {
    const workspaceId = ctx.actor.workspaceId;
    const known = await this.byExternalId(ctx, externalId);
    if (known) return ok(known);
    // The workspace row keeps the limit exact under concurrent registrations.
    await ctx.work.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
    const [{ n }] = await ctx.work.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM flows WHERE workspace_id = $1`, [
      workspaceId,
    ]);
    if (n >= MAX_FLOWS) return fail(UserErrorCode.LIMIT_REACHED, `A workspace has at most ${MAX_FLOWS} registered flows.`, ["externalId"]);
    await ctx.work.query(
      `INSERT INTO flows (id, workspace_id, name, external_id) VALUES ($2, $1, $3, $4)
       ON CONFLICT (workspace_id, external_id) DO NOTHING`,
      [workspaceId, uuidv7(), name, externalId],
    );
    const flow = await this.byExternalId(ctx, externalId);
    if (!flow) throw new Error("a registered flow was not found");
    return ok(flow);
  }

  list(ctx: AuthedContext): Promise<Flow[]> {
    return new TenantStore(ctx.work.em, ctx.actor.workspaceId).find(Flow, {}, { order: { name: "ASC", id: "ASC" } });
  }

  find(ctx: AuthedContext, id: string): Promise<Flow | null> {
    return new TenantStore(ctx.work.em, ctx.actor.workspaceId).findOne(Flow, { id });
  }

  byExternalId(ctx: AuthedContext, externalId: string): Promise<Flow | null> {
    return new TenantStore(ctx.work.em, ctx.actor.workspaceId).findOne(Flow, { externalId });
  }
}
