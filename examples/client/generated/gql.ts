/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Inbox($filter: TicketFilter, $first: Int, $after: String) {\n    tickets(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          version\n          lastActivityAt\n          assignee {\n            id\n            name\n          }\n          contact {\n            id\n            name\n          }\n          topic {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.InboxDocument,
    "\n  query InboxCounts {\n    ticketCounts {\n      folders {\n        id\n        folder\n        open\n        closed\n      }\n      topics {\n        id\n        name\n        openCount\n      }\n    }\n  }\n": typeof types.InboxCountsDocument,
    "\n  query Me {\n    viewer {\n      role\n      user {\n        id\n        name\n      }\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment Problem on UserError {\n    field\n    fieldPath\n    code\n    message\n  }\n": typeof types.ProblemFragmentDoc,
    "\n  fragment BulkCounts on TicketCounts {\n    folders {\n      id\n      folder\n      open\n      closed\n    }\n    topics {\n      id\n      openCount\n    }\n  }\n": typeof types.BulkCountsFragmentDoc,
    "\n  mutation AssignTickets($input: AssignTicketsInput!) {\n    assignTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        assignee {\n          id\n          name\n        }\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n          assignee {\n            id\n            name\n          }\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n": typeof types.AssignTicketsDocument,
    "\n  mutation CloseTickets($input: CloseTicketsInput!) {\n    closeTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        closedAt\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n": typeof types.CloseTicketsDocument,
    "\n  subscription LiveEvents($after: String) {\n    ticketEvents(after: $after) {\n      id\n      cursor\n      type\n      ticket {\n        id\n        status\n        version\n      }\n    }\n  }\n": typeof types.LiveEventsDocument,
};
const documents: Documents = {
    "\n  query Inbox($filter: TicketFilter, $first: Int, $after: String) {\n    tickets(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          version\n          lastActivityAt\n          assignee {\n            id\n            name\n          }\n          contact {\n            id\n            name\n          }\n          topic {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.InboxDocument,
    "\n  query InboxCounts {\n    ticketCounts {\n      folders {\n        id\n        folder\n        open\n        closed\n      }\n      topics {\n        id\n        name\n        openCount\n      }\n    }\n  }\n": types.InboxCountsDocument,
    "\n  query Me {\n    viewer {\n      role\n      user {\n        id\n        name\n      }\n    }\n  }\n": types.MeDocument,
    "\n  fragment Problem on UserError {\n    field\n    fieldPath\n    code\n    message\n  }\n": types.ProblemFragmentDoc,
    "\n  fragment BulkCounts on TicketCounts {\n    folders {\n      id\n      folder\n      open\n      closed\n    }\n    topics {\n      id\n      openCount\n    }\n  }\n": types.BulkCountsFragmentDoc,
    "\n  mutation AssignTickets($input: AssignTicketsInput!) {\n    assignTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        assignee {\n          id\n          name\n        }\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n          assignee {\n            id\n            name\n          }\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n": types.AssignTicketsDocument,
    "\n  mutation CloseTickets($input: CloseTicketsInput!) {\n    closeTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        closedAt\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n": types.CloseTicketsDocument,
    "\n  subscription LiveEvents($after: String) {\n    ticketEvents(after: $after) {\n      id\n      cursor\n      type\n      ticket {\n        id\n        status\n        version\n      }\n    }\n  }\n": types.LiveEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inbox($filter: TicketFilter, $first: Int, $after: String) {\n    tickets(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          version\n          lastActivityAt\n          assignee {\n            id\n            name\n          }\n          contact {\n            id\n            name\n          }\n          topic {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Inbox($filter: TicketFilter, $first: Int, $after: String) {\n    tickets(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          version\n          lastActivityAt\n          assignee {\n            id\n            name\n          }\n          contact {\n            id\n            name\n          }\n          topic {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InboxCounts {\n    ticketCounts {\n      folders {\n        id\n        folder\n        open\n        closed\n      }\n      topics {\n        id\n        name\n        openCount\n      }\n    }\n  }\n"): (typeof documents)["\n  query InboxCounts {\n    ticketCounts {\n      folders {\n        id\n        folder\n        open\n        closed\n      }\n      topics {\n        id\n        name\n        openCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    viewer {\n      role\n      user {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    viewer {\n      role\n      user {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Problem on UserError {\n    field\n    fieldPath\n    code\n    message\n  }\n"): (typeof documents)["\n  fragment Problem on UserError {\n    field\n    fieldPath\n    code\n    message\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BulkCounts on TicketCounts {\n    folders {\n      id\n      folder\n      open\n      closed\n    }\n    topics {\n      id\n      openCount\n    }\n  }\n"): (typeof documents)["\n  fragment BulkCounts on TicketCounts {\n    folders {\n      id\n      folder\n      open\n      closed\n    }\n    topics {\n      id\n      openCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssignTickets($input: AssignTicketsInput!) {\n    assignTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        assignee {\n          id\n          name\n        }\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n          assignee {\n            id\n            name\n          }\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssignTickets($input: AssignTicketsInput!) {\n    assignTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        assignee {\n          id\n          name\n        }\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n          assignee {\n            id\n            name\n          }\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloseTickets($input: CloseTicketsInput!) {\n    closeTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        closedAt\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CloseTickets($input: CloseTicketsInput!) {\n    closeTickets(input: $input) {\n      tickets {\n        id\n        status\n        version\n        closedAt\n      }\n      counts {\n        ...BulkCounts\n      }\n      failures {\n        ticketId\n        code\n        message\n        ticket {\n          id\n          status\n          version\n        }\n      }\n      userErrors {\n        ...Problem\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveEvents($after: String) {\n    ticketEvents(after: $after) {\n      id\n      cursor\n      type\n      ticket {\n        id\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveEvents($after: String) {\n    ticketEvents(after: $after) {\n      id\n      cursor\n      type\n      ticket {\n        id\n        status\n        version\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;