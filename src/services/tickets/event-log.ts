import type { DataSource, EntityManager } from "typeorm";
import { noteWrite } from "../../db/sql-scope";
import type { TicketEventType } from "../../entities";
import { EVENT_COLUMNS, type EventRow } from "../../db/rows";

/**
 * The ticket event log. An event's cursor is "txId.seq": a transaction position and a sequence
 * number. The position is the writing transaction's id, raised to the newest transaction id
 * completed when the event is written, so an event written after another transaction committed
 * (a change that waited for that transaction's ticket lock, say) sorts after that transaction's
 * events, even when its own transaction id is older. A position is never below its transaction's
 * id, so readers that only take positions below every transaction still running (the snapshot's
 * xmin, "the horizon") never later find a committed event below a cursor they have seen: cursor
 * order is commit order for every reader, without a counter row that would serialise a busy
 * workspace's writers.
 */

export interface NewEvent {
  ticketId: string;
  ticketVersion: number;
  type: TicketEventType;
  actorId: string | null;
  topicId: string;
  previousTopicId?: string | null;
  assigneeId?: string | null;
  previousAssigneeId?: string | null;
  note?: string | null;
  messageId?: string | null;
}

export interface ParsedCursor {
  txId: string;
  seq: string;
}

const CURSOR = /^(\d{1,19})\.(\d{1,19})$/;
const MAX_BIGINT = 9223372036854775807n;

/** Parses "txId.seq"; undefined for anything else, including parts beyond a bigint. */
export function parseEventCursor(cursor: string): ParsedCursor | undefined {
  const match = CURSOR.exec(cursor);
  if (!match || BigInt(match[1]) > MAX_BIGINT || BigInt(match[2]) > MAX_BIGINT) return undefined;
  return { txId: match[1], seq: match[2] };
}

/** The channel on which commits that wrote events or flow starts wake listening processes. */
export const FEED_CHANNEL = "handover_feed";

/**
 * Writes events in the caller's transaction, in one statement, which also notifies listening
 * processes (PostgreSQL delivers the notification at commit, and never for a rollback) and
 * records the write so this process wakes its own subscribers once the transaction commits. Their position (tx_id) is taken
 * from this statement's snapshot: every transaction that committed before it sorts before it.
 */
export async function appendEvents(em: EntityManager, workspaceId: string, events: NewEvent[], ids: string[]): Promise<void> {
  if (events.length === 0) return;
  const [written] = await em.query<Array<{ cursor: string }>>(
    `WITH ins AS (
       INSERT INTO ticket_events (id, workspace_id, tx_id, ticket_id, ticket_version, type, actor_id, topic_id, previous_topic_id,
                                  assignee_id, previous_assignee_id, note, message_id)
       SELECT id, $1, pos.tx, ticket_id, v, type, actor, topic, prev_topic, assignee, prev_assignee, note, message
         FROM (SELECT greatest(pg_current_xact_id()::text::bigint, pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1) AS tx) pos,
              unnest($2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[], $9::uuid[], $10::uuid[],
                     $11::text[], $12::uuid[])
           AS x(id, ticket_id, v, type, actor, topic, prev_topic, assignee, prev_assignee, note, message)
       RETURNING tx_id, seq
     ), last AS (SELECT max(tx_id)::text || '.' || max(seq)::text AS cursor FROM ins)
     SELECT cursor, pg_notify('${FEED_CHANNEL}', 'events ' || $1::text || ' ' || cursor) FROM last`,
    [
      workspaceId,
      ids,
      events.map((e) => e.ticketId),
      events.map((e) => e.ticketVersion),
      events.map((e) => e.type),
      events.map((e) => e.actorId),
      events.map((e) => e.topicId),
      events.map((e) => e.previousTopicId ?? null),
      events.map((e) => e.assigneeId ?? null),
      events.map((e) => e.previousAssigneeId ?? null),
      events.map((e) => e.note ?? null),
      events.map((e) => e.messageId ?? null),
    ],
  );
  noteWrite("events", workspaceId, written.cursor);
}

export interface EventQuery {
  after: ParsedCursor | undefined;
  ticketId?: string;
  /** Only events whose topic or previous topic is one of these. */
  topicIds?: string[];
  types?: TicketEventType[];
  limit: number;
}

/**
 * Events after a cursor, oldest first, up to the horizon. Also returns the horizon as a cursor:
 * every event below it has been offered (a caller may resume from there).
 */
export async function readEventsAfter(
  db: DataSource | EntityManager,
  workspaceId: string,
  q: EventQuery,
): Promise<{ events: EventRow[]; horizon: string }> {
  const rows = await db.query<Array<EventRow & { horizon: string }>>(
    `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
     SELECT ${EVENT_COLUMNS}, h.xmin::text || '.0' AS horizon
       FROM h LEFT JOIN LATERAL (
         SELECT * FROM ticket_events e
          WHERE e.workspace_id = $1
            AND e.tx_id < h.xmin
            AND ($2::bigint IS NULL OR (e.tx_id, e.seq) > ($2::bigint, $3::bigint))
            AND ($4::uuid IS NULL OR e.ticket_id = $4)
            AND ($5::uuid[] IS NULL OR e.topic_id = ANY($5) OR e.previous_topic_id = ANY($5))
            AND ($6::text[] IS NULL OR e.type = ANY($6))
          ORDER BY e.tx_id, e.seq
          LIMIT $7
       ) e ON true
      ORDER BY e.tx_id, e.seq`,
    [workspaceId, q.after?.txId ?? null, q.after?.seq ?? null, q.ticketId ?? null, q.topicIds ?? null, q.types ?? null, q.limit],
  );
  const horizon = rows[0]?.horizon ?? "0.0";
  return { events: rows.filter((r) => r.id !== null).map(({ horizon: _h, ...e }) => e), horizon };
}

/** The horizon alone: the cursor a client may subscribe from after reading a list. */
export async function currentHorizon(db: DataSource | EntityManager): Promise<string> {
  const rows = await db.query<Array<{ h: string }>>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text || '.0' AS h`);
  return rows[0].h;
}
