import type { Actor } from "../context";
import type { EventRow, TicketRow } from "../db/rows";
import { type ContactField, FieldAccess, type Message, Role, type Topic } from "../entities";

/**
 * The visibility policy: the one place that answers "may this viewer see this topic, ticket,
 * event, message or contact field". Every path that hands such an object to a client (root
 * fields, node/nodes, nested field resolvers, loaders, subscriptions, search) goes through it:
 * the GraphQL types of tickets, events, messages and topics are made only from `Seen` rows, which
 * only the functions below give out, so a new path that forgets the policy does not compile.
 *
 * The rules (DESIGN.md, Permissions and Teams):
 * - an agent with a team sees the tickets of the team's topics; topics outside them do not exist
 *   for them; everyone else sees every topic;
 * - an event is seen when its ticket was in one of the viewer's topics before or after it;
 * - a ticket's message is seen with its ticket; a message outside any ticket by every member
 *   (contacts are not topic-scoped);
 * - a ticket that has left the viewer's topics is seen, through the events it had there, as it was
 *   when it last was in them (`asLastSeen`), never as it is now;
 * - a ticket's history (its events, notes and messages) is seen up to the last version at which
 *   the ticket was in the viewer's topics: whole while it is in them, as help desks show a
 *   transferred ticket with its past; the event feed (ticketEvents) delivers an event, as it
 *   happens, only when its topic or previous topic is the viewer's;
 * - contact fields: administrators and editors see every field; agents see VIEW and EDIT fields and
 *   edit EDIT fields; a NONE field does not exist for them.
 */

/** Who looks: a role and, for an agent with a team, the team's topics (null: every topic). */
export type Viewer = Pick<Actor, "role" | "topicIds">;

declare const seen: unique symbol;
/** A row the policy let a viewer see: the only kind of row the GraphQL types are made from. */
export type Seen<T> = T & { readonly [seen]: true };

const mark = <T>(row: T): Seen<T> => row as Seen<T>;

/** Whose topics are asked about: a viewer, or a member who may be assigned a ticket. */
type TopicScope = Pick<Viewer, "topicIds">;

export function canSeeTopic(viewer: TopicScope, topicId: string): boolean {
  return viewer.topicIds === null || viewer.topicIds.includes(topicId);
}

/**
 * The topics a viewer's lists are confined to, for the SQL that reads them (null: every topic).
 * Rows read with it still pass through `see` before they reach a client.
 */
export function topicFilter(viewer: TopicScope): string[] | null {
  return viewer.topicIds;
}

export function canSeeTicket(viewer: TopicScope, ticket: Pick<TicketRow, "topicId">): boolean {
  return canSeeTopic(viewer, ticket.topicId);
}

export function canSeeEvent(viewer: TopicScope, event: Pick<EventRow, "topicId" | "previousTopicId">): boolean {
  return canSeeTopic(viewer, event.topicId) || (event.previousTopicId !== null && canSeeTopic(viewer, event.previousTopicId));
}

/** A ticket as a viewer sees it: as it is, or as it was when it last was in their topics. */
export type SeenTicket = Seen<TicketRow> & {
  /** Null when seen as it is; else the version it had when it last was in the viewer's topics. */
  asOfVersion: number | null;
};

