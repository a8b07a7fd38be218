import type { DataSource, EntityManager } from "typeorm";
import { WebhookEventType } from "../../entities";

/**
 * What an endpoint receives, in one order: the workspace's ticket events and flow starts merged
 * by commit, each transaction's events first (by their sequence), then the flow starts its closes
 * caused. A position in it is (txId, kind, seq): kind 0 for an event, 1 for a flow start.
 *
 * Cursors: an event's is its ticketEvents cursor, "txId.seq"; a flow start's is its flowStarts
 * cursor followed by ".flow". A list's eventCursor ("txId.0") is a position too: everything from
 * that transaction on.
 */
export interface FeedPosition {
  txId: string;
  kind: 0 | 1;
  seq: string;
}

export interface FeedItem extends FeedPosition {
  /** The event's or flow start's id. */
  id: string;
  type: WebhookEventType;
  createdAt: Date;
  cursor: string;
}

const CURSOR = /^(\d{1,19})\.(\d{1,19})(\.flow)?$/;
const MAX_BIGINT = 9223372036854775807n;

export function cursorOf(p: FeedPosition): string {
  return `${p.txId}.${p.seq}${p.kind === 1 ? ".flow" : ""}`;
}

/** Parses a cursor of this feed; undefined for anything else. */
export function parseFeedCursor(cursor: string): FeedPosition | undefined {
  const match = CURSOR.exec(cursor);
  if (!match || BigInt(match[1]) > MAX_BIGINT || BigInt(match[2]) > MAX_BIGINT) return undefined;
  return { txId: BigInt(match[1]).toString(), kind: match[3] ? 1 : 0, seq: BigInt(match[2]).toString() };
}

export interface FeedFilter {
  types: readonly WebhookEventType[];
  /** Empty: every topic. */
  topicIds: readonly string[];
}

/**
 * The items after `after` that `filter` selects, oldest first, at most `limit`, committed below
 * the horizon (so a later read never finds one below an item returned: see event-log.ts), and
 * that horizon: every item below it, selected or not, was committed when this read was made.
 */
export async function readFeed(
  db: DataSource | EntityManager,
  workspaceId: string,
  after: FeedPosition,
  filter: FeedFilter,
  limit: number,
): Promise<{ items: FeedItem[]; horizon: string }> {
  const eventTypes = filter.types.filter((t) => t !== WebhookEventType.FLOW_STARTED);
  const flowStarts = filter.types.includes(WebhookEventType.FLOW_STARTED);
  const topics = filter.topicIds.length > 0 ? filter.topicIds : null;
  // Events after the position: past its seq within its transaction when it is an event's, past its
  // transaction when it is a flow start's. Flow starts: from its transaction on, past its seq when
  // it is a flow start's.
  const parts: string[] = [];
  if (eventTypes.length > 0) {
    parts.push(`(SELECT 0 AS kind, e.tx_id, e.seq, e.id, e.type, e.created_at
        FROM ticket_events e, h
       WHERE e.workspace_id = $1 AND e.tx_id < h.xmin
         AND (e.tx_id, e.seq) > ($2::bigint, CASE WHEN $3::int = 0 THEN $4::bigint ELSE ${MAX_BIGINT} END)
         AND e.type = ANY($5::text[])
         AND ($6::uuid[] IS NULL OR e.topic_id = ANY($6) OR e.previous_topic_id = ANY($6))
       ORDER BY e.tx_id, e.seq LIMIT $7)`);
  }
  if (flowStarts) {
    parts.push(`(SELECT 1 AS kind, s.tx_id, s.seq, s.id, '${WebhookEventType.FLOW_STARTED}' AS type, s.created_at
        FROM flow_starts s, h
       WHERE s.workspace_id = $1 AND s.tx_id < h.xmin
         AND (s.tx_id, s.seq) > ($2::bigint, CASE WHEN $3::int = 1 THEN $4::bigint ELSE -1 END)
         AND ($6::uuid[] IS NULL OR EXISTS (SELECT 1 FROM tickets t WHERE t.workspace_id = $1 AND t.id = s.ticket_id AND t.topic_id = ANY($6)))
       ORDER BY s.tx_id, s.seq LIMIT $7)`);
  }
  if (parts.length === 0) return { items: [], horizon: (await horizonPosition(db)).txId };
  const rows = await db.query<
    Array<{ kind: number | null; tx_id: string; seq: string; id: string; type: WebhookEventType; created_at: Date; horizon: string }>
  >(
    `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
     SELECT items.*, h.xmin::text AS horizon
       FROM h LEFT JOIN LATERAL (SELECT * FROM (${parts.join(" UNION ALL ")}) u ORDER BY tx_id, kind, seq LIMIT $7) items ON true
      ORDER BY items.tx_id, items.kind, items.seq`,
    [workspaceId, after.txId, after.kind, after.seq, eventTypes, topics, limit],
  );
  const items = rows
    .filter((r) => r.kind !== null)
    .map((r) => {
      const position: FeedPosition = { txId: String(r.tx_id), kind: r.kind === 1 ? 1 : 0, seq: String(r.seq) };
      return { ...position, id: r.id, type: r.type, createdAt: r.created_at, cursor: cursorOf(position) };
    });
  return { items, horizon: rows[0].horizon };
}

/** The horizon as a position: everything committed from now on comes after it. */
export async function horizonPosition(db: DataSource | EntityManager): Promise<FeedPosition> {
  const [row] = await db.query<Array<{ xmin: string }>>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
  return { txId: row.xmin, kind: 0, seq: "0" };
}
