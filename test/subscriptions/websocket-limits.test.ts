import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import WebSocket from "ws";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";
import { connection } from "../support/subscriber";

/**
 * What a WebSocket connection may do is what an HTTP client may: an operation refused by the
 * rate limit runs nothing, whoever may run it; password checks count per client address as over
 * HTTP; a member's live subscriptions are bounded in number and in cost together; and a peer that
 * never answers a close is cut.
 */

let srv: TestServer;
let user: SignedUp;

beforeAll(async () => {
  srv = await startTestServer({ RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "5", LOGIN_MAX_FAILURES: "3" });
  user = await srv.signUp();
});
afterAll(() => srv.close());

type Message = { id?: string; type: string; payload?: unknown };

/** An acknowledged graphql-ws connection from a client address of its own, collecting what the server sends. */
async function open(token: string, address?: string) {
  const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws", address ? { headers: { "x-forwarded-for": address } } : {});
  const messages: Message[] = [];
  socket.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString()) as Message));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
  await until(() => messages.some((m) => m.type === "connection_ack"), "the acknowledgement");
  const send = (id: string, query: string, variables?: Record<string, unknown>) =>
    socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
  return { socket, messages, closed, send };
}

const usersLike = async (pattern: string) =>
  ((await srv.server.db.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE $1`, [pattern])) as Array<{ n: number }>)[0].n;

it("runs nothing it refuses over the limit, not even an operation anyone may run (signUp)", async () => {
  const conn = await open(user.token, "198.51.100.1");
  const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`;
  for (let i = 1; i <= 12; i++) {
    conn.send(String(i), SIGN_UP, {
      i: { email: `ws-refused-${i}@example.com`, password: "a good password", name: "Refused", workspaceName: "Refused" },
    });
  }
  expect((await conn.closed).code).toBe(4429);
  // The burst's five ran (they may finish after the close); none of the seven refused did.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await usersLike("ws-refused-%")).toBeLessThanOrEqual(5);
});

it("counts failed password checks per client address, as over HTTP", async () => {
  const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }`;
  const victims = await Promise.all([1, 2, 3, 4].map(() => srv.signUp({ password: "their own password" })));
  const conn = await open(victims[0].token, "198.51.100.2");
  // Three wrong passwords, each for another account: the address is locked, whatever the email.
  for (const [i, v] of victims.slice(0, 3).entries()) conn.send(`wrong-${i}`, LOG_IN, { i: { email: v.email, password: "guess" } });
  await until(() => conn.messages.filter((m) => m.type === "next").length === 3, "the three answers");
  conn.send("right", LOG_IN, { i: { email: victims[3].email, password: "their own password" } });
  await until(() => conn.messages.some((m) => m.id === "right" && m.type === "next"), "the fourth answer");
  const answer = conn.messages.find((m) => m.id === "right" && m.type === "next")!.payload as {
    data: unknown;
    errors: Array<{ extensions: { code: string } }>;
  };
  expect(answer.errors.map((e) => e.extensions.code)).toEqual(["RATE_LIMITED"]);
  expect(answer.data ?? null).toBeNull();
  conn.socket.close();
});

describe("a member's live subscriptions", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ MAX_QUERY_COST: "1000" });
  });
  afterAll(() => limited.close());

  it("are at most 100, and together cost at most MAX_QUERY_COST; completing one makes room", async () => {
    const member = await limited.signUp();
    const socket = connection(limited.wsUrl, member.token);
    const { client } = socket;
    const errors: unknown[] = [];
    const stops: Array<() => void> = [];
    // Each costs 1 + 1 (ticket) + 100 × 2 (its notes and their actors) = 202 of the 1,000.
    const EXPENSIVE = `subscription { ticketEvents { ticket { notes { actor { id } } } } }`;
    for (let i = 0; i < 5; i++)
      stops.push(
        client.subscribe({ query: EXPENSIVE }, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined }),
      );
    await until(() => errors.length === 1, "the refusal of the fifth");
    expect(JSON.stringify(errors[0])).toContain("TOO_MANY_SUBSCRIPTIONS");
    stops[0]();
    await new Promise((r) => setTimeout(r, 200));
    stops.push(client.subscribe({ query: EXPENSIVE }, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined }));
    await new Promise((r) => setTimeout(r, 500));
    expect(errors).toHaveLength(1);

    // Cheap ones: at most 100 in all.
    const CHEAP = `subscription { ticketEvents { cursor } }`;
    for (const stop of stops) stop();
    await new Promise((r) => setTimeout(r, 200));
    const more: unknown[] = [];
    for (let i = 0; i < 101; i++)
      client.subscribe({ query: CHEAP }, { next: () => undefined, error: (e) => more.push(e), complete: () => undefined });
    await until(() => more.length >= 1, "the refusal past 100", 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(more).toHaveLength(1);
    await socket.stop();
  });
});

it("cuts a peer that never answers the server's close within a few seconds", async () => {
  // A raw peer: it upgrades, never initialises (graphql-ws closes with 4408 after 3 s) and never
  // answers that close. ws alone would keep its connection 30 s more.
  const { port } = new URL(srv.url);
  const socket = connect(Number(port), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(
    "GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
      "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
  );
  socket.on("data", () => undefined);
  const started = Date.now();
  await new Promise((resolve) => socket.once("close", resolve));
  expect(Date.now() - started).toBeLessThan(10_000);
}, 45_000);
