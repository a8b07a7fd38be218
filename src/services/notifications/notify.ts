import type { EntityManager } from "typeorm";
import { noteWrite } from "../../db/sql-scope";
import { TicketEventType } from "../../entities";
import { FEED_CHANNEL, type NewEvent } from "../tickets/event-log";
import { MEMBER_TOPICS_SQL } from "../team/visibility";

/** The event types that can concern someone: the others (closing, moving, replying) notify no one. */
const NOTIFYING = new Set<string>([
  TicketEventType.OPENED,
  TicketEventType.ASSIGNED,
  TicketEventType.NOTE_ADDED,
  TicketEventType.MESSAGE_RECEIVED,
]);

/**
 * `@"Full Name"`, and `@someone@example.com` up to the first space or punctuation that cannot be
 * in an address (`,;:()<>"`), trailing dots and marks left out. Neither pattern can backtrack
 * more than linearly: a note of any shape is read in time proportional to its length.
 */
const QUOTED = /@"([^"\n]{1,100})"/g;
const ADDRESS = /@([^\s@"<>(),;:[\]]{1,64}@[^\s@"<>(),;:[\]]{1,255})/g;

/** Who a note names: emails and quoted names as written, each once (compared in any case by the database). */
export function mentionsIn(note: string): string[] {
  const found = new Set<string>();
  for (const match of note.matchAll(QUOTED)) {
    const name = match[1].trim();
    if (name) found.add(name);
  }
  for (const match of note.matchAll(ADDRESS)) {
    const address = match[1].replace(/[.!?]+$/, "");
    const domain = address.slice(address.indexOf("@") + 1);
    if (domain.includes(".")) found.add(address);
  }
  return [...found];
}

/**
 * Writes the notifications that events cause, in the transaction that writes the events, in one
 * statement (none when no event can notify anyone):
 * - TICKET_OPENED: an unassigned ticket opened, to every member who sees its topic but its opener;
 * - TICKET_ACTIVITY: to a ticket's assignee, when someone else assigns it to them (at opening or
 *   later), adds a note to it, or its contact writes in it;
 * - MENTIONED: to each member a note names (`@email`, `@"Name"`) who sees the ticket, but its author.
 * Only members receive them, and only about tickets in their topics then. One unseen notification
 * per (member, kind, ticket): another updates it (actor, time) and moves it to a new feed position.
 */
export async function recordNotifications(em: EntityManager, workspaceId: string, events: readonly NewEvent[]): Promise<void> {
  const notifying = events.filter((e) => NOTIFYING.has(e.type));
  if (notifying.length === 0) return;
  const mentions = notifying.flatMap((e, n) => {
    const text = e.mentionsIn ?? e.note;
    return text ? mentionsIn(text).map((who) => ({ n, who })) : [];
  });
  const [written] = await em.query<Array<{ cursor: string | null }>>(
    `WITH ev AS (
       SELECT * FROM unnest($2::int[], $3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::uuid[])
         AS e(n, ticket_id, type, actor_id, topic_id, assignee_id)
     ), member AS (
       SELECT m.user_id, u.email, lower(u.name) AS name, ${MEMBER_TOPICS_SQL} AS topic_ids
         FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN teams tm ON tm.id = m.team_id
        WHERE m.workspace_id = $1
     ), wanted AS (
       SELECT mb.user_id, 'TICKET_OPENED' AS kind, ev.ticket_id, ev.actor_id, ev.topic_id, ev.n
         FROM ev CROSS JOIN member mb
        WHERE ev.type = 'OPENED' AND ev.assignee_id IS NULL AND mb.user_id IS DISTINCT FROM ev.actor_id
       UNION ALL
       SELECT ev.assignee_id, 'TICKET_ACTIVITY', ev.ticket_id, ev.actor_id, ev.topic_id, ev.n
         FROM ev WHERE ev.type IN ('OPENED', 'ASSIGNED') AND ev.assignee_id IS NOT NULL
       UNION ALL
       SELECT t.assignee_id, 'TICKET_ACTIVITY', ev.ticket_id, ev.actor_id, ev.topic_id, ev.n
         FROM ev JOIN tickets t ON t.workspace_id = $1 AND t.id = ev.ticket_id
        WHERE ev.type IN ('NOTE_ADDED', 'MESSAGE_RECEIVED') AND t.assignee_id IS NOT NULL
       UNION ALL
       SELECT mb.user_id, 'MENTIONED', ev.ticket_id, ev.actor_id, ev.topic_id, ev.n
         FROM unnest($8::int[], $9::text[]) AS mn(n, who)
         JOIN ev ON ev.n = mn.n
         JOIN member mb ON mb.email = lower(mn.who) OR mb.name = lower(mn.who)
     ), fit AS (
       -- Members only, never about their own doing, and only tickets in their topics.
       SELECT DISTINCT ON (w.user_id, w.kind, w.ticket_id) w.user_id, w.kind, w.ticket_id, w.actor_id
         FROM wanted w JOIN member mb ON mb.user_id = w.user_id
        WHERE w.user_id IS DISTINCT FROM w.actor_id AND (mb.topic_ids IS NULL OR w.topic_id = ANY(mb.topic_ids))
        ORDER BY w.user_id, w.kind, w.ticket_id, w.n DESC
     ), ins AS (
       INSERT INTO notifications AS x (id, workspace_id, tx_id, user_id, kind, ticket_id, actor_id)
       SELECT gen_random_uuid(), $1, pos.tx, fit.user_id, fit.kind, fit.ticket_id, fit.actor_id
         FROM fit, (SELECT greatest(pg_current_xact_id()::text::bigint, pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1) AS tx) pos
       ON CONFLICT (workspace_id, user_id, kind, ticket_id) WHERE seen_at IS NULL
       DO UPDATE SET actor_id = excluded.actor_id, updated_at = now(), tx_id = excluded.tx_id, seq = nextval('notifications_seq')
       RETURNING x.tx_id, x.seq
     ), last AS (SELECT max(tx_id)::text || '.' || max(seq)::text AS cursor FROM ins)
     SELECT cursor, CASE WHEN cursor IS NOT NULL THEN pg_notify('${FEED_CHANNEL}', 'notifications ' || $1::text || ' ' || cursor) END FROM last`,
    [
      workspaceId,
      notifying.map((_, n) => n),
      notifying.map((e) => e.ticketId),
      notifying.map((e) => e.type),
      notifying.map((e) => e.actorId),
      notifying.map((e) => e.topicId),
      notifying.map((e) => e.assigneeId ?? null),
      mentions.map((m) => m.n),
      mentions.map((m) => m.who),
    ],
  );
  if (written?.cursor) noteWrite("notifications", workspaceId, written.cursor);
}