export const see = {
  topic: (viewer: Viewer, topic: Topic | null | undefined): Seen<Topic> | null =>
    topic && canSeeTopic(viewer, topic.id) ? mark(topic) : null,

  topics: (viewer: Viewer, topics: Topic[]): Array<Seen<Topic>> => topics.filter((t) => canSeeTopic(viewer, t.id)).map(mark),

  /** A ticket as it is now, if it is in one of the viewer's topics. */
  ticket: (viewer: Viewer, ticket: TicketRow | null | undefined): SeenTicket | null =>
    ticket && canSeeTicket(viewer, ticket) ? { ...mark(ticket), asOfVersion: null } : null,

  tickets: (viewer: Viewer, tickets: TicketRow[]): SeenTicket[] =>
    tickets.filter((t) => canSeeTicket(viewer, t)).map((t) => ({ ...mark(t), asOfVersion: null })),

  /**
   * A ticket rebuilt from its events as it was at its last version in the viewer's topics (see
   * TicketHistory): what a viewer who saw it there may still see of it.
   */
  asLastSeen: (viewer: Viewer, past: TicketRow & { version: number }): SeenTicket | null =>
    canSeeTicket(viewer, past) ? { ...mark(past), asOfVersion: past.version } : null,

  event: <E extends EventRow>(viewer: Viewer, event: E | null | undefined): Seen<E> | null =>
    event && canSeeEvent(viewer, event) ? mark(event) : null,

  events: <E extends EventRow>(viewer: Viewer, events: E[]): Array<Seen<E>> => events.filter((e) => canSeeEvent(viewer, e)).map(mark),

  /** The events of a thread the viewer sees: a ticket's events up to the version it is seen at. */
  thread: <E extends EventRow>(ticket: SeenTicket, events: E[]): Array<Seen<E>> =>
    events.filter((e) => e.ticketId === ticket.id && (ticket.asOfVersion === null || e.ticketVersion <= ticket.asOfVersion)).map(mark),

  /**
   * A message, seen with the ticket it belongs to (`ticket`: that ticket's row, or its topic; a
   * viewer who sees every topic needs none).
   */
  message: (viewer: Viewer, message: Message | null | undefined, ticket: Pick<TicketRow, "topicId"> | null): Seen<Message> | null => {
    if (!message) return null;
    if (message.ticketId !== null && viewer.topicIds !== null && (ticket === null || !canSeeTicket(viewer, ticket))) return null;
    return mark(message);
  },

  /**
   * A ticket's message, seen when the ticket was in the viewer's topics at the message or later
   * (it is then in the thread of the ticket as they see it); a viewer of every topic sees them all.
   */
  messageInHistory: (
    viewer: Viewer,
    message: Message,
    at: { messageVersion: number | null; lastVersionInTopics: number | null },
  ): Seen<Message> | null => {
    if (message.ticketId === null || viewer.topicIds === null) return mark(message);
    const { messageVersion, lastVersionInTopics } = at;
    return messageVersion !== null && lastVersionInTopics !== null && lastVersionInTopics >= messageVersion ? mark(message) : null;
  },

  /** The message an event the viewer sees names: seen with it. */
  messageOfEvent: (event: Seen<EventRow>, message: Message | null | undefined): Seen<Message> | null =>
    message && message.id === event.messageId ? mark(message) : null,

  /** A message of a ticket the viewer sees (its last message, say): seen with it. */
  messageOfTicket: (ticket: SeenTicket, message: Message | null | undefined): Seen<Message> | null =>
    message && message.ticketId === ticket.id ? mark(message) : null,
};

/** Whose ticket statistics a viewer reads: those of some topics (null: all), or of one member only. */
export interface StatisticsScope {
  topicIds: string[] | null;
  memberId: string | null;
}

/**
 * Administrators and editors read the workspace's statistics; an agent with a team, those of the
 * team's topics; an agent without a team, their own figures (what they were assigned, replied,
 * and closed as assignee).
 */
export function statisticsScope(viewer: Pick<Actor, "role" | "topicIds" | "teamId" | "userId">): StatisticsScope {
  if (viewer.role === Role.AGENT && viewer.teamId === null) return { topicIds: null, memberId: viewer.userId };
  return { topicIds: viewer.topicIds, memberId: null };
}

/** A contact field as one viewer sees it. */
export interface VisibleField {
  field: ContactField;
  editable: boolean;
}

/**
 * Which contact fields a role sees and edits. Every reader of field values (the field resolvers,
 * search, the note renderer) goes through it.
 */
export function fieldsVisibleTo(role: Role, fields: ContactField[]): VisibleField[] {
  if (role !== Role.AGENT) return fields.map((field) => ({ field, editable: true }));
  return fields
    .filter((field) => field.agentAccess !== FieldAccess.NONE)
    .map((field) => ({ field, editable: field.agentAccess === FieldAccess.EDIT }));
}
