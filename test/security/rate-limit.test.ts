import WebSocket from "ws";
import { TokenBuckets } from "../../src/http/limits";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { until } from "../support/server-process";

/** A clock the test moves by hand. */
function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("token buckets", () => {
  it("allow a burst, then one request per 1/rate seconds, saying how long to wait (rounded up)", () => {
    const time = clock();
    const buckets = new TokenBuckets(20, 60, 1000, time.now);
    for (let i = 0; i < 60; i++) expect(buckets.take("a")).toBe(0);
    expect(buckets.take("a")).toBe(1);
    time.advance(25);
    expect(buckets.take("a")).toBe(1); // half a request so far
    time.advance(25);
    expect(buckets.take("a")).toBe(0);
    expect(buckets.take("a")).toBe(1);
    // Another key has its own bucket.
    expect(buckets.take("b")).toBe(0);

    const slow = new TokenBuckets(1, 2, 1000, time.now);
    expect([slow.take("k"), slow.take("k"), slow.take("k")]).toEqual([0, 0, 1]);
    time.advance(500);
    expect(slow.take("k")).toBe(1);
    time.advance(500);
    expect(slow.take("k")).toBe(0);
    // Refilling stops at the burst.
    time.advance(3_600_000);
    expect([slow.take("k"), slow.take("k"), slow.take("k")]).toEqual([0, 0, 1]);
  });

  it("forget idle clients, and keep at most maxBuckets", () => {
    const time = clock();
    const buckets = new TokenBuckets(20, 60, 100, time.now);
    for (let i = 0; i < 100; i++) buckets.take(`idle-${i}`);
    expect(buckets.size).toBe(100);
    time.advance(61_000);
    buckets.take("new");
    expect(buckets.size).toBe(1);

    // Full of busy clients: the least recently used one goes, and comes back with a fresh bucket.
    for (let i = 0; i < 100; i++) for (let j = 0; j < 60; j++) buckets.take(`busy-${i}`);
    expect(buckets.size).toBe(100);
    expect(buckets.take("busy-99")).toBe(1);
    expect(buckets.take("one-more")).toBe(0);
    expect(buckets.size).toBe(100);
    expect(buckets.take("busy-0")).toBe(0);
  });
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

describe("rate limit over HTTP (RATE_LIMIT_PER_SECOND=1, RATE_LIMIT_BURST=10)", () => {
  let srv: TestServer;
  let a: SignedUp;
  let b: SignedUp;
  beforeAll(async () => {
    srv = await startTestServer({ RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "10" });
    a = await srv.signUp();
    b = await srv.signUp();
  });
  afterAll(async () => {
    await srv?.close();
  });

  const post = async (query: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(srv.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Answer["body"] };
  };
  const bearer = (user: SignedUp) => ({ authorization: `Bearer ${user.token}` });
  /** Sends `n` requests at once. */
  const burst = (n: number, query: string, headers: Record<string, string> = {}) =>
    Promise.all(Array.from({ length: n }, () => post(query, headers)));

  it("serves a token's burst, then refuses with 429 RATE_LIMITED and Retry-After; other tokens go on", async () => {
    const answers = await burst(20, `{ viewer { role } }`, bearer(a));
    const served = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    expect(served.length + refused.length).toBe(20);
    expect(served.length).toBeGreaterThanOrEqual(10);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.retryAfter).toBe("1");
      expect(r.body).toEqual({
        errors: [
          {
            message: "Too many requests: at most 1 per second (10 at once) per token, or per address without one. Retry in 1 second.",
            extensions: { code: "RATE_LIMITED", retryAfter: 1 },
          },
        ],
      });
    }
    // b's token has a bucket of its own.
    expect((await post(`{ viewer { role } }`, bearer(b))).status).toBe(200);
  });

  it("runs nothing it refuses, and serves again after Retry-After", async () => {
    await burst(12, `{ __typename }`, bearer(a));
    const mutation = await post(`mutation { createTopic(input: { name: "Refused topic" }) { topic { id } } }`, bearer(a));
    expect(mutation.status).toBe(429);
    expect(mutation.body.data).toBeUndefined();
    expect(await srv.server.db.query(`SELECT 1 FROM topics WHERE name = 'Refused topic'`)).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, Number(mutation.retryAfter) * 1000));
    const again = await post(`mutation { createTopic(input: { name: "Refused topic" }) { topic { name } } }`, bearer(a));
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ createTopic: { topic: { name: "Refused topic" } } });
  });

  it("keys requests without a valid token by client address", async () => {
    const answers = await burst(20, `{ __typename }`, { authorization: "Bearer not-a-token-at-all" });
    expect(answers.some((r) => r.status === 429)).toBe(true);
    // Without a header, the same address and bucket. A burst rather than one request: the bucket
    // refills one a second, and a loaded machine can take that long between two requests.
    expect((await burst(10, `{ __typename }`)).some((r) => r.status === 429)).toBe(true);
    // Another address (through the trusted loopback proxy) has a bucket of its own.
    expect((await post(`{ __typename }`, { "x-forwarded-for": "203.0.113.7" })).status).toBe(200);
  });
});

