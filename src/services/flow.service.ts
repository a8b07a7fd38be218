import type { AuthedContext } from "../context";
import { TenantStore } from "../db/tenant";
import { uuidv7 } from "../db/uuid";
import { Flow } from "../entities";

/** Flows of the flow engine, registered by their external id. */
export class FlowService {
  /** Registers a flow; an externalId already registered returns that flow unchanged. */
  async register(ctx: AuthedContext, name: string, externalId: string): Promise<Flow> {
    const workspaceId = ctx.actor.workspaceId;
    await ctx.work.query(
      `INSERT INTO flows (id, workspace_id, name, external_id) VALUES ($2, $1, $3, $4)
       ON CONFLICT (workspace_id, external_id) DO NOTHING`,
      [workspaceId, uuidv7(), name, externalId],
    );
    const flow = await this.byExternalId(ctx, externalId);
    if (!flow) throw new Error("a registered flow was not found");
    return flow;
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
