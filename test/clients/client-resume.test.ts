// The client helpers of examples/client follow live events across a server restart with no gap
// and no duplicate: Apollo Client through ResumingWsLink, and a plain graphql-ws client through
// subscribeResuming. The server is a process of its own, stopped (1012) and started again on
// the same port; while it is down another process of the same database records events that the
// clients must get when they reconnect.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createHandoverClient, type HandoverClient } from "../../examples/client/apollo";
import { LIVE_EVENTS } from "../../examples/client/operations";
import { resumingRetries, subscribeResuming } from "../../examples/client/resume";
import { createTestDatabase } from "../support/database";
import { ok, openTicket } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { freePort } from "../support/private-postgres";
import { call, type ServerProcess, spawnServer, until } from "../support/server-process";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let port: number;
let main: ServerProcess | undefined;
let other: ServerProcess | undefined;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase("client-resume");
  port = await freePort();
  [main, other] = await Promise.all([
    spawnServer({ DATABASE_URL: database.url, PORT: String(port), SHUTDOWN_GRACE_MS: "2000" }),
    spawnServer({ DATABASE_URL: database.url }),
  ]);
  const signedUp = await call<{ signUp: { token: string } }>(
    main.url,
    `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }`,
    { input: { email: `resume-${Date.now()}@example.com`, password: "correct horse battery", name: "Ada", workspaceName: "Resume" } },
  );
  token = signedUp.signUp.token;
}, 120_000);

afterAll(async () => {
  await Promise.all([main?.stop(), other?.stop()]);
  await database?.drop();
});

/** Opens a ticket through a server: two events (opened, and its note). */
async function openTicketThrough(url: string, label: string): Promise<string> {
  const data = await call<{ openTicket: { ticket: { id: string } } }>(
    url,
    `mutation Open($input: OpenTicketInput!) { openTicket(input: $input) { ticket { id } } }`,
    { input: { contactUrn: `tel:+2507${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`, note: label } },
    token,
  );
  return data.openTicket.ticket.id;
}

