import { getIntrospectionQuery, parse } from "graphql";
import WebSocket from "ws";
import { buildHandoverSchema } from "../../src/schema/build-schema";
import { RESOLVERS } from "../../src/resolvers";
import { DEFAULT_PAGE, operationCost } from "../../src/http/limits/cost";
import { openTicket, uuid } from "../support/fixtures";
import { type GqlResponse, type SignedUp, startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
let admin: SignedUp;
beforeAll(async () => {
  srv = await startTestServer();
  admin = await srv.signUp();
});
afterAll(async () => {
  await srv?.close();
});

type Errors = GqlResponse<unknown>["errors"];

/** The request was refused as a whole with this code: no data, no stack, no server insides. */
function expectRefused(res: GqlResponse<unknown>, code: string, extensions: Record<string, unknown> = {}) {
  expect(res.status).toBe(400);
  expect(res.data).toBeUndefined();
  expect(res.errors).toHaveLength(1);
  expect(res.errors?.[0].extensions).toEqual({ code, ...extensions });
  expect(JSON.stringify(res)).not.toMatch(/stack|\.ts:\d|node_modules|at \w+ \(/);
}

/** A selection nested `levels` deep through the contact's tickets: ticket → contact → tickets → nodes → … */
function nested(levels: number): string {
  // tickets { nodes { contact { tickets { nodes { contact { … id } } } } } }, counted in fields.
  const path = ["tickets(first: 1)", "nodes", "contact"];
  let open = "";
  let close = "";
  for (let i = 0; i < levels - 1; i++) {
    open += `${path[i % 3]} { `;
    close += " }";
  }
  return `{ ${open}id${close} }`;
}

describe("query depth (MAX_QUERY_DEPTH, 12)", () => {
  it("runs an operation 12 fields deep and refuses one 13 deep, naming the limit", async () => {
    await openTicket(srv, admin.token);
    const allowed = await srv.gql<{ tickets: { nodes: unknown[] } }>(nested(12), {}, admin.token);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.status).toBe(200);
    expect(allowed.data?.tickets.nodes).toHaveLength(1);

    const refused = await srv.gql(nested(13), {}, admin.token);
    expectRefused(refused, "QUERY_TOO_DEEP", { limit: 12, requested: 13 });
    expect(refused.errors?.[0].message).toMatch(/13 deep; at most 12/);
  });

  it("counts fields inside fragments where they are spread", async () => {
    const query = `query { tickets(first: 1) { ...T } }
      fragment T on TicketConnection { nodes { contact { ...C } } }
      fragment C on Contact { tickets(first: 1) { nodes { contact { tickets(first: 1) { nodes { contact { tickets(first: 1) { nodes { ... on Ticket { contact { id } } } } } } } } } } }`;
    expectRefused(await srv.gql(query, {}, admin.token), "QUERY_TOO_DEEP", { limit: 12, requested: 13 });
  });

  it("lets the standard introspection query through, as GraphiQL sends it", async () => {
    const query = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true });
    const res = await srv.gql<{ __schema: { types: unknown[] } }>(query);
    expect(res.errors).toBeUndefined();
    expect(res.data?.__schema.types.length).toBeGreaterThan(50);
  });

  it("refuses introspection that nests type members within type members", async () => {
    const fanOut = `{ __schema { types { fields { type { fields { name } } } } } }`;
    expectRefused(await srv.gql(fanOut), "QUERY_TOO_DEEP", { limit: 2, requested: 3 });
    // One type's fields, and their types' fields, is what tools ask: allowed.
    const res = await srv.gql(`{ __type(name: "Ticket") { fields { type { ofType { fields { name } } } } } }`);
    expect(res.errors).toBeUndefined();
  });
});

