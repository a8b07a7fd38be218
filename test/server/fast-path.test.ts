/**
 * The fast path (src/http/fast-path.ts) runs valid POSTed operations below Apollo's request
 * pipeline. Two servers on one database, one with it and one without (GRAPHQL_FAST_PATH=false),
 * must answer every request alike: status, media type, Retry-After and body, request ids aside.
 * The whole HTTP suite runs a second time with it off as well (jest.config.js).
 */
import WebSocket from "ws";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";
import { createTopic, openTicket } from "../support/fixtures";

let fast: TestServer;
let apollo: TestServer;
let admin: SignedUp;

beforeAll(async () => {
  fast = await startTestServer({ GRAPHQL_FAST_PATH: "true", MAX_QUERY_COST: "5000" });
  apollo = await startTestServer({ DATABASE_URL: fast.databaseUrl, GRAPHQL_FAST_PATH: "false", MAX_QUERY_COST: "5000" });
  admin = await fast.signUp();
  for (let i = 0; i < 3; i++) await openTicket(fast, admin.token);
});
afterAll(async () => {
  await apollo?.close();
  await fast?.close();
});

interface Sent {
  body: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

/** A POST to /graphql as it comes back: what a client can see of it, request ids blanked. */
async function post(srv: TestServer, { body, token = admin.token, headers = {} }: Sent) {
  const response = await fetch(srv.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = (await response.text())
    .replace(/request id [\w.-]+/g, "request id <id>")
    .replace(/"requestId":"[\w.-]+"/g, '"requestId":"<id>"')
    // An inbox cursor carries the database's snapshot of its first page, which any transaction
    // anywhere on the server moves between two requests: compared without it.
    .replace(/"(cursor|endCursor)":"([A-Za-z0-9+/=]+)"/g, (_all, key: string, cursor: string) => `"${key}":${withoutSnapshot(cursor)}`);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    retryAfter: response.headers.get("retry-after"),
    requestId: response.headers.get("x-request-id") !== null,
    text,
  };
}

function withoutSnapshot(cursor: string): string {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, "base64").toString("utf8"));
    return JSON.stringify(Array.isArray(parts) && parts.length === 4 ? parts.slice(0, 3) : parts);
  } catch {
    return JSON.stringify(cursor);
  }
}

async function fastPathCount(srv: TestServer): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("handover_graphql_fast_path_requests_total "));
  return Number(line?.split(" ")[1]);
}

const INBOX = `query Inbox($first: Int!, $after: String) {
  tickets(filter: { folder: ALL, status: OPEN }, first: $first, after: $after) {
    totalCount edges { cursor node { id status version lastActivityAt contact { id name urns } topic { id name } assignee { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const CASES: Array<[string, Sent, { fast: boolean }]> = [
  ["a query", { body: { query: "query { viewer { user { id email } workspace { id name } } }" } }, { fast: true }],
  ["the inbox, with variables", { body: { query: INBOX, variables: { first: 2 } } }, { fast: true }],
  ["an operation picked by name", { body: { query: `${INBOX} query Other { viewer { role } }`, operationName: "Other" } }, { fast: true }],
  ["a field error in a partial answer", { body: { query: `query { viewer { role } node(id: "VGlja2V0OjA=") { id } }` } }, { fast: true }],
  [
    "a mutation's input refused by its resolver",
    { body: { query: `mutation { createTopic(input: { name: "" }) { topic { id } } }` } },
    { fast: true },
  ],
  ["no token", { body: { query: "query { viewer { role } }" }, token: null }, { fast: true }],
  [
    "another extension than a persisted query",
    { body: { query: "query { viewer { role } }", extensions: { clientLibrary: { name: "x" } } } },
    { fast: true },
  ],
  [
    "Accept: application/graphql-response+json",
    { body: { query: "query { viewer { role } }" }, headers: { accept: "application/graphql-response+json" } },
    { fast: true },
  ],
  [
    "Accept: the callback form",
    { body: { query: "query { viewer { role } }" }, headers: { accept: "application/json;callbackSpec=1.0" } },
    { fast: false },
  ],
  ["Accept: nothing it can answer", { body: { query: "query { viewer { role } }" }, headers: { accept: "text/csv" } }, { fast: false }],
  ["NUL in a variable", { body: { query: INBOX, variables: { first: 2, after: "a\u0000b" } } }, { fast: false }],
  ["a variable of the wrong type", { body: { query: INBOX, variables: { first: "two" } } }, { fast: false }],
  ["a missing variable", { body: { query: INBOX, variables: {} } }, { fast: false }],
  ["over the cost limit", { body: { query: INBOX, variables: { first: 100000 } } }, { fast: false }],
  ["an unknown operation name", { body: { query: INBOX, operationName: "Nope", variables: { first: 1 } } }, { fast: false }],
  ["a long document (mostly a comment)", { body: { query: `query { viewer { role } }\n#${"x".repeat(70_000)}` } }, { fast: false }],
  ["a syntax error", { body: { query: "query { viewer { " } }, { fast: false }],
  ["a validation error", { body: { query: "query { viewer { nope } }" } }, { fast: false }],
  ["a subscription", { body: { query: "subscription { ticketEvents { __typename } }" } }, { fast: false }],
  ["a batch", { body: [{ query: "query { viewer { role } }" }] }, { fast: false }],
  ["a persisted query's hash", { body: { extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } } }, { fast: false }],
  ["variables that are not an object", { body: { query: INBOX, variables: [1] } }, { fast: false }],
  ["a body that is not JSON", { body: "{nope" }, { fast: false }],
];

