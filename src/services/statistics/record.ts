import type { DataSource, EntityManager } from "typeorm";
import { StatisticFigure, StatisticGrain, StatisticSpan, TicketEventType } from "../../entities";
import { returningRows } from "../../db/returning";
import { bucketSql } from "./histogram";

/** The event types that count in the statistics: the others (notes, moves, reopening, messages received) count nothing. */
const COUNTED = new Set<string>([TicketEventType.OPENED, TicketEventType.ASSIGNED, TicketEventType.MESSAGE_SENT, TicketEventType.CLOSED]);

const F = StatisticFigure;
const G = StatisticGrain;

/** A member's reply, as event alias `a`. */
const memberReply = (a: string) => `${a}.type = '${TicketEventType.MESSAGE_SENT}' AND ${a}.actor_id IS NOT NULL`;
/** A ticket given an assignee, at opening or later, as event alias `a`. */
const getsAssignee = (a: string) =>
  `${a}.type IN ('${TicketEventType.OPENED}', '${TicketEventType.ASSIGNED}') AND ${a}.assignee_id IS NOT NULL`;
/** The ticket's assignee when event e happened: that of its last assignment before it, from the log. */
const ASSIGNEE_THEN = `(SELECT p.assignee_id FROM ticket_events p
   WHERE p.ticket_id = e.ticket_id AND p.ticket_version < e.ticket_version AND p.type IN ('${TicketEventType.OPENED}', '${TicketEventType.ASSIGNED}')
   ORDER BY p.ticket_version DESC LIMIT 1)`;
/** The same ticket had such an event before event e. */
const before = (condition: (a: string) => string) =>
  `EXISTS (SELECT 1 FROM ticket_events p WHERE p.ticket_id = e.ticket_id AND p.ticket_version < e.ticket_version AND ${condition("p")})`;

/**
 * The statement that adds the statistics of the events `ev` selects (columns of ticket_events,
 * plus the ticket's opened_at as t_opened_at), for workspace $1:
 * each fact, keyed by its day in the workspace's time zone now, written at every grain. The one
 * definition of what counts, used as events are written and to rebuild from the log.
 */
function insertFactsSql(ev: string): string {
  return `WITH ev AS (${ev}),
     fact (at, topic_id, member_id, figure, seconds) AS (
       SELECT e.created_at, e.topic_id, NULL::uuid, '${F.OPENED}', NULL::float8 FROM ev e WHERE e.type = '${TicketEventType.OPENED}'
       UNION ALL
       SELECT e.created_at, e.topic_id, e.assignee_id, '${F.ASSIGNED}', NULL FROM ev e
        WHERE ${getsAssignee("e")} AND NOT ${before(getsAssignee)}
       UNION ALL
       SELECT e.created_at, e.topic_id, e.actor_id, '${F.REPLIED}', NULL FROM ev e WHERE ${memberReply("e")}
       UNION ALL
       SELECT e.t_opened_at, e.topic_id, e.actor_id, '${F.FIRST_REPLY}', greatest(0, extract(epoch FROM e.created_at - e.t_opened_at))::float8
         FROM ev e WHERE ${memberReply("e")} AND NOT ${before(memberReply)}
       UNION ALL
       SELECT e.created_at, e.topic_id, ${ASSIGNEE_THEN}, '${F.CLOSED}', NULL FROM ev e WHERE e.type = '${TicketEventType.CLOSED}'
       UNION ALL
       SELECT e.created_at, e.topic_id, ${ASSIGNEE_THEN}, '${F.RESOLUTION}', greatest(0, extract(epoch FROM e.created_at - e.t_opened_at))::float8
         FROM ev e WHERE e.type = '${TicketEventType.CLOSED}'
     ), keyed AS (
       SELECT (f.at AT TIME ZONE w.timezone)::date AS day, f.topic_id, f.member_id, f.figure,
              CASE WHEN f.seconds IS NULL THEN 0 ELSE ${bucketSql("f.seconds")} END AS bucket, coalesce(f.seconds, 0) AS seconds
         FROM fact f JOIN workspaces w ON w.id = $1
     )
     INSERT INTO ticket_statistic_deltas (workspace_id, day, grain, topic_id, member_id, figure, bucket, n, seconds)
     SELECT $1, k.day, g.grain,
            CASE WHEN g.grain IN (${G.TOPIC_AND_MEMBER}, ${G.TOPIC}) THEN k.topic_id END,
            CASE WHEN g.grain IN (${G.TOPIC_AND_MEMBER}, ${G.MEMBER}) THEN k.member_id END,
            k.figure, k.bucket, count(*), sum(k.seconds)
       FROM keyed k CROSS JOIN (VALUES (${G.TOPIC_AND_MEMBER}), (${G.TOPIC}), (${G.MEMBER}), (${G.WORKSPACE})) AS g(grain)
      GROUP BY 2, 3, 4, 5, 6, 7`;
}