describe("query cost (MAX_QUERY_COST, 50,000)", () => {
  const schema = buildHandoverSchema(RESOLVERS);
  const cost = async (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === "OperationDefinition");
    if (!operation || operation.kind !== "OperationDefinition") throw new Error("no operation");
    return operationCost(await schema, document, operation, variables);
  };

  it("counts objects, connections multiplying their items by first/last or their default", async () => {
    expect(await cost(`{ viewer { user { name } workspace { name } } }`)).toBe(3);
    expect(await cost(`{ tickets(first: 10) { totalCount pageInfo { hasNextPage } nodes { id topic { name } } } }`)).toBe(1 + 1 + 10 * 2);
    expect(await cost(`{ tickets(first: 10) { edges { cursor node { id } } } }`)).toBe(1 + 10 * 2);
    // The example of docs/operations.md, Limits.
    expect(await cost(`{ tickets(first: 100) { nodes { id events(first: 100) { nodes { id actor { name } } } } } }`)).toBe(20201);
    // The inbox defaults to 25; a contact's tickets have no schema default and read DEFAULT_PAGE.
    expect(await cost(`{ tickets { nodes { id } } }`)).toBe(1 + 25);
    expect(await cost(`{ contacts(first: 2) { nodes { tickets { nodes { id } } } } }`)).toBe(1 + 2 * (1 + 1 + DEFAULT_PAGE));
    expect(await cost(`{ ticketEvents { nodes { id } } }`)).toBe(1 + 100);
    // A plain list paged by first, and nodes(ids:).
    expect(await cost(`{ flowStarts(first: 7) { id flow { id } } }`)).toBe(7 * 2);
    expect(await cost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ["a", "b", "c"] })).toBe(3);
    // Messages read from the end with last.
    expect(await cost(`query($id: ID!) { node(id: $id) { ... on Contact { messages(last: 4) { nodes { id } } } } }`, { id: "x" })).toBe(
      1 + 1 + 4,
    );
  });

  it("multiplies a list that is not paged by its declared maximum (MaxItems)", async () => {
    // 50 topics and General; a team's 1 to 10 topics; 250 contact fields; 5 notepad versions.
    expect(await cost(`{ topics { id } }`)).toBe(51);
    expect(await cost(`{ teams { id topics { id } } }`)).toBe(100 * (1 + 10));
    expect(await cost(`{ ticketCounts { folders { open } topics { name } } }`)).toBe(1 + 3 + 51);
    expect(await cost(`{ contacts(first: 2) { nodes { fields { value field { key } } notepadHistory { author { id } } } } }`)).toBe(
      1 + 2 * (1 + 250 * 2 + 5 * 2),
    );
    // A scalar list stays free; a payload's lists count what they may hold.
    expect(await cost(`{ contacts(first: 1) { nodes { urns } } }`)).toBe(2);
    const bulk = `mutation { closeTickets(input: { ticketIds: [] }) { tickets { id } failures { ticketId } userErrors { code } } }`;
    expect(await cost(bulk)).toBe(1 + 100 + 100 + 1);
    expect(await cost(`mutation { setContactFields(input: { contactId: "x", values: [] }) { userErrors { field } } }`)).toBe(1 + 250);
    // nodes(ids:) counts its ids, never more than 100.
    expect(await cost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ["a", "b"] })).toBe(2);
  });

  it("counts a ticket's notes and the members as paged lists", async () => {
    const notes = (args: string) => `query($id: ID!) { node(id: $id) { ... on Ticket { notes${args} { id ticket { id } } } } }`;
    expect(await cost(notes(""), { id: "x" })).toBe(1 + 100 * 2);
    expect(await cost(notes("(first: 5)"), { id: "x" })).toBe(1 + 5 * 2);
    expect(await cost(notes("(last: 7)"), { id: "x" })).toBe(1 + 7 * 2);
    expect(await cost(`{ members { id user { id } } }`)).toBe(100 * 2);
    expect(await cost(`{ members(first: 10) { id } }`)).toBe(10);
  });

  it("reads variables, their defaults, fragments and @skip/@include", async () => {
    const query = `query($n: Int = 5, $full: Boolean!) { tickets(first: $n) { ...Page } tickets2: tickets(first: 3) @include(if: $full) { nodes { id } } }
      fragment Page on TicketConnection { nodes { ...T } }
      fragment T on Ticket { contact { id } topic { id } }`;
    expect(await cost(query, { n: 10, full: false })).toBe(1 + 10 * 3);
    expect(await cost(query, { full: false })).toBe(1 + 5 * 3);
    expect(await cost(query, { n: 10, full: true })).toBe(1 + 10 * 3 + 1 + 3);
  });

  const EVENTS = `query($n: Int!) { tickets(first: $n) { nodes { events(first: $n) { nodes { id ticket { id contact { id } } actor { id } message { id } } } } } }`;

  it("reports the cost in extensions.cost of every answer", async () => {
    const res = await srv.gql(EVENTS, { n: 50 }, admin.token);
    expect(res.errors).toBeUndefined();
    expect((res as { extensions?: unknown }).extensions).toEqual({ cost: { requested: 1 + 50 * (2 + 50 * 5), limit: 50000 } });
    const failed = await srv.gql(`{ viewer { role } }`);
    expect(failed.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((failed as { extensions?: unknown }).extensions).toEqual({ cost: { requested: 1, limit: 50000 } });
  });

  it("refuses an operation over the limit before it runs, with variables", async () => {
    const res = await srv.gql(EVENTS, { n: 100 }, admin.token);
    expectRefused(res, "QUERY_TOO_COSTLY", { limit: 50000, requested: 1 + 100 * (2 + 100 * 5) });
    expect(res.errors?.[0].message).toMatch(/at most 50000/);
    expect((res as { extensions?: unknown }).extensions).toEqual({ cost: { requested: 50201, limit: 50000 } });
  });

  it("refuses a costly mutation without changing anything", async () => {
    const ticket = await openTicket(srv, admin.token);
    const close = `mutation($ids: [ID!]!) { closeTickets(input: { ticketIds: $ids }) { tickets { events(first: 100) { nodes {
      ticket { events(first: 100) { nodes { ticket { events(first: 10) { nodes { id } } } } } } } } } } }`;
    expectRefused(await srv.gql(close, { ids: [ticket.id] }, admin.token), "QUERY_TOO_COSTLY", {
      limit: 50000,
      // Up to 100 tickets (the ids a bulk change takes), each with its events.
      requested: 1 + 100 * (2 + 100 * (3 + 100 * 13)),
    });
    const [row] = await srv.server.db.query(`SELECT status, version FROM tickets WHERE id = $1`, [uuid(ticket.id)]);
    expect(row).toEqual({ status: "OPEN", version: 1 });
  });
});

