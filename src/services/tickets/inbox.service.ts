import type { AuthedContext } from "../../context";
import { TicketStatus } from "../../entities";
import { containing } from "../../db/like";
import { pageLimit } from "../../db/page-limit";
import { type ParsedCursor, readEventsAfter } from "./event-log";
import { topicFilter } from "../../auth/visibility";
import type { TicketEventType } from "../../entities";
import type { Message, User } from "../../entities";
import {
  EVENT_COLUMNS,
  EVENT_RELATED,
  type EventRelatedKey,
  type EventRow,
  type CountGroup,
  withRelated,
  TICKET_COLUMNS,
  TICKET_RELATED,
  type TicketRelated,
  type TicketRelatedKey,
  type TicketRow,
} from "../../db/rows";

export type Folder = "MINE" | "UNASSIGNED" | "ALL";

export interface InboxFilter {
  folder: Folder;
  /** null: both, open first. */
  status: TicketStatus | null;
  topicId?: string;
  /** At least 3 characters; checked by the caller. */
  search?: string;
}

/** Where a page ended: the last ticket's sort key, and the snapshot of the list's first page. */
export interface InboxCursor {
  status: TicketStatus;
  lastActivityUs: string;
  id: string;
  snapshot: string;
}

/** What a page may read along with its tickets, in the same statement, when the query asks for it. */
export type InboxIncludes = Partial<Record<TicketRelatedKey, boolean>>;

export type InboxTicket = TicketRow & { sortKey: string; related: TicketRelated };

/** An event with the users and message it names, read along with it. */
export type ThreadEvent = EventRow & {
  related: { actor?: User | null; assignee?: User | null; previousAssignee?: User | null; message?: Message | null };
};

export interface InboxPage {
  tickets: InboxTicket[];
  hasNextPage: boolean;
  snapshot: string;
  eventCursor: string;
  totalCount: number | null;
}

function matchesFolder(g: CountGroup, filter: InboxFilter, userId: string, visible: string[] | null): boolean {
  if (visible !== null && !visible.includes(g.topicId)) return false;
  if (filter.topicId !== undefined && g.topicId !== filter.topicId) return false;
  if (filter.status !== null && g.status !== filter.status) return false;
  if (filter.folder === "MINE") return g.assigneeId === userId;
  if (filter.folder === "UNASSIGNED") return g.assigneeId === null;
  return true;
}

/**
 * A team agent's topics, one parameter each, as rows (the page's source) and as an array (the
 * count rows' condition): the planner then knows how many there are. `unnest($n::uuid[])` or
 * `= ANY($n::uuid[])` would be costed at a hundred or ten in the statement's generic plan, which
 * would never win and leave the statement planned again at every request (db/page-limit.ts).
 * One statement per number of topics.
 */
function topicParams(topicIds: string[], bind: (value: unknown) => string): { rows: string; array: string } {
  if (topicIds.length === 0) return { rows: `(SELECT NULL::uuid WHERE false)`, array: `'{}'::uuid[]` };
  const params = topicIds.map((id) => `${bind(id)}::uuid`);
  return { rows: `(VALUES ${params.map((p) => `(${p})`).join(", ")})`, array: `ARRAY[${params.join(", ")}]` };
}

