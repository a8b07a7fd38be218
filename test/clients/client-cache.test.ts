// The cache policies of examples/client/apollo.ts, on the cache alone: a tickets list keeps the
// tickets that match its filter as the cache knows them; an explicit null status means both.
import { gql } from "@apollo/client";
import { handoverCache } from "../../examples/client/apollo";

const LIST = gql`
  query List($filter: TicketFilter) {
    tickets(filter: $filter, first: 10) {
      edges {
        cursor
        node {
          id
          status
          assignee {
            id
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

function edge(id: string, status: "OPEN" | "CLOSED", assignee: string | null) {
  return {
    __typename: "TicketEdge",
    cursor: `c${id}`,
    node: { __typename: "Ticket", id, status, assignee: assignee ? { __typename: "User", id: assignee } : null },
  };
}

function listed(filter: Record<string, unknown> | undefined, edges: ReturnType<typeof edge>[]): string[] {
  const cache = handoverCache();
  const page = { __typename: "TicketConnection", edges, pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: "c" } };
  cache.writeQuery({ query: LIST, variables: { filter }, data: { tickets: page } });
  const read = cache.readQuery<{ tickets: { edges: Array<{ node: { id: string } }> } }>({ query: LIST, variables: { filter } });
  return read?.tickets.edges.map((e) => e.node.id) ?? [];
}

it("keeps both statuses for status: null, open ones when status is left out", () => {
  const edges = [edge("1", "OPEN", null), edge("2", "CLOSED", null)];
  expect(listed({ status: null }, edges)).toEqual(["1", "2"]);
  expect(listed({}, edges)).toEqual(["1"]);
  expect(listed(undefined, edges)).toEqual(["1"]);
  expect(listed({ status: "CLOSED" }, edges)).toEqual(["2"]);
});

it("keeps only unassigned tickets in an UNASSIGNED list", () => {
  expect(listed({ folder: "UNASSIGNED" }, [edge("1", "OPEN", null), edge("2", "OPEN", "u1")])).toEqual(["1"]);
});