describe("introspection's cost", () => {
  it("counts exactly the objects of the schema it returns: GraphiQL's query passes, the same nested lists aliased are refused", async () => {
    const schema = await buildHandoverSchema(RESOLVERS);
    const standard = parse(getIntrospectionQuery());
    const cost = operationCost(schema, standard, standard.definitions[0] as never, {});
    const answer = await srv.gql<Record<string, unknown>>(getIntrospectionQuery(), {}, admin.token);
    expect(answer.errors).toBeUndefined();
    // Every object of the answer, counted as the cost walks it: never below what the answer holds.
    const objects = (value: unknown): number =>
      Array.isArray(value)
        ? value.reduce((n: number, v) => n + objects(v), 0)
        : value && typeof value === "object"
          ? 1 + Object.values(value).reduce((n: number, v) => n + objects(v), 0)
          : 0;
    expect(cost).toBe(objects(answer.data) - 1);
    expect((answer as { extensions?: { cost: { requested: number } } }).extensions?.cost.requested).toBe(cost);
    // Sixty aliased copies of nested introspection lists (each some hundreds of objects):
    // before, each list counted as one object: the whole cost 900 while holding 53,000.
    const aliased = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __schema { types { fields { args { type { name } } type { name } } } }`).join(" ")} }`;
    const refused = await srv.gql(aliased);
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "QUERY_TOO_COSTLY", limit: 50000 });
  });
});

describe("document size (MAX_QUERY_TOKENS, 2,000)", () => {
  it("refuses a document over 2,000 tokens before validating it, whose cost grows with the square of its repeated fields", async () => {
    const repeated = (n: number) => `{ ${"viewer { user { id } } ".repeat(n)}}`;
    expect((await srv.gql(repeated(200), {}, admin.token)).errors).toBeUndefined();
    const res = await srv.gql(repeated(40_000), {}, admin.token);
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(res.errors?.[0].message).toMatch(/Document contains more tha[nt] 2000 tokens/);
  });
});