/** The inbox and everything read from tickets: folders, counts, threads and the event feed. */
export class InboxService {
  /**
   * One page of a folder, ordered open first, then by lastActivityAt and id, newest first. Pages
   * after the first only return tickets unchanged since the first page was read (its snapshot),
   * so a ticket moved by a change while a client pages is never returned twice, and every
   * ticket left alone is returned exactly once. totalCount is null when `count` is false.
   */
  async page(
    ctx: AuthedContext,
    filter: InboxFilter,
    first: number,
    after: InboxCursor | undefined,
    include: InboxIncludes = {},
    options: { countSearch?: boolean; count?: boolean } = {},
  ): Promise<InboxPage> {
    const { workspaceId, userId } = ctx.actor;
    const visible = topicFilter(ctx.actor);
    const params: unknown[] = [workspaceId];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    // The folder's conditions, shared by the tickets (alias t) and their count rows (alias d).
    const user = filter.folder === "MINE" ? bind(userId) : undefined;
    const topic = filter.topicId ? bind(filter.topicId) : undefined;
    const topics = visible === null ? undefined : topicParams(visible, bind);
    const status = filter.status ? bind(filter.status) : undefined;
    // A team agent's topics (and no one topic asked for): each topic's tickets are read in index
    // order, at most a page each, and merged; `topic_id = ANY(...)` would read and sort every
    // ticket of those topics.
    const perTopic = topics !== undefined && topic === undefined;
    const folderOf = (alias: string, topicsCondition = topics && `${alias}.topic_id = ANY(${topics.array})`): string[] => [
      `${alias}.workspace_id = $1`,
      ...(user ? [`${alias}.assignee_id = ${user}`] : []),
      ...(filter.folder === "UNASSIGNED" ? [`${alias}.assignee_id IS NULL`] : []),
      ...(topic ? [`${alias}.topic_id = ${topic}`] : []),
      ...(topicsCondition ? [topicsCondition] : []),
      ...(status ? [`${alias}.status = ${status}`] : []),
    ];
    const where = perTopic ? folderOf("t", "t.topic_id = vt.id") : folderOf("t");
    let searched: string | undefined;
    if (filter.search) {
      const pattern = bind(containing(filter.search));
      searched = `(t.contact_id IN (SELECT id FROM contacts WHERE workspace_id = $1 AND name ILIKE ${pattern}
                    UNION SELECT contact_id FROM contact_urns WHERE workspace_id = $1 AND urn ILIKE ${pattern})
                 OR t.id IN (SELECT ticket_id FROM messages WHERE workspace_id = $1 AND text ILIKE ${pattern}))`;
      where.push(searched);
    }
    if (after) {
      where.push(
        `(t.status, t.last_activity_at, t.id) < (${bind(after.status)}, 'epoch'::timestamptz + ${bind(after.lastActivityUs)}::bigint * interval '1 microsecond', ${bind(after.id)}::uuid)`,
      );
      where.push(`pg_visible_in_snapshot(t.changed_tx::text::xid8, ${bind(after.snapshot)}::pg_snapshot)`);
    }
    // The exact count comes from the count rows in the same statement (and snapshot) as the page,
    // when asked (count: false spares reading them); search has none, but an export counts its
    // matches once, on its first page (countSearch).
    const totalCount = (() => {
      if (options.count === false) return "NULL::text";
      if (!searched) return `(SELECT coalesce(sum(d.delta), 0) FROM ticket_count_deltas d WHERE ${folderOf("d").join(" AND ")})::text`;
      if (options.countSearch && !after)
        return `(SELECT count(*) FROM tickets t WHERE ${[...folderOf("t"), searched].join(" AND ")})::text`;
      return "NULL::text";
    })();
    // Written in, rounded up to one of a few sizes: see db/page-limit.ts. Rows past `first` only
    // tell that a next page exists.
    const limit = pageLimit(first);
    const related = (Object.keys(TICKET_RELATED) as TicketRelatedKey[]).filter((key) => include[key]);
    const joined = withRelated(TICKET_RELATED, related);
    type Row = TicketRow & { sortKey: string; snapshot: string; horizon: string; totalCount: string | null } & Record<string, unknown>;
    const order = `t.status DESC, t.last_activity_at DESC, t.id DESC`;
    const source = perTopic
      ? `${topics.rows} AS vt(id)
         CROSS JOIN LATERAL (SELECT t.* FROM tickets t WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${limit}) t`
      : `tickets t WHERE ${where.join(" AND ")}`;
    // The page's tickets first, then what they refer to, joined to those rows alone.
    const rows = await ctx.work.query<Row[]>(
      `WITH s AS (SELECT pg_current_snapshot() AS snap)
       SELECT ${TICKET_COLUMNS}, (extract(epoch FROM t.last_activity_at) * 1000000)::bigint::text AS "sortKey"${joined.columns},
              s.snap::text AS snapshot, pg_snapshot_xmin(s.snap)::text || '.0' AS horizon, ${totalCount} AS "totalCount"
         FROM s LEFT JOIN LATERAL (SELECT t.* FROM ${source} ORDER BY ${order} LIMIT ${limit}) t ON true${joined.joins}
        ORDER BY ${order}`,
      params,
    );
    const tickets = rows
      .filter((r) => r.id !== null)
      .map((row): InboxTicket => {
        const { own, related } = joined.split(row);
        return Object.assign(own, { related: related as TicketRelated });
      });
    const counted = rows[0].totalCount;
    return {
      tickets: tickets.slice(0, first),
      hasNextPage: tickets.length > first,
      snapshot: after?.snapshot ?? rows[0].snapshot,
      eventCursor: rows[0].horizon,
      totalCount: counted === null ? null : Number(counted),
    };
  }

