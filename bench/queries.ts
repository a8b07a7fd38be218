/** The operations the scenarios send, as a frontend or an integrator would. */

export const INBOX_SELECTION = (withTotalCount: boolean) =>
  `${withTotalCount ? "totalCount " : ""}edges { cursor node { id lastActivityAt contact { name urns } topic { name } assignee { name } } } pageInfo { endCursor hasNextPage }`;

/** The inbox folder every comparison loads: all open tickets. */
export const OPEN_INBOX = { folder: "ALL", status: "OPEN" } as const;

/** The body of an inbox page request exactly as the scenarios load it (and check-targets checks it). */
export const inboxBody = (filter: Record<string, unknown>, options: { first?: number; withTotalCount?: boolean } = {}) =>
  body(inboxQuery(options.withTotalCount ?? true), { filter, first: options.first ?? 25 });

export const inboxQuery = (withTotalCount = true) =>
  `query Inbox($filter: TicketFilter, $first: Int, $after: String) { tickets(filter: $filter, first: $first, after: $after) { ${INBOX_SELECTION(withTotalCount)} } }`;

export const DETAIL_QUERY = `query TicketDetail($id: ID!) {
  node(id: $id) {
    ... on Ticket {
      id status version openedAt lastActivityAt
      topic { id name }
      assignee { id name }
      contact {
        id name urns language
        fields { field { key name } value editable }
        notepad { text createdAt author { name } }
      }
      events(last: 50) {
        nodes { cursor type ticketVersion createdAt note actor { name } assignee { name } message { text direction status } }
        pageInfo { hasPreviousPage startCursor }
      }
    }
  }
}`;

const BULK = `tickets { id status version } failures { code } userErrors { code }`;

/** One write per request through the bulk mutations: assign, note, close, reopen. */
export const WRITES = {
  assign: `mutation Assign($i: AssignTicketsInput!) { assignTickets(input: $i) { ${BULK} } }`,
  note: `mutation Note($i: AddTicketNoteInput!) { addTicketNote(input: $i) { ${BULK} } }`,
  close: `mutation Close($i: CloseTicketsInput!) { closeTickets(input: $i) { ${BULK} } }`,
  reopen: `mutation Reopen($i: ReopenTicketsInput!) { reopenTickets(input: $i) { ${BULK} } }`,
};

export const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