describe("first and last (1..100)", () => {
  it("refuses 0, negatives and more than 100 on every paged field, naming the argument, before anything runs", async () => {
    const ticket = await openTicket(srv, admin.token);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [`query($n: Int) { tickets(first: $n) { nodes { id } } }`, {}, "first"],
      [`query($n: Int) { contacts(first: $n) { nodes { id } } }`, {}, "first"],
      [`query($n: Int) { ticketEvents(first: $n) { nodes { id } } }`, {}, "first"],
      [`query($n: Int) { flowStarts(first: $n) { id } }`, {}, "first"],
      [`query($n: Int, $id: ID!) { node(id: $id) { ... on Ticket { events(last: $n) { nodes { id } } } } }`, { id: ticket.id }, "last"],
      [
        `query($n: Int, $id: ID!) { node(id: $id) { ... on Contact { messages(first: $n) { nodes { id } } } } }`,
        { id: ticket.contact.id },
        "first",
      ],
      [`query($n: Int, $id: ID!) { node(id: $id) { ... on Ticket { notes(first: $n) { id } } } }`, { id: ticket.id }, "first"],
      [`query($n: Int, $id: ID!) { node(id: $id) { ... on Ticket { notes(last: $n) { id } } } }`, { id: ticket.id }, "last"],
      [`query($n: Int) { members(first: $n) { id } }`, {}, "first"],
      // Nested under a list: refused as a whole, not once per ticket.
      [`query($n: Int) { tickets(first: 5) { nodes { contact { tickets(first: $n) { nodes { id } } } } } }`, {}, "first"],
    ];
    for (const [query, variables, field] of cases) {
      for (const n of [0, -1, 101]) {
        const res = await srv.gql(query, { ...variables, n }, admin.token);
        expect({ query, n, status: res.status, data: res.data, errors: res.errors }).toEqual({
          query,
          n,
          status: 400,
          data: undefined,
          errors: [{ message: `${field} must be between 1 and 100.`, extensions: { code: "BAD_USER_INPUT", field, fieldPath: field.split(".") } }],
        });
      }
      for (const n of [1, 100]) {
        const res = await srv.gql(query, { ...variables, n }, admin.token);
        expect({ query, n, errors: res.errors }).toEqual({ query, n, errors: undefined });
      }
    }
    // Written in the document rather than in a variable.
    const literal = await srv.gql(`{ tickets(first: 1000) { nodes { id } } }`, {}, admin.token);
    expect(literal.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "first", fieldPath: ["first"] });
  });
});