  /** Open and closed counts of each folder, and the count groups they come from. */
  async folderCounts(ctx: AuthedContext, groups: CountGroup[]): Promise<Array<{ folder: Folder; open: number; closed: number }>> {
    const visible = topicFilter(ctx.actor);
    return (["MINE", "UNASSIGNED", "ALL"] as const).map((folder) => {
      const sum = (status: TicketStatus) =>
        groups.filter((g) => matchesFolder(g, { folder, status }, ctx.actor.userId, visible)).reduce((total, g) => total + g.count, 0);
      return { folder, open: sum(TicketStatus.OPEN), closed: sum(TicketStatus.CLOSED) };
    });
  }

  /**
   * A ticket's thread by version: the first or last `limit` events after/before a version, each
   * with the users and message it names (a thread shows them all; reading them here saves a
   * statement per kind).
   */
  async thread(
    ctx: AuthedContext,
    ticketId: string,
    opts: { limit: number; afterVersion?: number; beforeVersion?: number; upToVersion?: number; fromEnd: boolean },
  ): Promise<ThreadEvent[]> {
    const related = Object.keys(EVENT_RELATED) as EventRelatedKey[];
    const joined = withRelated(EVENT_RELATED, related);
    const read = await ctx.work.query<Array<EventRow & Record<string, unknown>>>(
      `SELECT ${EVENT_COLUMNS}${joined.columns} FROM ticket_events e${joined.joins}
        WHERE e.workspace_id = $1 AND e.ticket_id = $2
          AND ($3::int IS NULL OR e.ticket_version > $3) AND ($4::int IS NULL OR e.ticket_version < $4)
          AND ($6::int IS NULL OR e.ticket_version <= $6)
        ORDER BY e.ticket_version ${opts.fromEnd ? "DESC" : "ASC"}
        LIMIT $5`,
      [ctx.actor.workspaceId, ticketId, opts.afterVersion ?? null, opts.beforeVersion ?? null, opts.limit, opts.upToVersion ?? null],
    );
    const rows = read.map((row): ThreadEvent => {
      const { own, related } = joined.split(row);
      return Object.assign(own, { related: related as ThreadEvent["related"] });
    });
    return opts.fromEnd ? rows.reverse() : rows;
  }

  /** The event that recorded a ticket's message (MESSAGE_RECEIVED or MESSAGE_SENT). */
  async eventOfMessage(ctx: AuthedContext, message: Pick<Message, "id" | "ticketId">): Promise<EventRow | undefined> {
    const [event] = await ctx.work.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM ticket_events e WHERE e.workspace_id = $1 AND e.ticket_id = $2 AND e.message_id = $3`,
      [ctx.actor.workspaceId, message.ticketId, message.id],
    );
    return event;
  }

  /** One event of the workspace (what a viewer sees of it: see.event). */
  async event(ctx: AuthedContext, id: string): Promise<EventRow | undefined> {
    const [event] = await ctx.work.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM ticket_events e WHERE e.workspace_id = $1 AND e.id = $2`,
      [ctx.actor.workspaceId, id],
    );
    return event;
  }

  /** Events after a cursor that the actor may see, oldest first (the catch-up feed). */
  async events(
    ctx: AuthedContext,
    opts: { after: ParsedCursor | undefined; ticketId?: string; topicIds?: string[]; types?: TicketEventType[]; limit: number },
  ): Promise<{ events: EventRow[]; horizon: string }> {
    const visible = topicFilter(ctx.actor);
    const topicIds = visible === null ? opts.topicIds : (opts.topicIds ?? visible).filter((id) => visible.includes(id));
    return readEventsAfter(ctx.work.em, ctx.actor.workspaceId, { ...opts, topicIds });
  }

  /** A contact's tickets the actor may see, newest first. */
  async contactTickets(
    ctx: AuthedContext,
    contactId: string,
    opts: { limit: number; after?: { openedUs: string; id: string } },
  ): Promise<Array<TicketRow & { sortKey: string }>> {
    const visible = topicFilter(ctx.actor);
    return ctx.work.query(
      `SELECT ${TICKET_COLUMNS}, (extract(epoch FROM t.opened_at) * 1000000)::bigint::text AS "sortKey"
         FROM tickets t
        WHERE t.workspace_id = $1 AND t.contact_id = $2
          AND ($3::uuid[] IS NULL OR t.topic_id = ANY($3))
          AND ($4::bigint IS NULL OR (t.opened_at, t.id) < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::uuid))
        ORDER BY t.opened_at DESC, t.id DESC
        LIMIT $6`,
      [ctx.actor.workspaceId, contactId, visible, opts.after?.openedUs ?? null, opts.after?.id ?? null, opts.limit],
    );
  }
}