describe("rate limit over WebSocket (RATE_LIMIT_PER_SECOND=1, RATE_LIMIT_BURST=5)", () => {
  let srv: TestServer;
  let user: SignedUp;
  beforeAll(async () => {
    srv = await startTestServer({ RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "5" });
    user = await srv.signUp();
  });
  afterAll(async () => {
    await srv?.close();
  });

  /** An acknowledged graphql-ws connection, collecting what the server sends. */
  async function open(token: string) {
    const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws");
    const messages: Array<{ id?: string; type: string; payload?: unknown }> = [];
    socket.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
    await new Promise((resolve) => socket.once("message", resolve));
    return { socket, messages, closed };
  }

  it("counts each operation against the token's bucket, shared with HTTP; over it the socket closes with 4429", async () => {
    const conn = await open(user.token);
    for (let i = 1; i <= 8; i++) {
      conn.socket.send(
        JSON.stringify({
          id: String(i),
          type: "subscribe",
          payload: { query: `mutation { createTopic(input: { name: "Topic ${i}" }) { topic { id } } }` },
        }),
      );
    }
    const { code, reason } = await conn.closed;
    expect(code).toBe(4429);
    expect(reason).toBe("Too many requests: retry in 1 s");
    // The same bucket refuses the token's HTTP requests now.
    const res = await fetch(srv.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: `{ viewer { role } }` }),
    });
    expect(res.status).toBe(429);

    // The five the burst allowed ran (they may finish after the close); the refused ones did nothing.
    const topics = async () => (await srv.server.db.query(`SELECT name FROM topics WHERE name LIKE 'Topic %'`)) as Array<{ name: string }>;
    let created: Array<{ name: string }> = [];
    const poll = setInterval(() => void topics().then((rows) => (created = rows)), 20);
    try {
      await until(() => created.length >= 5, "the admitted operations");
    } finally {
      clearInterval(poll);
    }
    expect(await topics()).toHaveLength(5);
    expect(conn.messages.filter((m) => m.type === "error")).toEqual([]);
  });
});

describe("rate limit per member (RATE_LIMIT_MEMBER_PER_SECOND=1, RATE_LIMIT_MEMBER_BURST=10)", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({
      RATE_LIMIT_PER_SECOND: "100",
      RATE_LIMIT_BURST: "100",
      RATE_LIMIT_MEMBER_PER_SECOND: "1",
      RATE_LIMIT_MEMBER_BURST: "10",
    });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("shares one bucket among all of a member's tokens: many API tokens buy no more requests", async () => {
    const member = await srv.signUp();
    const tokens = [member.token];
    for (let i = 0; i < 3; i++) {
      const res = await srv.gql<{ createApiToken: { token: string } }>(
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
        { i: { name: `integration ${i}` } },
        member.token,
      );
      tokens.push(res.data!.createApiToken.token);
    }
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => srv.gql(`{ viewer { role } }`, {}, tokens[i % tokens.length])));
    const refused = answers.filter((a) => a.status === 429);
    // 3 createApiToken calls and at most 10 requests in the burst, plus what a second refills.
    expect(refused.length).toBeGreaterThanOrEqual(20 + 3 - 12);
    expect(refused[0].errors?.[0]).toEqual({
      message: "Too many requests: at most 1 per second (10 at once) for all of a member's tokens together. Retry in 1 second.",
      extensions: { code: "RATE_LIMITED", retryAfter: 1 },
    });
    // Another member has a bucket of their own.
    const other = await srv.signUp();
    expect((await srv.gql(`{ viewer { role } }`, {}, other.token)).status).toBe(200);
  });
});
