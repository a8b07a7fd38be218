import type { EntityManager } from "typeorm";
import { noteWrite } from "../../db/sql-scope";
import { uuidv7 } from "../../db/uuid";
import { FEED_CHANNEL } from "../tickets/event-log";
import type { TicketRow } from "../../db/rows";

/**
 * Writes the flow starts that the workspace's TICKET_CLOSED trigger asks for, one per closed
 * ticket, in the closing transaction: a rolled-back close makes none, and once the close has
 * committed none can be lost (an outbox). Their cursor is positioned as the event log's is
 * (see event-log.ts), so `flowStarts(after:)` reads them in commit order. The trigger row is
 * read FOR KEY SHARE: a close racing deleteTrigger waits for it and then starts nothing.
 */
export async function recordFlowStarts(em: EntityManager, workspaceId: string, closed: TicketRow[]): Promise<void> {
  if (closed.length === 0) return;
  const [written] = await em.query<Array<{ cursor: string | null }>>(
    `WITH ins AS (
       INSERT INTO flow_starts (id, workspace_id, tx_id, flow_id, contact_id, ticket_id, trigger_id)
       SELECT x.id, $1, greatest(pg_current_xact_id()::text::bigint, pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1),
              tr.flow_id, x.contact_id, x.ticket_id, tr.id
         FROM triggers tr, unnest($2::uuid[], $3::uuid[], $4::uuid[]) WITH ORDINALITY AS x(id, ticket_id, contact_id, n)
        WHERE tr.workspace_id = $1 AND tr.type = 'TICKET_CLOSED'
        ORDER BY x.n
          FOR KEY SHARE OF tr
       RETURNING tx_id, seq
     ), last AS (SELECT max(tx_id)::text || '.' || max(seq)::text AS cursor FROM ins)
     SELECT cursor, CASE WHEN cursor IS NOT NULL THEN pg_notify('${FEED_CHANNEL}', 'flowStarts ' || $1::text || ' ' || cursor) END FROM last`,
    [workspaceId, closed.map(() => uuidv7()), closed.map((t) => t.id), closed.map((t) => t.contactId)],
  );
  if (written?.cursor) noteWrite("flowStarts", workspaceId, written.cursor);
}
