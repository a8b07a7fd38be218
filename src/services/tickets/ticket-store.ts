import type { EntityManager } from "typeorm";
import { returningRows } from "../../db/returning";
import { uuidv7 } from "../../db/uuid";
import { Ticket } from "../../entities";
import { type ColumnsOf, unnestColumnsOf } from "../../db/columns";
import { appendEvents, type NewEvent } from "./event-log";
import { type CountChange, recordCountChanges } from "./ticket-counts";
import { TICKET_COLUMNS, type TicketRow } from "../../db/rows";

/** Locks tickets in id order (the one lock order every writer follows) and returns them by id. */
export async function lockTickets(em: EntityManager, workspaceId: string, ids: string[]): Promise<Map<string, TicketRow>> {
  const rows = await em.query<TicketRow[]>(
    `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.workspace_id = $1 AND t.id = ANY($2) ORDER BY t.id FOR UPDATE`,
    [workspaceId, ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * What the store moves itself, or what never changes after opening: a change sets every other
 * column of tickets to a value of its own (`set`), and a column added to tickets can be set so
 * without a change here.
 */
const STORE_MANAGED = [
  "workspaceId",
  "contactId",
  "openedById",
  "openedInId",
  "openedAt",
  "version",
  "changedTx",
  "lastActivityAt",
  "closedAt",
  "repliedAt",
  "lastMessageId",
  "idempotencyKey",
  "openWarnings",
] as const;

/** The values a change may set: status, topic, assignee, and any column added to tickets since. */
export type TicketValues = Partial<Omit<ColumnsOf<Ticket>, "id" | (typeof STORE_MANAGED)[number]>>;

/** The ticket's id, then each column a change may set. */
const SET = unnestColumnsOf(Ticket, STORE_MANAGED);
const SET_COLUMNS = SET.names.filter((name) => name !== "id");

/** A change to one locked ticket: its new values and the event that records it. */
export interface TicketChange {
  ticket: TicketRow;
  set?: TicketValues;
  /** "set" = now, "clear" = null. */
  closedAt?: "set" | "clear";
  /** Moves lastActivityAt (everything but assignment and delivery reports does). */
  touch: boolean;
  repliedAt?: "set-once";
  lastMessageId?: string;
  event: Omit<NewEvent, "ticketId" | "ticketVersion" | "topicId"> & { topicId?: string };
}

/** The ticket's values after the change: its own, replaced by what the change sets. */
function valuesAfter(change: TicketChange): object {
  const given = Object.entries(change.set ?? {}).filter(([, value]) => value !== undefined);
  return { ...change.ticket, ...Object.fromEntries(given) };
}

/**
 * Applies changes to locked tickets in one statement, writes one event per ticket at its new
 * version and the count deltas, all in the caller's transaction. Returns the new rows by id.
 * lastActivityAt never goes backwards, so a ticket touched while a client pages only moves up.
 */
export async function applyTicketChanges(em: EntityManager, workspaceId: string, changes: TicketChange[]): Promise<Map<string, TicketRow>> {
  if (changes.length === 0) return new Map();
  const own = 2 + SET.names.length;
  const rows = returningRows<TicketRow>(
    await em.query(
      `UPDATE tickets t SET
        ${SET_COLUMNS.map((name) => `${name} = x.${name}`).join(", ")},
        closed_at = CASE x.closed WHEN 'set' THEN now() WHEN 'clear' THEN NULL ELSE t.closed_at END,
        replied_at = CASE WHEN x.replied THEN coalesce(t.replied_at, now()) ELSE t.replied_at END,
        last_activity_at = CASE WHEN x.touch THEN greatest(clock_timestamp(), t.last_activity_at + interval '1 microsecond')
                                ELSE t.last_activity_at END,
        last_message_id = coalesce(x.message_id, t.last_message_id),
        version = t.version + 1,
        changed_tx = pg_current_xact_id()::text::bigint
       FROM unnest(${SET.arrays(2)}, $${own}::text[], $${own + 1}::boolean[], $${own + 2}::boolean[], $${own + 3}::uuid[])
         AS x(${SET.names.join(", ")}, closed, replied, touch, message_id)
      WHERE t.workspace_id = $1 AND t.id = x.id
      RETURNING ${TICKET_COLUMNS}`,
      [
        workspaceId,
        ...SET.values(changes.map(valuesAfter)),
        changes.map((c) => c.closedAt ?? "keep"),
        changes.map((c) => c.repliedAt === "set-once"),
        changes.map((c) => c.touch),
        changes.map((c) => c.lastMessageId ?? null),
      ],
    ),
  );
  const updated = new Map(rows.map((r) => [r.id, r]));
  const events: NewEvent[] = [];
  const counts: CountChange[] = [];
  for (const change of changes) {
    const after = updated.get(change.ticket.id);
    if (!after) throw new Error(`ticket ${change.ticket.id} was not updated`);
    events.push({ ...change.event, topicId: change.event.topicId ?? after.topicId, ticketId: after.id, ticketVersion: after.version });
    const before = change.ticket;
    if (before.status !== after.status || before.topicId !== after.topicId || before.assigneeId !== after.assigneeId) {
      counts.push({ status: before.status, topicId: before.topicId, assigneeId: before.assigneeId, delta: -1 });
      counts.push({ status: after.status, topicId: after.topicId, assigneeId: after.assigneeId, delta: 1 });
    }
  }
  await appendEvents(
    em,
    workspaceId,
    events,
    events.map(() => uuidv7()),
  );
  await recordCountChanges(em, workspaceId, counts);
  return updated;
}
