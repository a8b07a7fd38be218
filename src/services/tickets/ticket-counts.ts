import type { DataSource, EntityManager } from "typeorm";
import type { TicketStatus } from "../../entities";

/** One count change of the key (status, topic, assignee). */
export interface CountChange {
  status: TicketStatus;
  topicId: string;
  assigneeId: string | null;
  delta: number;
}

const keyOf = (c: Omit<CountChange, "delta">) => `${c.status}|${c.topicId}|${c.assigneeId ?? ""}`;

/**
 * Records count changes in the writing transaction as new delta rows (never an update), netting
 * out changes that cancel within the call.
 */
export async function recordCountChanges(em: EntityManager, workspaceId: string, changes: CountChange[]): Promise<void> {
  const net = new Map<string, CountChange>();
  for (const change of changes) {
    const key = keyOf(change);
    const current = net.get(key);
    if (current) current.delta += change.delta;
    else net.set(key, { ...change });
  }
  const rows = [...net.values()].filter((c) => c.delta !== 0);
  if (rows.length === 0) return;
  await em.query(
    `INSERT INTO ticket_count_deltas (workspace_id, status, topic_id, assignee_id, delta)
     SELECT $1, s, t, a, d FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::int[]) AS x(s, t, a, d)`,
    [workspaceId, rows.map((r) => r.status), rows.map((r) => r.topicId), rows.map((r) => r.assigneeId), rows.map((r) => r.delta)],
  );
}

/**
 * Folds the delta rows of up to `limit` keys into one row each. Safe beside writers (it only
 * deletes rows it sums) and beside another squasher (rows deleted by the other are skipped).
 */
export async function squashCounts(db: DataSource, limit = 1000): Promise<number> {
  const rows = await db.query<Array<{ n: string }>>(
    `WITH keys AS (
       SELECT workspace_id, status, topic_id, assignee_id
         FROM ticket_count_deltas
        GROUP BY workspace_id, status, topic_id, assignee_id
       HAVING count(*) > 1
        LIMIT $1
     ), deleted AS (
       DELETE FROM ticket_count_deltas d USING keys k
        WHERE d.workspace_id = k.workspace_id AND d.status = k.status AND d.topic_id = k.topic_id
          AND d.assignee_id IS NOT DISTINCT FROM k.assignee_id
       RETURNING d.workspace_id, d.status, d.topic_id, d.assignee_id, d.delta
     ), inserted AS (
       INSERT INTO ticket_count_deltas (workspace_id, status, topic_id, assignee_id, delta)
       SELECT workspace_id, status, topic_id, assignee_id, sum(delta)
         FROM deleted GROUP BY workspace_id, status, topic_id, assignee_id
       HAVING sum(delta) <> 0
       RETURNING 1
     )
     SELECT count(*) AS n FROM deleted`,
    [limit],
  );
  return Number(rows[0]?.n ?? 0);
}