/** Each case's document of its own (a comment naming it), so that each is met for the first time. */
const ownDocument = (name: string, { body, ...rest }: Sent): Sent =>
  isBodyWithQuery(body) ? { ...rest, body: { ...body, query: `${body.query}\n# ${name}` } } : { body, ...rest };
const isBodyWithQuery = (body: unknown): body is { query: string } =>
  typeof body === "object" && body !== null && typeof (body as { query?: unknown }).query === "string";

describe.each(CASES.map(([name, sent, expected]) => [name, ownDocument(name, sent), expected] as const))(
  "%s",
  (_name, sent, { fast: onFastPath }) => {
    it(`answers alike on both paths${onFastPath ? ", on the fast path once met before" : ", handed to Apollo's"}`, async () => {
      const before = await fastPathCount(fast);
      // A document met for the first time goes through Apollo's path; from the second time on, the fast path runs it.
      const first = await post(fast, sent);
      expect((await fastPathCount(fast)) - before).toBe(0);
      const [viaFast, viaApollo] = [await post(fast, sent), await post(apollo, sent)];
      expect(viaFast).toEqual(viaApollo);
      expect(first).toEqual(viaFast);
      expect(viaFast.requestId).toBe(true);
      expect((await fastPathCount(fast)) - before).toBe(onFastPath ? 1 : 0);
      expect(await fastPathCount(apollo)).toBe(0);
    });
  },
);

it("reports the cost and the statement count on the fast path", async () => {
  const response = await fetch(fast.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({ query: INBOX, variables: { first: 2 } }),
  });
  const body = (await response.json()) as {
    data: { tickets: { edges: unknown[] } };
    extensions: { cost: { requested: number; limit: number } };
  };
  expect(body.data.tickets.edges).toHaveLength(2);
  expect(body.extensions.cost).toEqual({ requested: expect.any(Number), limit: 5000 });
  expect(Number(response.headers.get("x-sql-statements"))).toBeGreaterThan(0);
});

it("parses a document met once only on Apollo's path, and keeps none that fails", async () => {
  const before = await fastPathCount(fast);
  for (let i = 0; i < 5; i++) await post(fast, { body: { query: `query Once${i} { viewer { role } }` } });
  for (let i = 0; i < 3; i++) await post(fast, { body: { query: "query Invalid { viewer { nope } }" } });
  expect((await fastPathCount(fast)) - before).toBe(0);
});

/**
 * Apollo runs each operation with a copy of the context; the loaders a committed mutation renews
 * must be the ones the next mutation of the same request reads, on both paths.
 */
it("reads rows written by an earlier mutation of the same request, on both paths", async () => {
  const topicId = await createTopic(fast, admin.token, "Before renaming");
  const ticket = await openTicket(fast, admin.token, { topicId });
  const query = `mutation($t: [ID!]!, $tp: ID!, $name: String!) {
    a: addTicketNote(input: { ticketIds: $t, note: "x" }) { tickets { topic { name } } }
    b: updateTopic(input: { id: $tp, name: $name }) { topic { name } }
    c: addTicketNote(input: { ticketIds: $t, note: "y" }) { tickets { topic { name } } }
  }`;
  for (const [srv, name] of [
    [apollo, "Renamed on Apollo's path"],
    [fast, "Renamed on the fast path, first"],
    [fast, "Renamed on the fast path"],
  ] as const) {
    const res = JSON.parse((await post(srv, { body: { query, variables: { t: [ticket.id], tp: topicId, name } } })).text) as {
      data: { c: { tickets: Array<{ topic: { name: string } }> } };
    };
    expect(res.data.c.tickets[0].topic.name).toBe(name);
  }
});

it("refuses NUL in a subscription's variables, naming the variable as over HTTP", async () => {
  const socket = new WebSocket(fast.wsUrl, "graphql-transport-ws");
  const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  socket.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${admin.token}` } }));
  await until(() => messages.some((m) => m.type === "connection_ack"), "the acknowledgement");
  socket.send(
    JSON.stringify({
      id: "1",
      type: "subscribe",
      payload: { query: "subscription($a: String) { ticketEvents(after: $a) { __typename } }", variables: { a: "x\u0000y" } },
    }),
  );
  await until(() => messages.some((m) => m.type === "error"), "the refusal");
  socket.close();
  const refusal = messages.find((m) => m.type === "error")!;
  expect(refusal.payload).toEqual([
    expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "a" }) }),
  ]);
});
