import DataLoader from "dataloader";
import { type DataSource, In } from "typeorm";
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
  fieldValuesOf,
  MESSAGE_COLUMNS,
  TICKET_COLUMNS,
  type TicketRow,
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
  openTicketOfContact: DataLoader<string, TicketRow | null>;
  notesOfTicket: DataLoader<string, EventRow[]>;
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

export function createLoaders(db: DataSource, workspaceId: string | undefined): Loaders {
  let counts: Promise<CountGroup[]> | undefined;
  let fields: Promise<ContactField[]> | undefined;
  const rowsById = async <T extends { id: string }>(sql: string, ids: readonly string[]) =>
    byId(await db.query<T[]>(sql, [tenantOnly(workspaceId), ids]), ids);
  return {
    user: new DataLoader(async (ids) => byId(await db.getRepository(User).findBy({ id: In([...ids]) }), ids)),
    topic: new DataLoader(async (ids) =>
      byId(await db.getRepository(Topic).findBy({ workspaceId: tenantOnly(workspaceId), id: In([...ids]) }), ids),
    ),
    flow: new DataLoader(async (ids) =>
      byId(await db.getRepository(Flow).findBy({ workspaceId: tenantOnly(workspaceId), id: In([...ids]) }), ids),
    ),
    contact: new DataLoader((ids) =>
      rowsById<ContactWithUrns>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.workspace_id = $1 AND c.id = ANY($2)`, ids),
    ),
    message: new DataLoader((ids) =>
      rowsById<Message>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.workspace_id = $1 AND m.id = ANY($2)`, ids),
    ),
    ticket: new DataLoader((ids) =>
      rowsById<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.workspace_id = $1 AND t.id = ANY($2)`, ids),
    ),
    team: new DataLoader((ids) =>
      rowsById<Team>(
        `SELECT id, workspace_id AS "workspaceId", name, all_topics AS "allTopics", created_at AS "createdAt" FROM teams WHERE workspace_id = $1 AND id = ANY($2)`,
        ids,
      ),
    ),
    topicsOfTeam: new DataLoader(async (teamIds) => {
      const rows = await db.query<Array<Topic & { teamId: string }>>(
        `SELECT t.id, t.workspace_id AS "workspaceId", t.name, t.is_system AS "isSystem", t.created_at AS "createdAt", t.deleted_at AS "deletedAt",
                tt.team_id AS "teamId"
           FROM team_topics tt JOIN topics t ON t.id = tt.topic_id
          WHERE tt.workspace_id = $1 AND tt.team_id = ANY($2) ORDER BY lower(t.name)`,
        [tenantOnly(workspaceId), teamIds],
      );
      return teamIds.map((id) => rows.filter((r) => r.teamId === id));
    }),
    openTicketOfContact: new DataLoader(async (contactIds) => {
      const rows = await db.query<TicketRow[]>(
        `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.workspace_id = $1 AND t.contact_id = ANY($2) AND t.status = 'OPEN'`,
        [tenantOnly(workspaceId), contactIds],
      );
      const map = new Map(rows.map((r) => [r.contactId, r]));
      return contactIds.map((id) => map.get(id) ?? null);
    }),
    notesOfTicket: new DataLoader(async (ticketIds) => {
      const rows = await db.query<EventRow[]>(
        `SELECT ${EVENT_COLUMNS} FROM ticket_events e
          WHERE e.workspace_id = $1 AND e.ticket_id = ANY($2) AND e.note IS NOT NULL
          ORDER BY e.ticket_id, e.ticket_version`,
        [tenantOnly(workspaceId), ticketIds],
      );
      return ticketIds.map((id) => rows.filter((r) => r.ticketId === id));
    }),
    counts: () => (counts ??= countGroups(db, tenantOnly(workspaceId))),
    fields: () => (fields ??= fieldsOf(db, tenantOnly(workspaceId)).then((rows) => rows.sort(byDisplayOrder))),
    fieldValues: new DataLoader(async (contactIds) => {
      const values = await fieldValuesOf(db, tenantOnly(workspaceId), contactIds);
      return contactIds.map((id) => values.get(id) ?? new Map<string, string>());
    }),
    notepad: new DataLoader(async (contactIds) => {
      const rows = await db.query<ContactNote[]>(
        `SELECT id, workspace_id AS "workspaceId", contact_id AS "contactId", text, author_id AS "authorId", created_at AS "createdAt"
           FROM contact_notes WHERE workspace_id = $1 AND contact_id = ANY($2)
          ORDER BY created_at DESC, id DESC`,
        [tenantOnly(workspaceId), contactIds],
      );
      return contactIds.map((id) => rows.filter((r) => r.contactId === id));
    }),
  };
}
