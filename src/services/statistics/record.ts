import type { DataSource, EntityManager } from "typeorm";
import { StatisticFigure, StatisticGrain, TicketEventType } from "../../entities";
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
     INSERT INTO ticket_statistics (workspace_id, day, grain, topic_id, member_id, figure, bucket, n, seconds)
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
 * whose history is moved in time after it is written. A scan of the log: not for a request.
 */
export async function rebuildStatistics(db: DataSource, workspaceId: string): Promise<void> {
  // One snapshot for both statements: rows that writers add meanwhile count events it does not read.
  await db.transaction("REPEATABLE READ", async (em) => {
    await em.query(`DELETE FROM ticket_statistics WHERE workspace_id = $1`, [workspaceId]);
    await em.query(insertFactsSql(EVENTS_OF(`e.type = ANY($2::text[])`)), [workspaceId, [...COUNTED]]);
  });
}

/**
 * Folds the delta rows of up to `limit` keys into one row each, like the folder counts: safe
 * beside writers and beside another squasher.
 */
export async function squashStatistics(db: DataSource, limit = 1000): Promise<number> {
  const key = "workspace_id, day, grain, topic_id, member_id, figure, bucket";
  const rows = await db.query<Array<{ n: string }>>(
    `WITH keys AS (
       SELECT ${key} FROM ticket_statistics GROUP BY ${key} HAVING count(*) > 1 LIMIT $1
     ), deleted AS (
       DELETE FROM ticket_statistics s USING keys k
        WHERE s.workspace_id = k.workspace_id AND s.day = k.day AND s.grain = k.grain
          AND s.topic_id IS NOT DISTINCT FROM k.topic_id AND s.member_id IS NOT DISTINCT FROM k.member_id
          AND s.figure = k.figure AND s.bucket = k.bucket
       RETURNING s.${key.split(", ").join(", s.")}, s.n, s.seconds
     ), inserted AS (
       INSERT INTO ticket_statistics (${key}, n, seconds)
       SELECT ${key}, sum(n), sum(seconds) FROM deleted GROUP BY ${key}
       RETURNING 1
     )
     SELECT count(*) AS n FROM deleted`,
    [limit],
  );
  return Number(rows[0]?.n ?? 0);
}