const EVENTS_OF = (where: string) =>
  `SELECT e.*, t.opened_at AS t_opened_at
     FROM ticket_events e JOIN tickets t ON t.workspace_id = e.workspace_id AND t.id = e.ticket_id
    WHERE e.workspace_id = $1 AND ${where}`;

const RECORD_SQL = insertFactsSql(EVENTS_OF("e.id = ANY($2::uuid[])"));

/**
 * Adds what events count to the statistics, in the transaction that writes them (after their
 * tickets' rows are written): nothing, and no statement, when none of them counts.
 */
export async function recordStatistics(
  em: EntityManager,
  workspaceId: string,
  events: ReadonlyArray<{ type: string }>,
  ids: string[],
): Promise<void> {
  const counted = ids.filter((_, i) => COUNTED.has(events[i].type));
  if (counted.length === 0) return;
  await em.query(RECORD_SQL, [workspaceId, counted]);
}

/**
 * Recounts a workspace's statistics from its event log, every day in its time zone now: for an
 * operator after a change of time zone that should apply to the past, and for the demo data,
 * whose history is moved in time after it is written. A scan of the log in one long transaction,
 * which holds back the horizon of every event feed on the database server while it runs: for a
 * server no one uses yet (the demo seed), or a quiet hour, never for a request.
 */
export async function rebuildStatistics(db: DataSource, workspaceId: string): Promise<void> {
  // One snapshot for both statements: rows that writers add meanwhile count events it does not read.
  await db.transaction("REPEATABLE READ", async (em) => {
    await em.query(`DELETE FROM ticket_statistics WHERE workspace_id = $1`, [workspaceId]);
    await em.query(`DELETE FROM ticket_statistic_deltas WHERE workspace_id = $1`, [workspaceId]);
    await em.query(insertFactsSql(EVENTS_OF(`e.type = ANY($2::text[])`)), [workspaceId, [...COUNTED]]);
  });
}

/** A delta as the squasher moves it. */
interface MovedDelta {
  workspace_id: string;
  day: string;
  grain: number;
  topic_id: string | null;
  member_id: string | null;
  figure: StatisticFigure;
  bucket: number;
  n: number;
  seconds: number;
}

/** A folded row, as `jsonb_to_recordset` reads it. */
interface Folded {
  workspace_id: string;
  span: StatisticSpan;
  day: string;
  grain: number;
  topic_id: string | null;
  member_id: string | null;
  opened: number;
  closed: number;
  assigned: number;
  replies: number;
  first_reply_seconds: number;
  first_reply_buckets: number[];
  resolution_seconds: number;
  resolution_buckets: number[];
}

const COUNT_COLUMN: Partial<Record<StatisticFigure, "opened" | "closed" | "assigned" | "replies">> = {
  [F.OPENED]: "opened",
  [F.CLOSED]: "closed",
  [F.ASSIGNED]: "assigned",
  [F.REPLIED]: "replies",
};
const DURATION_COLUMNS: Partial<
  Record<StatisticFigure, ["first_reply_seconds", "first_reply_buckets"] | ["resolution_seconds", "resolution_buckets"]>
> = {
  [F.FIRST_REPLY]: ["first_reply_seconds", "first_reply_buckets"],
  [F.RESOLUTION]: ["resolution_seconds", "resolution_buckets"],
};