/** Every event id the log holds after a cursor, as ticketEvents pages it. */
async function logAfter(after: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = after;
  for (;;) {
    const page: { ticketEvents: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await call(
        main!.url,
        `query Log($after: String) { ticketEvents(after: $after, first: 100) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after: cursor },
        token,
      );
    ids.push(...page.ticketEvents.edges.map((e) => e.node.id));
    cursor = page.ticketEvents.pageInfo.endCursor ?? cursor;
    if (!page.ticketEvents.pageInfo.hasNextPage) return ids;
  }
}

it("follows ticketEvents across a restart with no gap and no duplicate, through Apollo Client and through graphql-ws", async () => {
  await openTicketThrough(main!.url, "before anyone listens");
  const start = (await call<{ tickets: { eventCursor: string } }>(main!.url, `query Start { tickets(first: 1) { eventCursor } }`, {}, token))
    .tickets.eventCursor;

  // Apollo Client, as a browser app uses it (docs/clients.md).
  const apolloIds: string[] = [];
  const apolloErrors: unknown[] = [];
  const closes: number[] = [];
  const apollo: HandoverClient = createHandoverClient({
    httpUrl: main!.url,
    token,
    webSocketImpl: WebSocket,
    onClosed: (event) => closes.push((event as { code: number }).code),
  });
  const apolloSubscription = apollo.apollo.subscribe({ query: LIVE_EVENTS, variables: { after: start } }).subscribe({
    next: ({ data, error }) => (data ? apolloIds.push(data.ticketEvents.id) : apolloErrors.push(error)),
    error: (error: unknown) => apolloErrors.push(error),
  });

  // A plain graphql-ws client with the same helper underneath.
  const plainIds: string[] = [];
  const plainErrors: unknown[] = [];
  const plain = createClient({
    url: main!.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    ...resumingRetries,
  });
  const stopPlain = subscribeResuming<{ ticketEvents: { id: string; cursor: string } }>(
    plain,
    { query: `subscription Live($after: String) { ticketEvents(after: $after) { id cursor type } }`, variables: { after: start } },
    {
      next: ({ data, errors }) => (data ? plainIds.push(data.ticketEvents.id) : plainErrors.push(errors)),
      error: (error) => plainErrors.push(error),
      complete: () => undefined,
    },
  );

  for (let i = 0; i < 3; i++) await openTicketThrough(main!.url, `live ${i}`);
  const live = (await logAfter(start)).length;
  await until(() => apolloIds.length >= live && plainIds.length >= live, "the live events on both clients");

  // The server stops (its subscribers get 1012); meanwhile another process records more.
  await main!.stop("SIGTERM");
  for (let i = 0; i < 3; i++) await openTicketThrough(other!.url, `while down ${i}`);
  main = await spawnServer({ DATABASE_URL: database.url, PORT: String(port), SHUTDOWN_GRACE_MS: "2000" });
  for (let i = 0; i < 3; i++) await openTicketThrough(main.url, `after the restart ${i}`);

  // The log is read below the horizon: a transaction still running on the database can hold the
  // newest events back a moment. Read it once it holds an OPENED event for each of the nine
  // tickets opened since the start (three live, three while down, three after the restart).
  let expected = await logAfter(start);
  for (let i = 0; i < 300 && expected.length < 9; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    expected = await logAfter(start);
  }
  expect(expected.length).toBeGreaterThan(live);
  await until(() => apolloIds.length >= expected.length && plainIds.length >= expected.length, "every event on both clients", 6000).catch(
    (error: Error) => {
      throw new Error(
        `${error.message}: ${expected.length} in the log, Apollo ${apolloIds.length}, graphql-ws ${plainIds.length}; closes ${closes.join()}; errors ${JSON.stringify([apolloErrors, plainErrors])}`,
      );
    },
  );
  // A moment longer: a duplicate would arrive now.
  await new Promise((resolve) => setTimeout(resolve, 300));

  expect(closes).toContain(1012);
  expect(apolloErrors).toEqual([]);
  expect(plainErrors).toEqual([]);
  expect(apolloIds).toEqual(expected);
  expect(plainIds).toEqual(expected);

  apolloSubscription.unsubscribe();
  stopPlain();
  await Promise.all([apollo.dispose(), plain.dispose()]);
}, 120_000);

describe("subscribeResuming", () => {
  let srv: TestServer;
  let admin: SignedUp;
  beforeAll(async () => {
    srv = await startTestServer({ RATE_LIMIT_PER_SECOND: "5", RATE_LIMIT_BURST: "10", RATE_LIMIT_MEMBER_PER_SECOND: "5", RATE_LIMIT_MEMBER_BURST: "10" });
    admin = await srv.signUp();
  });
  afterAll(async () => {
    await srv?.close();
  });

  function plainClient() {
    return createClient({ url: srv.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${admin.token}` }, ...resumingRetries });
  }

  it("subscribes again after a 4429 (over the rate limit), which graphql-ws would give up on, and misses nothing", async () => {
    const start = (await ok<{ tickets: { eventCursor: string } }>(srv, `{ tickets(first: 1) { eventCursor } }`, {}, admin.token)).tickets.eventCursor;
    const client = plainClient();
    const ids: string[] = [];
    const errors: unknown[] = [];
    const stop = subscribeResuming<{ ticketEvents: { id: string; cursor: string } }>(
      client,
      { query: `subscription Live($after: String) { ticketEvents(after: $after) { id cursor } }`, variables: { after: start } },
      { next: ({ data }) => data && ids.push(data.ticketEvents.id), error: (e) => errors.push(e), complete: () => undefined },
    );
    await openTicket(srv, admin.token);
    await until(() => ids.length > 0, "the first event");
    // A burst of operations on the same connection: the server closes it with 4429.
    const closes: number[] = [];
    const burst = Array.from({ length: 30 }, () =>
      new Promise<void>((resolve) =>
        client.subscribe({ query: "{ __typename }" }, { next: () => undefined, error: (e) => (closes.push((e as { code: number }).code), resolve()), complete: resolve }),
      ),
    );
    await Promise.all(burst);
    expect(closes).toContain(4429);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await openTicket(srv, admin.token);
    const expected = (
      await ok<{ ticketEvents: { nodes: Array<{ id: string }> } }>(srv, `query($after: String) { ticketEvents(after: $after) { nodes { id } } }`, { after: start }, admin.token)
    ).ticketEvents.nodes.map((n) => n.id);
    await until(() => ids.length >= expected.length, "the events after the 4429", 1500);
    expect(ids).toEqual(expected);
    expect(errors).toEqual([]);
    stop();
    await client.dispose();
  }, 60_000);

  it("ends, once, a subscription that does not select the ids it needs", async () => {
    const client = plainClient();
    const received: unknown[] = [];
    const errors: unknown[] = [];
    subscribeResuming(
      client,
      { query: `subscription Live { ticketEvents { cursor } }` },
      { next: (r) => received.push(r), error: (e) => errors.push(e), complete: () => undefined },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await openTicket(srv, admin.token);
    await until(() => errors.length > 0, "the error");
    await openTicket(srv, admin.token);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/must select the id and the cursor/);
    await client.dispose();
  }, 30_000);
});
