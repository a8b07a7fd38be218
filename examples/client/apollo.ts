/**
 * Apollo Client 4 for Handover, in a browser or in Node: queries and mutations over HTTP with
 * automatic persisted queries, subscriptions over graphql-ws through a link that resumes from
 * the last delivered cursor, and a cache that merges inbox pages and keeps counts up to date.
 * docs/clients.md explains each choice.
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, type FieldFunctionOptions, HttpLink, InMemoryCache, type Reference, type StoreObject } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { relayStylePagination } from "@apollo/client/utilities";
import { type Client, createClient } from "graphql-ws";
import { OperationTypeNode, print } from "graphql";
import { Observable } from "rxjs";
import { resumingRetries, subscribeResuming, type ResumeOptions } from "./resume";

// Partial answers are answers: with errorPolicy "all", a NOT_FOUND at one index of nodes(ids:)
// keeps the others, and a result carries both data and error. Declared for the types too, in
// the namespaces where Apollo Client looks for it.
/* eslint-disable @typescript-eslint/no-namespace */
declare module "@apollo/client" {
  export namespace ApolloClient {
    export namespace DeclareDefaultOptions {
      interface WatchQuery {
        errorPolicy: "all";
      }
      interface Query {
        errorPolicy: "all";
      }
      interface Mutate {
        errorPolicy: "all";
      }
    }
  }
}
/* eslint-enable @typescript-eslint/no-namespace */

/**
 * The link for subscriptions. Apollo's own GraphQLWsLink gives graphql-ws a copy of the
 * variables, so a retry after a restart sends the `after` the subscription started with, and
 * the client gets every event since then again. This one resumes from the last delivered
 * cursor and drops repeats by id (see resume.ts).
 */
export class ResumingWsLink extends ApolloLink {
  constructor(
    private readonly client: Client,
    private readonly options: ResumeOptions = {},
  ) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    return new Observable<ApolloLink.Result>((observer) =>
      subscribeResuming<Record<string, unknown>>(
        this.client,
        { query: print(operation.query), operationName: operation.operationName, variables: operation.variables },
        {
          next: (result) => observer.next(result as ApolloLink.Result),
          complete: () => observer.complete(),
          error: (error) => observer.error(closeError(error)),
        },
        this.options,
      ),
    );
  }
}

/**
 * graphql-ws reports a close as the CloseEvent itself, and GraphQL errors as an array. The
 * close's reason (4403 UNAUTHENTICATED or MEMBER_REMOVED) is what a client switches on.
 */
function closeError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) return new CombinedGraphQLErrors({ errors: error });
  const close = error as { code?: unknown; reason?: unknown };
  if (typeof close?.code === "number") {
    return Object.assign(new Error(`Socket closed with ${close.code} ${String(close.reason ?? "")}`.trim()), {
      code: close.code,
      reason: String(close.reason ?? ""),
    });
  }
  return new Error(String(error));
}

/** SHA-256 of a query's text, hex, for automatic persisted queries (browsers and Node 20+). */
async function sha256(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The cache:
 * - `tickets(filter:, after:, first:)` pages merge into one list per filter
 *   (relayStylePagination keyed on the filter), and a list shows only the tickets that still
 *   match its filter as the cache knows them: a ticket closed or assigned by a mutation whose
 *   answer selected its status and assignee leaves the open and unassigned lists at once;
 * - TicketCounts has no id: with `keyFields: []` it is one object, which `ticketCounts` and
 *   every bulk change's `counts` write, so the folder counts follow each change; each
 *   FolderCount is normalised by its id, and each Topic's openCount by the topic's.
 */
export function handoverCache(): InMemoryCache {
  const tickets = relayStylePagination(["filter"]);
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          tickets: {
            ...tickets,
            read(existing, options) {
              const page = tickets.read?.(existing, options);
              if (!page) return page;
              const filter = (options.args?.filter ?? {}) as TicketFilterArgs;
              const viewerId = viewerUserId(options.readField);
              const edges = (page.edges ?? []).filter((edge) => !("node" in edge) || stillMatches(edge.node as Reference, filter, viewerId, options.readField));
              return { ...page, edges };
            },
          },
          contacts: relayStylePagination(["search"]),
          ticketEvents: relayStylePagination(["filter"]),
        },
      },
      TicketCounts: { keyFields: [] },
    },
  });
}

