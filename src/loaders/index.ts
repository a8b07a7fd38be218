import DataLoader from "dataloader";
import { In } from "typeorm";
import type { Work } from "../db/unit-of-work";
import { type ContactField, type ContactNote, Flow, type Message, type Team, Topic, User } from "../entities";
import {
  byDisplayOrder,
  CONTACT_COLUMNS,
  type ContactWithUrns,
  type CountGroup,
  countGroups,
  EVENT_COLUMNS,
  type EventRow,
  fieldsOf,
  MESSAGE_COLUMNS,
  withRelated,
  TICKET_COLUMNS,
  ticketColumnsWith,
  TEAM_COLUMNS,
  TICKET_RELATED,
  type TicketRow,
  TOPIC_COLUMNS,
  USER_COLUMNS,
  withDates,
} from "../db/rows";

/**
 * Batches per request: each loader issues one statement per tick, whatever the page size.
 * Tenant loaders read only the request's workspace; visibility rules stay in the resolvers
 * and services that hand out ids.
 */
export interface Loaders {
  user: DataLoader<string, User | null>;
  topic: DataLoader<string, Topic | null>;
  contact: DataLoader<string, ContactWithUrns | null>;
  flow: DataLoader<string, Flow | null>;
  message: DataLoader<string, Message | null>;
  ticket: DataLoader<string, TicketRow | null>;
  /**
   * A ticket rebuilt from its events as it was at its last version in the viewer's topics (null
   * when it never was in them): how a team agent sees a ticket that has left their topics.
   */
  ticketAsLastSeen: DataLoader<string, TicketRow | null>;
  openTicketOfContact: DataLoader<string, TicketRow | null>;
  /** A page of a ticket's notes, oldest first (see NotesPage). */
  notesOfTicket: DataLoader<NotesPage, EventRow[], string>;
  team: DataLoader<string, Team | null>;
  /** A team's topics, in name order (none when allTopics). */
  topicsOfTeam: DataLoader<string, Topic[]>;
  /** The workspace's count groups, read once per request. */
  counts: () => Promise<CountGroup[]>;
  /** Every contact field of the workspace, in display order, read once per request. */
  fields: () => Promise<ContactField[]>;
  /** A contact's stored values by field id. */
  fieldValues: DataLoader<string, Map<string, string>>;
  /** A contact's notepad versions, newest first. */
  notepad: DataLoader<string, ContactNote[]>;
}

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): Array<T | null> {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function tenantOnly(workspaceId: string | undefined): string {
  if (!workspaceId) throw new Error("a tenant loader was used before authentication");
  return workspaceId;
}

/** Which of a ticket's notes a page holds: the first or last `take`, up to a version (null: all). */
export interface NotesPage {
  ticketId: string;
  take: number;
  fromEnd: boolean;
  upToVersion: number | null;
}

/** The rows a ticket names, read with it: what its page or detail shows next to it. */
const TICKET_WITH = ["contact", "topic", "assignee"] as const;
const TICKET_JOINED = withRelated(TICKET_RELATED, TICKET_WITH);

/**
 * Tickets as they were at their last version in some topics ($3; null: any), rebuilt from their
 * events: each event records the topic after it, OPENED and ASSIGNED the assignee, and every event
 * but ASSIGNED moved lastActivityAt. Every other column (what never changes: contact, opening)
 * comes from the ticket as it is.
 */
const TICKETS_AS_LAST_SEEN = `
  WITH last AS (
    SELECT e.ticket_id, max(e.ticket_version) AS version
      FROM ticket_events e
     WHERE e.workspace_id = $1 AND e.ticket_id = ANY($2) AND ($3::uuid[] IS NULL OR e.topic_id = ANY($3))
     GROUP BY e.ticket_id
  )
  SELECT ${ticketColumnsWith({
    version: "l.version",
    topicId: "h.topic_id",
    status: "h.status",
    assigneeId: "h.assignee_id",
    lastActivityAt: "h.last_activity_at",
    closedAt: "CASE WHEN h.status = 'CLOSED' THEN h.closed_at END",
    repliedAt: "h.replied_at",
    lastMessageId: "h.last_message_id",
  })}
    FROM last l
    JOIN tickets t ON t.workspace_id = $1 AND t.id = l.ticket_id
    CROSS JOIN LATERAL (
      SELECT (array_agg(e.topic_id ORDER BY e.ticket_version DESC))[1] AS topic_id,
             CASE (array_agg(e.type ORDER BY e.ticket_version DESC) FILTER (WHERE e.type IN ('OPENED', 'CLOSED', 'REOPENED')))[1]
               WHEN 'CLOSED' THEN 'CLOSED' ELSE 'OPEN' END AS status,
             (array_agg(e.assignee_id ORDER BY e.ticket_version DESC) FILTER (WHERE e.type IN ('OPENED', 'ASSIGNED')))[1] AS assignee_id,
             max(e.created_at) FILTER (WHERE e.type <> 'ASSIGNED') AS last_activity_at,
             max(e.created_at) FILTER (WHERE e.type = 'CLOSED') AS closed_at,
             min(e.created_at) FILTER (WHERE e.type = 'MESSAGE_SENT') AS replied_at,
             (array_agg(e.message_id ORDER BY e.ticket_version DESC) FILTER (WHERE e.message_id IS NOT NULL))[1] AS last_message_id
        FROM ticket_events e
       WHERE e.workspace_id = $1 AND e.ticket_id = l.ticket_id AND e.ticket_version <= l.version
    ) h`;

/** A contact's field values and notepad versions: what a contact's detail shows, read together. */
interface ContactExtras {
  values: Map<string, string>;
  notes: ContactNote[];
}

/**
 * The loaders of one request. They read through the request's unit of work: inside a mutation's
 * transaction, on its connection, and seeing its writes.
 */
export function createLoaders(work: Work, workspaceId: string | undefined, viewerTopics: () => string[] | null = () => null): Loaders {
  let counts: Promise<CountGroup[]> | undefined;
  let fields: Promise<ContactField[]> | undefined;
  const rowsById = async <T extends { id: string }>(sql: string, ids: readonly string[]) =>
    byId(await work.query<T[]>(sql, [tenantOnly(workspaceId), ids]), ids);
  const user = new DataLoader<string, User | null>(async (ids) =>
    byId(await work.em.getRepository(User).findBy({ id: In([...ids]) }), ids),
  );
  const topic = new DataLoader<string, Topic | null>(async (ids) =>
    byId(await work.em.getRepository(Topic).findBy({ workspaceId: tenantOnly(workspaceId), id: In([...ids]) }), ids),
  );
  const contact = new DataLoader<string, ContactWithUrns | null>((ids) =>
    rowsById<ContactWithUrns>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.workspace_id = $1 AND c.id = ANY($2)`, ids),
  );
  const extras = new DataLoader<string, ContactExtras>(async (contactIds) => {
    const rows = await work.query<Array<{ id: string; values: Record<string, string>; notes: Array<Record<string, unknown>> }>>(
      `SELECT c.id,
              (SELECT coalesce(jsonb_object_agg(v.field_id, v.value), '{}') FROM contact_field_values v
                WHERE v.workspace_id = $1 AND v.contact_id = c.id) AS values,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('id', n.id, 'workspaceId', n.workspace_id, 'contactId', n.contact_id,
                        'text', n.text, 'authorId', n.author_id, 'createdAt', n.created_at,
                        'author', (SELECT to_jsonb(x) FROM (SELECT ${USER_COLUMNS} FROM users u WHERE u.id = n.author_id) x))
                      ORDER BY n.created_at DESC, n.id DESC), '[]')
                 FROM contact_notes n WHERE n.workspace_id = $1 AND n.contact_id = c.id) AS notes
         FROM unnest($2::uuid[]) AS c(id)`,
      [tenantOnly(workspaceId), contactIds],
    );
    const byContact = new Map(
      rows.map((row) => {
        const notes = row.notes.map(({ author, ...note }) => {
          if (author) user.prime(note.authorId as string, withDates<User>(author as Record<string, unknown>, "createdAt"));
          return withDates<ContactNote>(note, "createdAt");
        });
        return [row.id, { values: new Map(Object.entries(row.values)), notes }];
      }),
    );
    return contactIds.map((id) => byContact.get(id) ?? { values: new Map(), notes: [] });
  });
  return {
    user,
    topic,
    flow: new DataLoader(async (ids) =>
      byId(await work.em.getRepository(Flow).findBy({ workspaceId: tenantOnly(workspaceId), id: In([...ids]) }), ids),
    ),
    contact,
    message: new DataLoader((ids) =>
      rowsById<Message>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.workspace_id = $1 AND m.id = ANY($2)`, ids),
    ),
    ticket: new DataLoader(async (ids) => {
      const rows = await work.query<Array<TicketRow & Record<string, unknown>>>(
        `SELECT ${TICKET_COLUMNS}${TICKET_JOINED.columns} FROM tickets t${TICKET_JOINED.joins}
          WHERE t.workspace_id = $1 AND t.id = ANY($2)`,
        [tenantOnly(workspaceId), ids],
      );
      for (const row of rows) {
        const { related } = TICKET_JOINED.split(row);
        if (related.contact) contact.prime(row.contactId, related.contact as ContactWithUrns);
        if (related.topic) topic.prime(row.topicId, related.topic as Topic);
        if (related.assignee && row.assigneeId) user.prime(row.assigneeId, related.assignee as User);
      }
      return byId(rows, ids);
    }),
    team: new DataLoader((ids) => rowsById<Team>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE workspace_id = $1 AND id = ANY($2)`, ids)),
    topicsOfTeam: new DataLoader(async (teamIds) => {
      const rows = await work.query<Array<Topic & { teamId: string }>>(
        `SELECT ${TOPIC_COLUMNS}, tt.team_id AS "teamId"
           FROM team_topics tt JOIN topics tp ON tp.id = tt.topic_id
          WHERE tt.workspace_id = $1 AND tt.team_id = ANY($2) ORDER BY lower(tp.name)`,
        [tenantOnly(workspaceId), teamIds],
      );
      return teamIds.map((id) => rows.filter((r) => r.teamId === id));
    }),
    ticketAsLastSeen: new DataLoader(async (ticketIds) => {
      const rows = await work.query<TicketRow[]>(TICKETS_AS_LAST_SEEN, [tenantOnly(workspaceId), ticketIds, viewerTopics()]);
      return byId(rows, ticketIds);
    }),
    openTicketOfContact: new DataLoader(async (contactIds) => {
      const rows = await work.query<TicketRow[]>(
        `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.workspace_id = $1 AND t.contact_id = ANY($2) AND t.status = 'OPEN'`,
        [tenantOnly(workspaceId), contactIds],
      );
      const map = new Map(rows.map((r) => [r.contactId, r]));
      return contactIds.map((id) => map.get(id) ?? null);
    }),
    // Each page reads only its own notes, however many the ticket has.
    notesOfTicket: new DataLoader<NotesPage, EventRow[], string>(
      async (pages) => {
        const rows = await work.query<Array<EventRow & { page: number }>>(
          `SELECT k.n AS page, e.* FROM unnest($2::uuid[], $3::int[], $4::boolean[], $5::int[]) WITH ORDINALITY AS k(ticket_id, take, from_end, up_to, n)
             CROSS JOIN LATERAL (
               SELECT ${EVENT_COLUMNS} FROM ticket_events e
                WHERE e.workspace_id = $1 AND e.ticket_id = k.ticket_id AND e.note IS NOT NULL
                  AND (k.up_to IS NULL OR e.ticket_version <= k.up_to)
                ORDER BY CASE WHEN k.from_end THEN -e.ticket_version ELSE e.ticket_version END
                LIMIT k.take) e`,
          [
            tenantOnly(workspaceId),
            pages.map((p) => p.ticketId),
            pages.map((p) => p.take),
            pages.map((p) => p.fromEnd),
            pages.map((p) => p.upToVersion),
          ],
        );
        return pages.map((_, i) =>
          rows
            .filter((r) => Number(r.page) === i + 1)
            .map(({ page: _page, ...e }) => e)
            .sort((a, b) => a.ticketVersion - b.ticketVersion),
        );
      },
      { cacheKeyFn: (p) => `${p.ticketId}:${p.take}:${p.fromEnd}:${p.upToVersion}` },
    ),
    counts: () => (counts ??= countGroups(work.em, tenantOnly(workspaceId))),
    fields: () => (fields ??= fieldsOf(work.em, tenantOnly(workspaceId)).then((rows) => rows.sort(byDisplayOrder))),
    fieldValues: new DataLoader(async (contactIds) => (await extras.loadMany(contactIds)).map((e) => (e instanceof Error ? e : e.values))),
    notepad: new DataLoader(async (contactIds) => (await extras.loadMany(contactIds)).map((e) => (e instanceof Error ? e : e.notes))),
  };
}
