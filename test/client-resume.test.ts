// The client helpers of examples/client follow live events across a server restart with no gap
// and no duplicate: Apollo Client through ResumingWsLink, and a plain graphql-ws client through
// subscribeResuming. The server is a process of its own, stopped (1012) and started again on
// the same port; while it is down another process of the same database records events that the
// clients must get when they reconnect.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createHandoverClient, type HandoverClient } from "../examples/client/apollo";
import { LIVE_EVENTS } from "../examples/client/operations";
import { resumingRetries, subscribeResuming } from "../examples/client/resume";
import { createTestDatabase } from "./support/database";
import { freePort } from "./support/private-postgres";
import { call, type ServerProcess, spawnServer, until } from "./support/server-process";

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
async function openTicket(url: string, label: string): Promise<string> {
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
  await openTicket(main!.url, "before anyone listens");
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

  for (let i = 0; i < 3; i++) await openTicket(main!.url, `live ${i}`);
  const live = (await logAfter(start)).length;
  await until(() => apolloIds.length >= live && plainIds.length >= live, "the live events on both clients");

  // The server stops (its subscribers get 1012); meanwhile another process records more.
  await main!.stop("SIGTERM");
  for (let i = 0; i < 3; i++) await openTicket(other!.url, `while down ${i}`);
  main = await spawnServer({ DATABASE_URL: database.url, PORT: String(port), SHUTDOWN_GRACE_MS: "2000" });
  for (let i = 0; i < 3; i++) await openTicket(main.url, `after the restart ${i}`);

  const expected = await logAfter(start);
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