/** A tickets filter as the query gave it: an absent status means OPEN, an explicit null both. */
type TicketFilterArgs = { folder?: "ALL" | "MINE" | "UNASSIGNED" | null; status?: "OPEN" | "CLOSED" | null; topicId?: string | null };
type ReadField = FieldFunctionOptions["readField"];

/** The signed-in user's id, when `viewer { user { id } }` was asked. */
function viewerUserId(readField: ReadField): string | undefined {
  const viewer = readField<StoreObject>("viewer", { __ref: "ROOT_QUERY" });
  const user = viewer && readField<Reference | StoreObject>("user", viewer);
  return user ? readField<string>("id", user) : undefined;
}

/**
 * Whether a cached ticket still belongs in a list of this filter. What the cache does not know
 * (a field no query selected, a search) keeps the ticket: only what is known removes it.
 */
function stillMatches(ticket: Reference, filter: TicketFilterArgs, viewerId: string | undefined, readField: ReadField): boolean {
  const status = readField<string>("status", ticket);
  const wanted = filter.status === undefined ? "OPEN" : filter.status;
  if (status !== undefined && wanted !== null && status !== wanted) return false;
  const folder = filter.folder ?? "ALL";
  if (folder !== "ALL") {
    const assignee = readField<Reference | null>("assignee", ticket);
    if (assignee !== undefined) {
      const assigneeId = assignee === null ? null : readField<string>("id", assignee);
      if (folder === "UNASSIGNED" && assigneeId !== null) return false;
      if (folder === "MINE" && viewerId !== undefined && assigneeId !== viewerId) return false;
    }
  }
  if (filter.topicId) {
    const topic = readField<Reference>("topic", ticket);
    const topicId = topic && readField<string>("id", topic);
    if (topicId !== undefined && topicId !== filter.topicId) return false;
  }
  return true;
}

export interface HandoverClientOptions {
  /** http(s)://host/graphql */
  httpUrl: string;
  /** The member's API or session token. */
  token: string;
  /** For Node: `ws`'s WebSocket; browsers have their own. */
  webSocketImpl?: unknown;
  /** Passed to graphql-ws: retries, and what to do on connect and close. */
  onClosed?(event: unknown): void;
  resume?: ResumeOptions;
}

export interface HandoverClient {
  apollo: ApolloClient;
  ws: Client;
  dispose(): Promise<void>;
}

export function createHandoverClient(options: HandoverClientOptions): HandoverClient {
  const authorization = `Bearer ${options.token}`;
  const ws = createClient({
    url: options.httpUrl.replace(/^http/, "ws"),
    webSocketImpl: options.webSocketImpl,
    connectionParams: { Authorization: authorization },
    ...resumingRetries,
    on: { closed: (event) => options.onClosed?.(event) },
  });
  // Queries go as GET with a hash once known (APQ); mutations always POST. Both carry
  // content-type application/json, which Handover's CSRF prevention asks of a POST; a GET
  // carries apollo-require-preflight.
  const http = new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({
      uri: options.httpUrl,
      headers: { authorization, "apollo-require-preflight": "true" },
    }),
  );
  const link = ApolloLink.split(
    (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
    new ResumingWsLink(ws, options.resume),
    http,
  );
  const apollo = new ApolloClient({
    link,
    cache: handoverCache(),
    defaultOptions: { watchQuery: { errorPolicy: "all" }, query: { errorPolicy: "all" }, mutate: { errorPolicy: "all" } },
  });
  return {
    apollo,
    ws,
    async dispose() {
      apollo.stop();
      await ws.dispose();
    },
  };
}
