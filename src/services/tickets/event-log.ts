import type { DataSource, EntityManager } from "typeorm";
import { noteWrite } from "../../db/sql-scope";
import { recordNotifications } from "../notifications/notify";
import { recordStatistics } from "../statistics/record";
import { TicketEvent, type TicketEventType } from "../../entities";
import { type ColumnsOf, unnestColumnsOf } from "../../db/columns";
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

type EventColumns = ColumnsOf<TicketEvent>;
/** What the log writes itself: the event's place in it, and when. */
type LogWritten = "id" | "workspaceId" | "txId" | "seq" | "createdAt";
type EventRequired = "ticketId" | "ticketVersion" | "type" | "actorId" | "topicId";

/** An event as a writer gives it: what every event has, and any other column of the entity. */
export type NewEvent = Pick<EventColumns, EventRequired> &
  Partial<Omit<EventColumns, LogWritten | EventRequired>> & {
    /**
     * Where the note's mentions are read when it is not the note itself: a note rendered from a
     * template is read as written, so that a value a contact or a flow gave mentions no one.
     */
    mentionsIn?: string;
  };

/** The columns given per event (its id and every column of the entity but the log's own). */
const WRITTEN = unnestColumnsOf(TicketEvent, ["workspaceId", "txId", "seq", "createdAt"]);

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
       INSERT INTO ticket_events (workspace_id, tx_id, ${WRITTEN.names.join(", ")})
       SELECT $1, pos.tx, x.*
         FROM (SELECT greatest(pg_current_xact_id()::text::bigint, pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1) AS tx) pos,
              unnest(${WRITTEN.arrays(2)}) AS x(${WRITTEN.names.join(", ")})
       RETURNING tx_id, seq
     ), last AS (SELECT max(tx_id)::text || '.' || max(seq)::text AS cursor FROM ins)
     SELECT cursor, pg_notify('${FEED_CHANNEL}', 'events ' || $1::text || ' ' || cursor) FROM last`,
    [workspaceId, ...WRITTEN.values(events.map((event, i) => ({ ...event, id: ids[i] })))],
  );
  noteWrite("events", workspaceId, written.cursor);
  // What the events cause for members, and what they count: written with them, or not at all.
  await recordNotifications(em, workspaceId, events);
  await recordStatistics(em, workspaceId, events, ids);
}

/**
 * The window of an outbox feed's read (flow starts, notifications) on table alias `alias`: rows
 * committed below the horizon and after the cursor given as $2 (txId) and $3 (seq), in cursor
 * order, at most $4. What makes cursor order commit order for every reader (see above).
 */
export function feedWindowSql(alias: string): string {
  return `${alias}.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        AND ($2::bigint IS NULL OR (${alias}.tx_id, ${alias}.seq) > ($2::bigint, $3::bigint))
      ORDER BY ${alias}.tx_id, ${alias}.seq
      LIMIT $4`;
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
