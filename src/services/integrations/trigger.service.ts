import type { AuthedContext } from "../../context";
import { returningRows } from "../../db/returning";
import { uniqueViolation } from "../../db/transaction";
import { columnsOf } from "../../db/columns";
import { uuidv7 } from "../../db/uuid";
import { Trigger, type TriggerType } from "../../entities";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

const TRIGGER_COLUMNS = columnsOf(Trigger, "tr");
/** For RETURNING of an INSERT, which has no alias. */
const TRIGGER_RETURNING = columnsOf(Trigger, null);

/** The flow a trigger starts: a registered flow, by its id or by the flow engine's id. */
export type FlowRef = { flowId: string } | { flowExternalId: string };

/**
 * Triggers: when something happens to a ticket, ask the flow engine to start a flow for its
 * contact. At most one trigger of each type per workspace (the index triggers_type_key). The
 * flow starts themselves are written by the change that fires them (see flow-starts.ts).
 */
export class TriggerService {
  /** The workspace's triggers, by type, then oldest first. */
  list(ctx: AuthedContext): Promise<Trigger[]> {
    return ctx.work.query<Trigger[]>(
      `SELECT ${TRIGGER_COLUMNS} FROM triggers tr WHERE tr.workspace_id = $1 ORDER BY tr.type, tr.created_at, tr.id`,
      [ctx.actor.workspaceId],
    );
  }

  async find(ctx: AuthedContext, id: string): Promise<Trigger | null> {
    const [row] = await ctx.work.query<Trigger[]>(`SELECT ${TRIGGER_COLUMNS} FROM triggers tr WHERE tr.workspace_id = $1 AND tr.id = $2`, [
      ctx.actor.workspaceId,
      id,
    ]);
    return row ?? null;
  }

  /**
   * Creates a trigger for a registered flow. A second trigger of a type is ALREADY_EXISTS, also
   * when two creates race: the unique index decides, not a prior read.
   */
  async create(ctx: AuthedContext, type: TriggerType, flow: FlowRef): Promise<Result<Trigger>> {
    const workspaceId = ctx.actor.workspaceId;
    const byId = "flowId" in flow;
    try {
      return await refusable(ctx.work, async (em) => {
        const [row] = await em.query<Trigger[]>(
          `INSERT INTO triggers (id, workspace_id, type, flow_id)
           SELECT $2, $1, $3, f.id FROM flows f
            WHERE f.workspace_id = $1 AND (CASE WHEN $4::uuid IS NOT NULL THEN f.id = $4::uuid ELSE f.external_id = $5 END)
           RETURNING ${TRIGGER_RETURNING}`,
          [workspaceId, uuidv7(), type, byId ? flow.flowId : null, byId ? null : flow.flowExternalId],
        );
        if (!row) {
          return fail<Trigger>(UserErrorCode.NOT_FOUND, "No such registered flow.", [byId ? "flowId" : "flowExternalId"]);
        }
        return ok(row);
      });
    } catch (error) {
      if (uniqueViolation(error) === "triggers_type_key") {
        return fail(UserErrorCode.ALREADY_EXISTS, `The workspace already has a ${type} trigger; delete it first.`, ["type"]);
      }
      throw error;
    }
  }

  /** Deletes a trigger. The flow starts it asked for stay, with a null trigger. */
  async delete(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const raw: unknown = await ctx.work.query(`DELETE FROM triggers WHERE workspace_id = $1 AND id = $2 RETURNING id`, [
      ctx.actor.workspaceId,
      id,
    ]);
    const [row] = returningRows<{ id: string }>(raw);
    return row ? ok(row.id) : fail(UserErrorCode.NOT_FOUND, "No such trigger.", ["id"]);
  }
}
