import type { DataSource, EntityManager } from "typeorm";
import type { AuthedContext } from "../../context";
import { columnsOf } from "../../db/columns";
import { FlowStart, type Trigger, type TriggerType } from "../../entities";
import { feedWindowSql, type ParsedCursor } from "../tickets/event-log";

/**
 * The position is read as the cursor "txId.seq"; the trigger is read whole from the join (null
 * once deleted), in place of its id.
 */
const FLOW_START_NOT_READ = ["txId", "seq", "triggerId"] as const;

/** A flow start as read: its cursor "txId.seq", and the trigger that asked for it while it exists. */
export type FlowStartRow = Omit<FlowStart, (typeof FLOW_START_NOT_READ)[number] | "trigger"> & {
  cursor: string;
  trigger: Trigger | null;
};

interface RawRow extends Omit<FlowStartRow, "trigger"> {
  triggerId: string | null;
  triggerType: TriggerType | null;
  triggerFlowId: string | null;
  triggerCreatedAt: Date | null;
}

const COLUMNS = `${columnsOf(FlowStart, "s", { except: FLOW_START_NOT_READ, extra: { cursor: "s.tx_id::text || '.' || s.seq::text" } })},
  tr.id AS "triggerId", tr.type AS "triggerType", tr.flow_id AS "triggerFlowId", tr.created_at AS "triggerCreatedAt"`;

function toRow({ triggerId, triggerType, triggerFlowId, triggerCreatedAt, ...start }: RawRow): FlowStartRow {
  const trigger =
    triggerId && triggerType && triggerFlowId && triggerCreatedAt
      ? { id: triggerId, workspaceId: start.workspaceId, type: triggerType, flowId: triggerFlowId, createdAt: triggerCreatedAt }
      : null;
  return { ...start, trigger };
}

/**
 * The flow starts triggers asked for, read as an outbox by the flow engine. They are written by
 * the change that fires them, in its transaction (flow-starts.ts), with a cursor positioned as the
 * event log's (event-log.ts): reading only positions below the horizon, the oldest transaction
 * still running, makes cursor order commit order, so a poller that resumes from the last cursor
 * it saw never misses a start and never gets one twice.
 */
export class FlowStartService {
  /** Up to `limit` flow starts after a cursor (from the beginning without one), oldest first. */
  after(ctx: AuthedContext, after: ParsedCursor | undefined, limit: number): Promise<FlowStartRow[]> {
    return readFlowStarts(ctx.work.em, ctx.actor.workspaceId, after, limit);
  }

  async find(ctx: AuthedContext, id: string): Promise<FlowStartRow | null> {
    const [row] = await ctx.work.query<RawRow[]>(
      `SELECT ${COLUMNS}
         FROM flow_starts s LEFT JOIN triggers tr ON tr.workspace_id = s.workspace_id AND tr.id = s.trigger_id
        WHERE s.workspace_id = $1 AND s.id = $2`,
      [ctx.actor.workspaceId, id],
    );
    return row ? toRow(row) : null;
  }
}

/** The flow starts of a workspace after a cursor, as the query and the subscription feed read them. */
export async function readFlowStarts(
  db: DataSource | EntityManager,
  workspaceId: string,
  after: ParsedCursor | undefined,
  limit: number,
): Promise<FlowStartRow[]> {
  const rows = await db.query<RawRow[]>(
    `SELECT ${COLUMNS}
       FROM flow_starts s LEFT JOIN triggers tr ON tr.workspace_id = s.workspace_id AND tr.id = s.trigger_id
      WHERE s.workspace_id = $1 AND ${feedWindowSql("s")}`,
    [workspaceId, after?.txId ?? null, after?.seq ?? null, limit],
  );
  return rows.map(toRow);
}