/** Two histograms added bucket by bucket, in SQL. */
const addBuckets = (a: string, b: string) =>
  `(SELECT coalesce(array_agg(coalesce(${a}[i], 0) + coalesce(${b}[i], 0) ORDER BY i), '{}')
      FROM generate_series(1, greatest(cardinality(${a}), cardinality(${b}))) AS i)`;

const NIL = `'00000000-0000-0000-0000-000000000000'`;
const FOLD_SQL = `INSERT INTO ticket_statistics AS s (workspace_id, span, day, grain, topic_id, member_id, opened, closed, assigned, replies,
       first_reply_seconds, first_reply_buckets, resolution_seconds, resolution_buckets)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(workspace_id uuid, span text, day date, grain smallint, topic_id uuid, member_id uuid,
       opened int, closed int, assigned int, replies int, first_reply_seconds float8, first_reply_buckets int[],
       resolution_seconds float8, resolution_buckets int[])
     ON CONFLICT (workspace_id, span, grain, day, coalesce(topic_id, ${NIL}), coalesce(member_id, ${NIL})) DO UPDATE SET
       opened = s.opened + excluded.opened, closed = s.closed + excluded.closed,
       assigned = s.assigned + excluded.assigned, replies = s.replies + excluded.replies,
       first_reply_seconds = s.first_reply_seconds + excluded.first_reply_seconds,
       first_reply_buckets = ${addBuckets("s.first_reply_buckets", "excluded.first_reply_buckets")},
       resolution_seconds = s.resolution_seconds + excluded.resolution_seconds,
       resolution_buckets = ${addBuckets("s.resolution_buckets", "excluded.resolution_buckets")}`;

/**
 * Moves up to `limit` deltas, oldest first, into the folded rows of their day and of their month,
 * in one transaction: a reading, which sums both tables in one statement, sees each fact once
 * whether or not it has run. Beside another squasher, each takes deltas the other has not locked.
 * Returns how many it moved.
 */
export async function squashStatistics(db: DataSource, limit = 20_000): Promise<number> {
  return db.transaction(async (em) => {
    const moved = returningRows<MovedDelta>(
      await em.query(
        `DELETE FROM ticket_statistic_deltas d
        WHERE d.id IN (SELECT id FROM ticket_statistic_deltas ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING d.workspace_id, d.day::text AS day, d.grain, d.topic_id, d.member_id, d.figure, d.bucket, d.n, d.seconds`,
        [limit],
      ),
    );
    if (moved.length === 0) return 0;
    const folded = new Map<string, Folded>();
    for (const d of moved) {
      for (const [span, day] of [
        [StatisticSpan.DAY, d.day],
        [StatisticSpan.MONTH, `${d.day.slice(0, 8)}01`],
      ] as const) {
        const key = [d.workspace_id, span, d.grain, day, d.topic_id, d.member_id].join("|");
        let row = folded.get(key);
        if (!row) {
          row = {
            workspace_id: d.workspace_id,
            span,
            day,
            grain: d.grain,
            topic_id: d.topic_id,
            member_id: d.member_id,
            opened: 0,
            closed: 0,
            assigned: 0,
            replies: 0,
            first_reply_seconds: 0,
            first_reply_buckets: [],
            resolution_seconds: 0,
            resolution_buckets: [],
          };
          folded.set(key, row);
        }
        const count = COUNT_COLUMN[d.figure];
        if (count) row[count] += Number(d.n);
        const duration = DURATION_COLUMNS[d.figure];
        if (duration) {
          const [total, buckets] = duration;
          row[total] += Number(d.seconds);
          const histogram = row[buckets];
          while (histogram.length <= d.bucket) histogram.push(0);
          histogram[d.bucket] += Number(d.n);
        }
      }
    }
    // In key order, so that two squashers folding the same keys wait for each other rather than deadlock.
    const rows = [...folded.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
    await em.query(FOLD_SQL, [JSON.stringify(rows)]);
    return moved.length;
  });
}
