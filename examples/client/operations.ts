/**
 * The operations of the example inbox, each named, with variables, typed by graphql-codegen
 * (codegen.ts). Every mutation selects the id (and what changed) of each object it returns,
 * so that Apollo's cache updates them in place; bulk changes select `counts`, so that the
 * folder counts need no refetch.
 */
import { graphql } from "./generated";

export const INBOX = graphql(`
  query Inbox($filter: TicketFilter, $first: Int, $after: String) {
    tickets(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          status
          version
          lastActivityAt
          assignee {
            id
            name
          }
          contact {
            id
            name
          }
          topic {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const INBOX_COUNTS = graphql(`
  query InboxCounts {
    ticketCounts {
      folders {
        id
        folder
        open
        closed
      }
      topics {
        id
        name
        openCount
      }
    }
  }
`);

export const ME = graphql(`
  query Me {
    viewer {
      role
      user {
        id
        name
      }
    }
  }
`);

/** What a form needs of a user error: the field in both forms, the code to switch on, the message. */
export const PROBLEM = graphql(`
  fragment Problem on UserError {
    field
    fieldPath
    code
    message
  }
`);

/** The counts every bulk change returns, written over the cached ones. */
export const BULK_COUNTS = graphql(`
  fragment BulkCounts on TicketCounts {
    folders {
      id
      folder
      open
      closed
    }
    topics {
      id
      openCount
    }
  }
`);

export const ASSIGN_TICKETS = graphql(`
  mutation AssignTickets($input: AssignTicketsInput!) {
    assignTickets(input: $input) {
      tickets {
        id
        status
        version
        assignee {
          id
          name
        }
      }
      counts {
        ...BulkCounts
      }
      failures {
        ticketId
        code
        message
        ticket {
          id
          status
          version
          assignee {
            id
            name
          }
        }
      }
      userErrors {
        ...Problem
      }
    }
  }
`);

export const CLOSE_TICKETS = graphql(`
  mutation CloseTickets($input: CloseTicketsInput!) {
    closeTickets(input: $input) {
      tickets {
        id
        status
        version
        closedAt
      }
      counts {
        ...BulkCounts
      }
      failures {
        ticketId
        code
        message
        ticket {
          id
          status
          version
        }
      }
      userErrors {
        ...Problem
      }
    }
  }
`);

export const LIVE_EVENTS = graphql(`
  subscription LiveEvents($after: String) {
    ticketEvents(after: $after) {
      id
      cursor
      type
      ticket {
        id
        status
        version
      }
    }
  }
`);
