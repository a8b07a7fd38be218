import type { DataSource, EntityManager } from "typeorm";
import { Contact, ContactField, Message, Team, Ticket, TicketEvent, type TicketStatus, Topic, User } from "../entities";
import { columnListOf, columnsOf, type SelectedColumn } from "./columns";

/**
 * How the services, the loaders and the schema read rows: column lists for raw SQL (snake_case
 * columns to camelCase properties) and the shapes they produce. Reads only; rules live in the
 * services. The lists are derived from the entities once, at load (db/columns.ts); what is
 * written here is only what a list leaves out and the computed values it adds.
 */

/** A contact with its URNs, highest priority first. */
export interface ContactWithUrns extends Contact {
  urns: string[];
}

const CONTACT_URNS = { urns: "array(SELECT u.urn FROM contact_urns u WHERE u.contact_id = c.id ORDER BY u.priority, u.urn)" };
export const CONTACT_COLUMNS = columnsOf(Contact, "c", { extra: CONTACT_URNS });
const CONTACT_COLUMN_LIST = columnListOf(Contact, "c", { extra: CONTACT_URNS });

/** The event's transaction position is read as its cursor, `txId.seq`, see `services/event-log.ts`. */
const EVENT_NOT_READ = ["txId", "seq"] as const;

export const EVENT_COLUMNS = columnsOf(TicketEvent, "e", {
  except: EVENT_NOT_READ,
  extra: { cursor: "e.tx_id::text || '.' || e.seq::text" },
});

/** An event row as read with EVENT_COLUMNS. */
export type EventRow = Omit<TicketEvent, (typeof EVENT_NOT_READ)[number]> & { cursor: string };

export const MESSAGE_COLUMNS = columnsOf(Message, "m");

/** What only opening (idempotencyKey, openWarnings) and inbox paging (changedTx) read. */
const TICKET_NOT_READ = ["idempotencyKey", "openWarnings", "changedTx"] as const;

/** The columns of `tickets` as a TicketRow, for raw SQL on alias `t`. */
export const TICKET_COLUMNS = columnsOf(Ticket, "t", { except: TICKET_NOT_READ });

export type TicketRow = Omit<Ticket, (typeof TICKET_NOT_READ)[number]>;

/**
 * TICKET_COLUMNS with some values read otherwise (from history, say): SQL expressions by
 * property. Every other column is read as it is, so a column added to tickets is never missing.
 */
export function ticketColumnsWith(replaced: Partial<Record<keyof TicketRow & string, string>>): string {
  const keys = Object.keys(replaced) as Array<keyof TicketRow & string>;
  return columnsOf(Ticket, "t", { except: [...TICKET_NOT_READ, ...keys], extra: replaced as Record<string, string> });
}

export const TOPIC_COLUMNS = columnsOf(Topic, "tp");

/** Without an alias: the team service and loader read `teams` alone. */
export const TEAM_COLUMNS = columnsOf(Team, null);

/** A user as the loaders read them: never the password hash (`select: false` in the entity). */
export const USER_COLUMNS = columnsOf(User, "u");

/**
 * Rows read as JSON (to_jsonb of a row selected with the column lists above) carry their
 * timestamps as text: turns those back into dates, as the driver gives them in plain rows.
 */
export function withDates<T>(row: Record<string, unknown>, ...keys: string[]): T {
  for (const key of keys) if (typeof row[key] === "string") row[key] = new Date(row[key] as string);
  return row as T;
}

/**
 * A row related to each row of a statement, read in the same statement: joined LATERAL (at most
 * one row), its columns named `<key>.<property>` in the outer row. Plain columns rather than a
 * JSON value per related row: building JSON was a third of the inbox statement's cost.
 */
export interface RelatedRow {
  /** The related row's select list, each column named `<key>.<property>`, for the join's subquery. */
  columns(key: string): string;
  /** `FROM table alias WHERE condition`, correlated to the outer row; $1 is the workspace. */
  from: string;
  /** The related row's properties, as its columns name them. */
  properties: readonly string[];
}

/** The related rows of a statement: what to add to it, and how to take its rows apart. */
export interface JoinedRelated<K extends string> {
  /** To append to the select list. */
  columns: string;
  /** To put after the FROM item the related rows are correlated to (each `r_<key>`). */
  joins: string;
  /**
   * A row read with these joins, taken apart: its own columns, and each related row, null where
   * there is none (its id is null). The row read is left as it was.
   */
  split<R extends Record<string, unknown>>(row: R): { own: R; related: Partial<Record<K, unknown>> };
}

const joinedBySpec = new WeakMap<object, Map<string, JoinedRelated<string>>>();

/** The related rows `keys` of `spec`, joined to a statement (worked out once per spec and keys). */
export function withRelated<K extends string>(spec: Record<K, RelatedRow>, keys: readonly K[]): JoinedRelated<K> {
  let bySpec = joinedBySpec.get(spec);
  if (!bySpec) joinedBySpec.set(spec, (bySpec = new Map()));
  const name = keys.join(",");
  let joined = bySpec.get(name) as JoinedRelated<K> | undefined;
  if (!joined) bySpec.set(name, (joined = joinRelated(spec, keys)));
  return joined;
}