describe("aliases (MAX_ALIASES, 100)", () => {
  const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(" ")} }`;

  it("runs 100 aliases and refuses 101", async () => {
    const allowed = await srv.gql<Record<string, string>>(aliased(100));
    expect(allowed.errors).toBeUndefined();
    expect(Object.keys(allowed.data ?? {})).toHaveLength(100);
    const refused = await srv.gql(aliased(101));
    expectRefused(refused, "TOO_MANY_ALIASES", { limit: 100, requested: 101 });
    expect(refused.errors?.[0].message).toMatch(/101 aliases; at most 100/);
  });

  it("counts a fragment's aliases at every place it is spread", async () => {
    const fields = Array.from({ length: 60 }, (_, i) => `r${i}: role`).join(" ");
    const query = `{ a: viewer { ...V } b: viewer { ...V } } fragment V on Viewer { ${fields} }`;
    expectRefused(await srv.gql(query, {}, admin.token), "TOO_MANY_ALIASES", { limit: 100, requested: 122 });
  });
});

describe("batches and bodies", () => {
  const post = (body: string) => fetch(srv.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
  const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`;
  const signUpInput = (email: string, pad = "") => ({
    i: { email, password: "correct horse battery", name: `Padded${pad}`, workspaceName: "Padded" },
  });

  it("refuses a batch (a JSON array) with a JSON 400, running none of it", async () => {
    const res = await post(
      JSON.stringify([{ query: SIGN_UP, variables: signUpInput("batch-1@example.com") }, { query: `{ __typename }` }]),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { errors: Errors };
    expect(body.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
    expect(body.errors?.[0].message).toMatch(/batching/i);
    expect(await srv.server.db.query(`SELECT 1 FROM users WHERE email = 'batch-1@example.com'`)).toEqual([]);
  });

  it("refuses a body over 1 MiB with a JSON 413 PAYLOAD_TOO_LARGE, running nothing", async () => {
    const res = await post(JSON.stringify({ query: SIGN_UP, variables: signUpInput("big@example.com", "x".repeat(1024 * 1024)) }));
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    expect(text).not.toMatch(/<html|stack|node_modules|\.js:\d/i);
    const body = JSON.parse(text) as { errors: Errors };
    expect(body.errors?.[0].extensions).toEqual({ code: "PAYLOAD_TOO_LARGE", limit: 1048576, requestId: res.headers.get("x-request-id") });
    expect(await srv.server.db.query(`SELECT 1 FROM users WHERE email = 'big@example.com'`)).toEqual([]);

    // Just under the limit is read (and here refused by the input's own rules, as usual).
    const under = await post(JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(1024 * 1024 - 100) } }));
    expect(under.status).toBe(200);
  });

  it("closes a WebSocket whose message is over 1 MiB with 1009, and serves smaller ones", async () => {
    const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws");
    const messages: string[] = [];
    socket.on("message", (data: Buffer) => messages.push(data.toString()));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${admin.token}` } }));
    await new Promise((resolve) => socket.once("message", resolve));
    expect(JSON.parse(messages[0])).toEqual({ type: "connection_ack" });
    const under = { query: `{ __typename }`, variables: { pad: "x".repeat(1024 * 1024 - 200) } };
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: under }));
    await new Promise((resolve) => socket.once("message", resolve));
    expect(JSON.parse(messages[1])).toEqual({ id: "1", type: "next", payload: { data: { __typename: "Query" } } });

    // graphql-ws reports the socket's error on the console; the client sees only the close code.
    const consoleError = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const closed = new Promise<number>((resolve) => socket.once("close", (code: number) => resolve(code)));
      const over = { query: `{ __typename }`, variables: { pad: "x".repeat(1024 * 1024) } };
      socket.send(JSON.stringify({ id: "2", type: "subscribe", payload: over }));
      expect(await closed).toBe(1009);
      expect(messages).toHaveLength(3); // connection_ack, next, complete: nothing for the refused message
    } finally {
      consoleError.mockRestore();
    }
  });
});

describe("introspection (INTROSPECTION)", () => {
  it("is on by default, and INTROSPECTION=false refuses __schema and __type, with no schema hints in errors", async () => {
    expect((await srv.gql(`{ __schema { queryType { name } } }`)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    const closed = await startTestServer({ INTROSPECTION: "false" });
    try {
      for (const query of [`{ __schema { queryType { name } } }`, `{ __type(name: "Ticket") { name } }`]) {
        const res = await closed.gql(query);
        expectRefused(res, "INTROSPECTION_DISABLED");
        expect(res.errors?.[0].message).toMatch(/Introspection is turned off/);
      }
      expect((await closed.gql(`{ __typename }`)).data).toEqual({ __typename: "Query" });
      const typo = await closed.gql(`{ ticket { id } }`);
      expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
    } finally {
      await closed.close();
    }
  });
});

describe("over WebSocket", () => {
  /** Sends one operation on a fresh socket; returns the first answer to it. */
  async function overSocket(payload: Record<string, unknown>): Promise<{ type: string; payload: unknown }> {
    const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws");
    try {
      await new Promise((resolve) => socket.once("open", resolve));
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${admin.token}` } }));
      await new Promise((resolve) => socket.once("message", resolve));
      const answer = new Promise<{ type: string; payload: unknown }>((resolve) =>
        socket.once("message", (data: Buffer) => resolve(JSON.parse(data.toString()) as { type: string; payload: unknown })),
      );
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload }));
      return await answer;
    } finally {
      socket.close();
    }
  }
  const codes = (answer: { type: string; payload: unknown }) =>
    answer.type === "error" ? (answer.payload as Array<{ extensions?: { code?: string } }>).map((e) => e.extensions?.code) : [answer.type];

  it("applies depth, aliases, cost and page sizes to operations sent over a socket, as over HTTP", async () => {
    const deep = `{ viewer { workspace { id } } tickets { nodes { ${"contact { openTicket { ".repeat(6)}id${" } }".repeat(6)} } } }`;
    expect(codes(await overSocket({ query: deep }))).toEqual(["QUERY_TOO_DEEP"]);
    const aliases = `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    expect(codes(await overSocket({ query: aliases }))).toEqual(["TOO_MANY_ALIASES"]);
    const costly = `query($n: Int) { tickets(first: $n) { nodes { events(first: $n) { nodes { ticket { events(first: $n) { nodes { id } } } } } } } }`;
    expect(codes(await overSocket({ query: costly, variables: { n: 100 } }))).toEqual(["QUERY_TOO_COSTLY"]);
    expect(codes(await overSocket({ query: `{ tickets(first: 0) { totalCount } }` }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await overSocket({ query: `{ tickets(first: 2) { totalCount } }` }))).toEqual(["next"]);
  });
});