function joinRelated<K extends string>(spec: Record<K, RelatedRow>, keys: readonly K[]): JoinedRelated<K> {
  // Worked out once per statement shape: which column goes to which related row. Splitting copies
  // the row rather than deleting from it, which would leave every ticket a slow dictionary object.
  const parts = keys.map((key) => ({ key, columns: spec[key].properties.map((property) => [`${key}.${property}`, property] as const) }));
  const relatedColumns = new Set<string>(parts.flatMap((part) => part.columns.map(([column]) => column)));
  return {
    columns: keys.map((key) => `, r_${key}.*`).join(""),
    // OFFSET 0 keeps each subquery a per-row lookup: pulled up into a plain join, it left the join
    // method to the statistics, and without them a page of 1,000 tickets hashed all 200,000 contacts.
    joins: keys.map((key) => ` LEFT JOIN LATERAL (SELECT ${spec[key].columns(key)} ${spec[key].from} OFFSET 0) r_${key} ON true`).join(""),
    split<R extends Record<string, unknown>>(row: R) {
      const own: Record<string, unknown> = {};
      for (const name in row) if (!relatedColumns.has(name)) own[name] = row[name];
      const related: Partial<Record<K, unknown>> = {};
      for (const { key, columns } of parts) {
        const id = row[`${key}.id`];
        if (id === null || id === undefined) {
          related[key] = null;
          continue;
        }
        const value: Record<string, unknown> = {};
        for (const [column, property] of columns) value[property] = row[column];
        related[key] = value;
      }
      return { own: own as R, related };
    },
  };
}

/** A related row: `columns` (a list on the alias of `from`) from `from` (a table and its alias) where `where` holds. */
function related(columns: SelectedColumn[], from: string, where: string): RelatedRow {
  return {
    columns: (key) => columns.map((c) => `${c.sql} AS "${key}.${c.key}"`).join(", "),
    from: `FROM ${from} WHERE ${where}`,
    properties: columns.map((c) => c.key),
  };
}

/** What a ticket refers to, as read along with it (alias t). */
export const TICKET_RELATED = {
  contact: related(CONTACT_COLUMN_LIST, "contacts c", "c.workspace_id = $1 AND c.id = t.contact_id"),
  topic: related(columnListOf(Topic, "tp"), "topics tp", "tp.workspace_id = $1 AND tp.id = t.topic_id"),
  assignee: related(columnListOf(User, "u"), "users u", "u.id = t.assignee_id"),
  lastMessage: related(columnListOf(Message, "m"), "messages m", "m.workspace_id = $1 AND m.id = t.last_message_id"),
} satisfies Record<string, RelatedRow>;

export type TicketRelatedKey = keyof typeof TICKET_RELATED;

/** A ticket's related rows read with it: absent when not read, null when there is none. */
export interface TicketRelated {
  contact?: ContactWithUrns | null;
  topic?: Topic | null;
  assignee?: User | null;
  lastMessage?: Message | null;
}

/** What an event refers to, as read along with it (alias e). */
export const EVENT_RELATED = {
  actor: related(columnListOf(User, "u"), "users u", "u.id = e.actor_id"),
  assignee: related(columnListOf(User, "u"), "users u", "u.id = e.assignee_id"),
  previousAssignee: related(columnListOf(User, "u"), "users u", "u.id = e.previous_assignee_id"),
  message: related(columnListOf(Message, "m"), "messages m", "m.workspace_id = $1 AND m.id = e.message_id"),
} satisfies Record<string, RelatedRow>;

export type EventRelatedKey = keyof typeof EVENT_RELATED;

/** The current count of one key, as summed from its delta rows. */
export interface CountGroup {
  status: TicketStatus;
  topicId: string;
  assigneeId: string | null;
  count: number;
}

/** Every non-zero count of a workspace: one row per (status, topic, assignee) once squashed. */
export async function countGroups(db: DataSource | EntityManager, workspaceId: string): Promise<CountGroup[]> {
  const rows = await db.query<Array<{ status: TicketStatus; topic_id: string; assignee_id: string | null; count: string }>>(
    `SELECT status, topic_id, assignee_id, sum(delta) AS count
       FROM ticket_count_deltas WHERE workspace_id = $1
      GROUP BY status, topic_id, assignee_id HAVING sum(delta) <> 0`,
    [workspaceId],
  );
  return rows.map((r) => ({ status: r.status, topicId: r.topic_id, assigneeId: r.assignee_id, count: Number(r.count) }));
}

/** Featured fields first, higher priority first, then the rest by name. */
export function byDisplayOrder(a: ContactField, b: ContactField): number {
  if (a.featured !== b.featured) return a.featured ? -1 : 1;
  if (a.featured && a.priority !== b.priority) return b.priority - a.priority;
  return a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) || a.key.localeCompare(b.key);
}

const CONTACT_FIELD_COLUMNS = columnsOf(ContactField, null);

/** Every contact field of a workspace (unordered). */
export function fieldsOf(db: DataSource | EntityManager, workspaceId: string): Promise<ContactField[]> {
  return db.query<ContactField[]>(`SELECT ${CONTACT_FIELD_COLUMNS} FROM contact_fields WHERE workspace_id = $1`, [workspaceId]);
}
